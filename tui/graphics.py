"""What the terminal can draw (kitty graphics, sixel or half-blocks), asked once before Textual starts."""

from __future__ import annotations

import contextlib
import os
import select
import sys
import time
from typing import TextIO

DA1_TIMEOUT_S = 0.15
"""Terminals answer Device Attributes at once; one that does not costs start-up at most this much,
counted from the question (asked before the app's imports, see GraphicsQuery)."""


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


class DeviceAttributesQuery:
    """DA1 (ESC [ c) asked now and read later: the terminal answers while the app imports, so a
    launch does not wait for the answer (nor, on a terminal that never answers, for the timeout)."""

    def __init__(self, stdin: int, stdout: int) -> None:
        import termios
        import tty

        self._stdin = stdin
        self._saved = termios.tcgetattr(stdin)
        # Without echo and line buffering from now: the answer must neither show nor wait for Enter.
        tty.setcbreak(stdin, termios.TCSANOW)
        self._deadline = time.monotonic() + DA1_TIMEOUT_S
        try:
            os.write(stdout, b"\x1b[c")
        except OSError:
            self.close()
            raise

    def answer(self) -> str:
        """The answer, e.g. '\\x1b[?62;4;22c' ('4': sixel); '' if none came by the deadline. Gives the
        terminal its settings back."""
        answer = b""
        try:
            while not answer.endswith(b"c"):
                left = max(0.0, self._deadline - time.monotonic())
                ready, _, _ = select.select([self._stdin], [], [], left)
                if not ready:
                    break
                answer += os.read(self._stdin, 64)
        finally:
            self.close()
        return answer.decode("ascii", "replace")

    def close(self) -> None:
        """Restore the terminal's settings, dropping any input that came meanwhile (idempotent)."""
        import termios

        if self._saved is not None:
            saved, self._saved = self._saved, None
            termios.tcsetattr(self._stdin, termios.TCSAFLUSH, saved)


def _device_attributes(stdin: int, stdout: int) -> str:
    """The terminal's answer to DA1 (ESC [ c), e.g. '\\x1b[?62;4;22c' ('4': sixel); '' if none."""
    return DeviceAttributesQuery(stdin, stdout).answer()


class GraphicsQuery:
    """detect_graphics() in two halves: ask() before the slow imports, result() after them."""

    def __init__(self) -> None:
        self._found: tuple[str, tuple[int, int] | None] | None = None
        self._cell: tuple[int, int] | None = None
        self._query: DeviceAttributesQuery | None = None

    @classmethod
    def ask(cls, terminal_in: TextIO | None = None, terminal_out: TextIO | None = None) -> GraphicsQuery:
        """Start: whatever needs no answer is settled now, DA1 is sent if it is needed (on
        sys.stdin and sys.stdout unless given)."""
        query = cls()
        terminal_in = terminal_in or sys.stdin
        terminal_out = terminal_out or sys.stdout
        if sys.platform == "win32" or not (terminal_in.isatty() and terminal_out.isatty()):
            query._found = ("halfblock", None)
            return query
        stdin, stdout = terminal_in.fileno(), terminal_out.fileno()
        query._cell = _cell_size(stdout)
        if not os.environ.get("TMUX") and (os.environ.get("TERM") == "xterm-kitty"
                                           or "KITTY_WINDOW_ID" in os.environ):
            query._found = ("kitty", query._cell)
            return query
        try:
            query._query = DeviceAttributesQuery(stdin, stdout)
        except OSError:
            query._found = ("halfblock", query._cell)
        return query

    def result(self) -> tuple[str, tuple[int, int] | None]:
        """('kitty' | 'sixel' | 'halfblock', cell size in pixels or None); waits at most what is
        left of DA1_TIMEOUT_S since ask()."""
        if self._found is None:
            assert self._query is not None
            try:
                answer = self._query.answer()
            except OSError:
                answer = ""
            codes = answer.removeprefix("\x1b[?").removesuffix("c").split(";")
            self._found = ("sixel" if "4" in codes else "halfblock"), self._cell
        return self._found

    def close(self) -> None:
        """Give the terminal its settings back without reading the answer (start-up failed)."""
        if self._query is not None:
            self._query.close()


def detect_graphics() -> tuple[str, tuple[int, int] | None]:
    """('kitty' | 'sixel' | 'halfblock', cell size in pixels or None), without waiting long.

    kitty's graphics protocol is taken from the environment (kitty itself, not through tmux,
    which does not pass it on); sixel from the terminal's Device Attributes; otherwise, and
    whenever stdin and stdout are not a terminal, half-blocks."""
    return GraphicsQuery.ask().result()
