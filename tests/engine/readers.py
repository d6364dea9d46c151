"""What a reader's program prints, run by the test's own Python (the readers' programs without pandas or
matplotlib use only the standard library)."""

from __future__ import annotations

import subprocess
import sys


def printed(program: str) -> str:
    """The program's printed output, stripped; a program that fails fails the test."""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60,
                          check=True)
    return done.stdout.strip()
