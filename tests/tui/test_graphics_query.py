"""The terminal's graphics are asked before the app's imports and read after them, on a real pty."""

from __future__ import annotations

import os
import pty
import select
import termios
import time
from collections.abc import Iterator
from typing import IO

import pytest

from tui import graphics
from tui.graphics import GraphicsQuery


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, IO[str]]]:
    """A pseudo-terminal: yields the terminal's side and the app's (its stdin and stdout)."""
    main, side = pty.openpty()
    app_side = open(side, "w", buffering=1)  # noqa: SIM115 (closed below)
    for name in ("TMUX", "KITTY_WINDOW_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    try:
        yield main, app_side
    finally:
        app_side.close()
        os.close(main)


def _question(main: int) -> bytes:
    ready, _, _ = select.select([main], [], [], 2)
    assert ready, "the query was sent at ask()"
    return os.read(main, 64)


def test_an_answer_given_while_the_app_imports_is_read_after(terminal: tuple[int, IO[str]]) -> None:
    main, app_side = terminal
    before = termios.tcgetattr(app_side.fileno())
    query = GraphicsQuery.ask(app_side, app_side)
    assert _question(main) == b"\x1b[c"
    os.write(main, b"\x1b[?62;4;22c")  # a sixel terminal answers at once...
    time.sleep(0.05)  # ...while the app is still importing
    assert not termios.tcgetattr(app_side.fileno())[3] & termios.ECHO, "the answer is not echoed"
    assert query.result()[0] == "sixel"
    assert termios.tcgetattr(app_side.fileno()) == before, "the terminal's settings are given back"


def test_a_terminal_that_never_answers_costs_only_what_is_left_of_the_timeout(
    terminal: tuple[int, IO[str]],
) -> None:
    main, app_side = terminal
    before = termios.tcgetattr(app_side.fileno())
    query = GraphicsQuery.ask(app_side, app_side)
    assert _question(main) == b"\x1b[c"
    time.sleep(graphics.DA1_TIMEOUT_S)  # imports that took longer than the timeout
    started = time.monotonic()
    assert query.result()[0] == "halfblock"
    assert time.monotonic() - started < graphics.DA1_TIMEOUT_S / 2, "no second wait after the imports"
    assert termios.tcgetattr(app_side.fileno()) == before


def test_close_without_reading_gives_the_terminal_back(terminal: tuple[int, IO[str]]) -> None:
    main, app_side = terminal
    before = termios.tcgetattr(app_side.fileno())
    query = GraphicsQuery.ask(app_side, app_side)
    assert _question(main) == b"\x1b[c"
    assert termios.tcgetattr(app_side.fileno()) != before
    query.close()  # start-up failed between ask() and result()
    query.close()
    assert termios.tcgetattr(app_side.fileno()) == before
