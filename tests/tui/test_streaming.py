"""Pilot tests of long-reply streaming (segments, frozen heights) and the staged session load."""

from __future__ import annotations

from pathlib import Path

from glassbox_factory import make_app
from helpers import send, started, wait_for
from textual.css.scalar import Unit
from textual.widgets import Markdown

from widgets.chat import ChatPane, MessageView

PARAGRAPHS = "\n\n".join(" ".join(f"p{p}w{w}" for w in range(40)) for p in range(12))
"""About 480 tokens (under the default max_tokens) and three segments."""


async def test_long_reply_streams_into_frozen_segments(tmp_path: Path) -> None:
    app = make_app(tmp_path, [PARAGRAPHS], token_delay_s=0.0005)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "long please")
        reply = list(app.dashboard.chat.log_view.query(MessageView))[-1]
        segments = list(reply.query(Markdown))
        assert len(segments) >= 2
        assert "".join(m.source for m in segments) == PARAGRAPHS
        frozen = [m for m in segments[:-1] if m.styles.height and m.styles.height.unit == Unit.CELLS]
        assert frozen, "finished segments keep a fixed height"
        assert all(m.styles.height and m.styles.height.value == m.size.height for m in frozen)
        # A width change measures the frozen segments again.
        await pilot.resize_terminal(140, 48)
        await pilot.pause(0.2)
        assert all(m.styles.height and m.styles.height.value == m.size.height for m in frozen)


async def test_session_loads_newest_first_then_the_rest(tmp_path: Path) -> None:
    count = ChatPane.FIRST_PAINT  # questions; with their answers twice FIRST_PAINT messages
    app = make_app(tmp_path, [f"answer {i}" for i in range(count)])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        for i in range(count):
            await send(pilot, f"question {i}")
    again = make_app(tmp_path, ["x"])
    async with again.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await wait_for(pilot, lambda: len(again.dashboard.chat.log_view.query(MessageView)) == 2 * count)
        texts = [v.item.text for v in again.dashboard.chat.log_view.query(MessageView)]
        assert texts[:2] == ["question 0", "answer 0"]
        assert texts[-2:] == [f"question {count - 1}", f"answer {count - 1}"]
        assert again.shown.is_set()
