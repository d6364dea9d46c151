"""Launch a terminal program in a pseudo-terminal and time how long until a text appears on it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time
from collections.abc import Sequence

EMPTY_APP = (
    "from textual.app import App\n"
    "from textual.widgets import Static\n"
    "class Empty(App):\n"
    "    def compose(self):\n"
    "        yield Static('empty-app-ready')\n"
    "Empty().run()\n"
)
"""An empty Textual app; its one line of text is how the first frame is recognised."""

DEVICE_ATTRIBUTES_QUERY = b"\x1b[c"
DEVICE_ATTRIBUTES = b"\x1b[?62;22c"
"""The pseudo-terminal answers DA1 as xterm does (VT220, colour, no sixel): without an answer the
app would wait for one until its timeout, which no real terminal makes it do."""


def time_to_text(argv: Sequence[str], marker: bytes, env: dict[str, str], *, columns: int = 160,
                 rows: int = 48, timeout_s: float = 20.0) -> float | None:
    """Seconds from fork to the first output holding `marker` (None if it never came); the
    program is then sent Ctrl+Q and, failing that, killed."""
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the program
        os.execvpe(argv[0], list(argv), env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    seen = b""
    found: float | None = None
    while time.perf_counter() - started < timeout_s:
        ready, _, _ = select.select([fd], [], [], 0.01)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:
            break
        if DEVICE_ATTRIBUTES_QUERY in chunk:
            # As a terminal does (the app asks what it can draw before it starts).
            os.write(fd, DEVICE_ATTRIBUTES)
        # Keep a tail that can hold a marker split across reads.
        seen = seen[-len(marker):] + chunk
        if marker in seen:
            found = time.perf_counter() - started
            break
    _quit(pid, fd)
    return found


def _quit(pid: int, fd: int) -> None:
    with contextlib.suppress(OSError):
        os.write(fd, b"\x11")  # Ctrl+Q: both apps quit on it
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            with contextlib.suppress(OSError):
                os.read(fd, 1 << 16)
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)
