"""The rows saved at quit (widgets/first_frame.py): the next launch's first frame draws them as saved."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from glassbox_factory import make_app
from helpers import send, started
from rich.segment import Segment
from rich.style import Style
from test_startup import _until

from engine.glance import read_glance
from tui.screens.dashboard import DashboardScreen
from widgets import first_frame
from widgets.first_frame import SavedRows
from widgets.history import HistoryLines
from widgets.message import ChatItem


def test_saved_rows_are_used_only_for_the_same_message_width_and_theme() -> None:
    item = ChatItem("m1", "assistant", "**two** words")
    lines = [[Segment("two", Style.parse("bold #ffffff on #000000")), Segment(" words")]]
    saved = SavedRows(90, "textual-dark", {first_frame.item_key(item): first_frame.rows_of(lines)})
    assert saved.lines_of(item, 90, "textual-dark") == lines
    assert saved.height_of(item, 92, "textual-dark") == 1, "a scrollbar's width wider: the height stands in"
    assert saved.lines_of(item, 92, "textual-dark") is None
    assert saved.lines_of(item, 90, "textual-light") is None
    assert saved.height_of(item, 80, "textual-dark") is None
    changes = (ChatItem("m1", "assistant", "**three** words"),
               ChatItem("m1", "assistant", "**two** words", cached=True),
               ChatItem("m1", "assistant", "**two** words", branch="2/2"))
    for changed in changes:
        assert saved.lines_of(changed, 90, "textual-dark") is None, changed


def test_saved_rows_survive_a_round_trip_and_a_damaged_file_is_ignored(tmp_path: Path) -> None:
    path = first_frame.beside(tmp_path / "glassbox.db")
    assert path.name == "glassbox.first-frame.json"
    item = ChatItem("m1", "user", "hi")
    saved = SavedRows(40, "nord", {first_frame.item_key(item): [[("hi", "bold"), ("  ", "")]]})
    first_frame.save(path, saved)
    assert first_frame.load(path) == saved
    for damaged in ("{", '{"format": 1, "width": "x"}', '{"format": 99, "width": 1, "theme": "", "rows": {}}',
                    "[1, 2]", '{"format": 1, "width": 1, "theme": "", "rows": {"k": [[["only text"]]]}}'):
        path.write_text(damaged)
        assert first_frame.load(path) is None, damaged
    first_frame.forget(path)
    assert first_frame.load(path) is None and not path.exists()


async def test_quit_saves_the_view_and_the_next_launch_draws_it_without_markdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = [f"Answer {i}: **bold** and `code`.\n\n- a\n- b\n\n```python\nprint({i} * {i})\n```"
               for i in range(6)]
    seed = make_app(tmp_path, answers)
    async with seed.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        for i in range(len(answers)):
            await send(pilot, f"question {i}")
        await pilot.press("ctrl+q")
    database = tmp_path / "home" / "glassbox.db"
    saved = first_frame.load(first_frame.beside(database))
    assert saved is not None and saved.theme == seed.theme
    assert len(saved.rows) >= 4, "the newest messages that fill the view"

    monkeypatch.setenv("GLASSBOX_STORE__PATH", str(database))
    drawn: list[str] = []
    draw = HistoryLines.item_rows

    def counted(self: HistoryLines, item: ChatItem, width: int, plain: bool = False) -> list[list[Segment]]:
        drawn.append(item.text)
        return draw(self, item, width, plain)

    monkeypatch.setattr(HistoryLines, "item_rows", counted)
    first_frame_shown = asyncio.Event()
    release = asyncio.Event()
    fill = DashboardScreen.fill_panes

    async def after_first_frame(screen: DashboardScreen) -> None:
        first_frame_shown.set()
        await release.wait()
        await fill(screen)

    monkeypatch.setattr(DashboardScreen, "fill_panes", after_first_frame)
    app = make_app(tmp_path, ["x"], glance=read_glance())
    async with app.run_test(size=(160, 48)) as pilot:
        try:
            await asyncio.wait_for(first_frame_shown.wait(), 10)
            history = app.dashboard.chat.history
            assert history is not None
            screen_text = "\n".join(history.render_line(y).text for y in range(history.total_rows))
            assert "question 5" in screen_text and "print(5 * 5)" in screen_text
            assert answers[-1] not in drawn and "question 5" not in drawn, "drawn from the saved rows"
            width = history.size.width
            newest = history.items[-1]
            fresh = [Segment.get_line_length(row) for row in draw(history, newest, width)]
            from_file = saved.lines_of(newest, width, app.theme) or []
            assert [Segment.get_line_length(row) for row in from_file] == fresh
            assert [history.render_line(y).text for y in range(history.total_rows)][-len(fresh):] == [
                "".join(segment.text for segment in row) for row in draw(history, newest, width)], \
                "the saved rows read as the message drawn afresh"
        finally:
            release.set()
        await _until(lambda: app.ready.is_set(), 10)
        await pilot.pause()
