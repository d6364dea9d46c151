"""A long session: the newest messages are widgets, all older ones one HistoryLines; none is capped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from glassbox_factory import make_app
from helpers import send, started, wait_for
from textual.geometry import Offset
from textual.selection import Selection

from widgets.chat import ChatItem, ChatPane, MessageView
from widgets.history import HistoryLines


def _session(pairs: int) -> list[ChatItem]:
    items = []
    for i in range(pairs):
        items.append(ChatItem(f"q{i}", "user", f"question {i}"))
        items.append(ChatItem(f"a{i}", "assistant", f"Answer {i}: **bold**.\n\n```python\nprint({i})\n```\n\n"
                              + "A longer paragraph of the answer. " * 6))
    return items


def _text(history: HistoryLines, rows: range) -> str:
    return "\n".join(history.render_line(y).text.rstrip() for y in rows)


async def test_a_long_session_is_all_there_and_only_the_newest_are_widgets(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        chat = app.dashboard.chat
        items = _session(150)
        await chat.show_history(items)
        await chat.show_older()
        await pilot.pause()
        views = list(chat.log_view.query(MessageView))
        history = chat.history
        assert history is not None
        assert len(views) == ChatPane.LIVE_MESSAGES
        assert history.items + [v.item for v in views] == items, "every message, in order, no cap"
        # Heights settle in the background (each message drawn once); then the rows are exact.
        await wait_for(pilot, lambda: all(history._measured), limit_s=60)
        first = _text(history, range(0, 4))
        assert first.startswith("You") and "question 0" in first
        row = history.row_of("a0")
        assert row is not None and "Answer 0" in _text(history, range(row, row + 3))
        # Reading from the top: the first message is what the view shows.
        chat.log_view.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert chat.log_view.scroll_y == 0 and history.region.y == chat.log_view.region.y


async def test_scroll_to_an_old_message_and_copy_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        chat = app.dashboard.chat
        await chat.show_history(_session(100))
        await chat.show_older()
        await pilot.pause()
        history = chat.history
        assert history is not None
        assert chat.scroll_to_message("q3")
        await pilot.pause()
        row = history.row_of("q3")
        assert row is not None and round(chat.log_view.scroll_y) == history.virtual_region.y + row
        assert history.highlighted == "q3"
        # Selection over rows copies their text, as a mouse drag over them would.
        selected = history.get_selection(Selection(Offset(0, row), Offset(200, row + 1)))
        assert selected is not None and "question 3" in selected[0]


async def test_the_oldest_widgets_retire_into_history_as_the_session_grows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ChatPane, "LIVE_MESSAGES", 4)
    app = make_app(tmp_path, [f"answer {i}" for i in range(4)])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        for i in range(4):
            await send(pilot, f"question {i}")
        chat = app.dashboard.chat
        history = chat.history
        assert history is not None
        views = list(chat.log_view.query(MessageView))
        assert len(views) <= 5
        texts = [item.text for item in history.items] + [view.text for view in views]
        assert texts == [t for i in range(4) for t in (f"question {i}", f"answer {i}")]


async def test_scroll_keys_in_the_log_scroll_at_once_not_in_the_prompt(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        chat = app.dashboard.chat
        await chat.show_history(_session(60))
        await chat.show_older()
        await pilot.pause()
        log = chat.log_view
        log.scroll_home(animate=False, immediate=True)
        log.focus()
        await pilot.pause()
        page = log.scrollable_content_region.height
        animated: list[str] = []
        animate = app.animator.animate

        def recorded(obj: object, attribute: str, *args: Any, **kwargs: Any) -> None:
            animated.append(attribute)
            animate(obj, attribute, *args, **kwargs)

        app.animator.animate = recorded  # type: ignore[method-assign]
        for key, expected in (("pagedown", page), ("down", page + 1), ("pageup", 1), ("up", 0)):
            await pilot.press(key)
            assert round(log.scroll_y) == expected, key
        await pilot.press("end")
        assert log.scroll_y == log.max_scroll_y
        # An animated page is six frames, each laying out and painting the whole view.
        assert animated == [], "scroll keys do not animate"
        # In the prompt, up and down are the prompt's (its history), not the log's.
        chat.prompt.focus()
        await pilot.press("home")
        # Not sent home: still within a page of the end. (HistoryLines measures the older messages
        # in the background and shifts the view by the height measured above it, to keep the same
        # rows in view: 953 -> 929 was seen, by widgets/history.py's _relayout, not by the key.)
        assert log.scroll_y > log.max_scroll_y - page > 0


async def test_messages_first_drawn_in_a_frame_are_highlighted_after(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        chat = app.dashboard.chat
        await chat.show_history(_session(60))
        await chat.show_older()
        history = chat.history
        assert history is not None
        await wait_for(pilot, lambda: all(history._measured) and not history._pending, limit_s=60)
        history._lines.clear()  # as if the view jumped to rows not drawn since
        history._plain.clear()
        chat.log_view.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        await wait_for(pilot, lambda: bool(history._lines.get(0)))
        await wait_for(pilot, lambda: 0 not in history._plain, limit_s=10)


async def test_a_glance_is_lines_first_then_its_newest_messages_become_widgets(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        chat = app.dashboard.chat
        log = chat.log_view
        items = _session(10)
        await chat.show_glance(items)
        await pilot.pause()
        history = chat.history
        assert history is not None and history.items == items and not log.query(MessageView)
        # The newest were drawn at the first layout: the end of the session is in view, at its rows.
        newest = history.newest_filling(log.scrollable_content_region.height)
        assert 0 < newest < len(items) and all(history._measured[-newest:])
        assert log.scroll_y == log.max_scroll_y
        assert "question 9" in _text(history, range(history._starts[-3], history._starts[-2]))
        await chat.show_glance(items)
        assert chat.history is history, "shown once"
        await chat.show_live()
        await pilot.pause()
        views = list(log.query(MessageView))
        assert len(views) == newest
        assert history.items + [v.item for v in views] == items, "every message, in order"
        assert log.scroll_y == log.max_scroll_y
