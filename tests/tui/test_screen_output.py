"""The screen's output survives llama-cpp-python pointing descriptors 1 and 2 at /dev/null."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Run in a child process: the test swaps the real descriptors 1 and 2, which pytest captures.
_FRAME_WRITTEN_DURING_A_MODEL_LOAD = """
import sys
from llama_cpp._utils import suppress_stdout_stderr  # what Llama(verbose=False) uses
from tui.screen_output import private_screen_output

def draw(name):
    with suppress_stdout_stderr(disable=False):
        for stream in (sys.__stdout__, sys.__stderr__):
            stream.write(f"frame {name} on fd {stream.fileno() > 2 and 'copy' or stream.fileno()}\\n")
            stream.flush()

draw("plain")
with private_screen_output():
    draw("kept")
sys.__stderr__.write("after\\n")
"""


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_frames_written_while_a_model_loads_reach_the_terminal(tmp_path: Path, stream: str) -> None:
    out, err = tmp_path / "out", tmp_path / "err"
    with out.open("w") as stdout, err.open("w") as stderr:
        subprocess.run([sys.executable, "-c", _FRAME_WRITTEN_DURING_A_MODEL_LOAD], cwd=ROOT,
                       stdout=stdout, stderr=stderr, check=True, timeout=60)
    written = (out if stream == "stdout" else err).read_text()
    # Without the copies, the frame goes to /dev/null: the fault is real, and the copies mend it.
    assert "frame plain" not in written, written
    assert "frame kept on fd copy" in written, written
    if stream == "stderr":
        assert written.endswith("after\n"), written  # the original stream is back afterwards
