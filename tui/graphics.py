"""What the terminal can draw (kitty graphics, sixel or half-blocks), asked once before Textual starts."""

from __future__ import annotations

import contextlib
import os
import select
import sys
import time

DA1_TIMEOUT_S = 0.15
"""Terminals answer Device Attributes at once; one that does not costs this much start-up, once."""


def _cell_size(fd: int) -> tuple[int, int] | None:
    import fcntl
    import struct
    import termios

    with contextlib.suppress(OSError):
        rows, cols, width, height = struct.unpack(
            "HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, struct.pack("HHHH", 0, 0, 0, 0)))
        if rows and cols and width and height:
            return width // cols, height // rows
    return None


def _device_attributes(stdin: int, stdout: int) -> str:
    """The terminal's answer to DA1 (ESC [ c), e.g. '\\x1b[?62;4;22c' ('4': sixel); '' if none."""
    import termios
    import tty

    saved = termios.tcgetattr(stdin)
    answer = b""
    try:
        tty.setcbreak(stdin, termios.TCSANOW)
        os.write(stdout, b"\x1b[c")
        deadline = time.monotonic() + DA1_TIMEOUT_S
        while not answer.endswith(b"c") and (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([stdin], [], [], left)
            if not ready:
                break
            answer += os.read(stdin, 64)
    finally:
        termios.tcsetattr(stdin, termios.TCSAFLUSH, saved)
    return answer.decode("ascii", "replace")


def detect_graphics() -> tuple[str, tuple[int, int] | None]:
    """('kitty' | 'sixel' | 'halfblock', cell size in pixels or None), without waiting long.

    kitty's graphics protocol is taken from the environment (kitty itself, not through tmux,
    which does not pass it on); sixel from the terminal's Device Attributes; otherwise, and
    whenever stdin and stdout are not a terminal, half-blocks."""
    if sys.platform == "win32" or not (sys.stdin.isatty() and sys.stdout.isatty()):
        return "halfblock", None
    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
    cell = _cell_size(stdout)
    if not os.environ.get("TMUX") and (os.environ.get("TERM") == "xterm-kitty"
                                       or "KITTY_WINDOW_ID" in os.environ):
        return "kitty", cell
    try:
        answer = _device_attributes(stdin, stdout)
    except OSError:
        return "halfblock", cell
    codes = answer.removeprefix("\x1b[?").removesuffix("c").split(";")
    return ("sixel" if "4" in codes else "halfblock"), cell
