"""Pilot tests of long-reply streaming (segments captured into FrozenLines) and the staged session load."""

from __future__ import annotations

from pathlib import Path

from glassbox_factory import make_app
from helpers import send, started, wait_for
from textual import events
from textual.widgets import Markdown

from widgets.chat import ChatPane, MessageView
from widgets.frozen import FrozenLines
from widgets.prompt import PromptInput
from widgets.reply import ReplyBody

PARAGRAPHS = "\n\n".join(" ".join(f"para{p}word{w}" for w in range(40)) for p in range(12))
"""About 480 tokens (under the default max_tokens) and five segments: the first three are frozen."""


async def test_long_reply_streams_into_frozen_lines(tmp_path: Path) -> None:
    app = make_app(tmp_path, [PARAGRAPHS], token_delay_s=0.0005)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "long please")
        await pilot.pause(0.1)
        reply = list(app.dashboard.chat.log_view.query(MessageView))[-1]
        frozen = list(reply.query(FrozenLines))
        assert len(frozen) == 1, "finished segments are captured into one FrozenLines"
        assert len(reply.query(Markdown)) <= 2, "only the last two segments stay live Markdown"
        assert reply.text == PARAGRAPHS
        # The captured lines are the text the Markdown showed: every word, in order, once.
        shown = " ".join(frozen[0].render_line(y).text.strip() for y in range(frozen[0].size.height))
        words = frozen[0].source.split()
        assert shown.split() == words
        # A width change captures the lines again at the new width.
        await pilot.resize_terminal(120, 48)
        await pilot.pause(0.3)
        frozen = list(reply.query(FrozenLines))
        assert len(frozen) == 1 and frozen[0].frozen_width == frozen[0].size.width
        assert reply.text == PARAGRAPHS
        # Thawed, the lines become the kind of Markdown they were captured from: a reply body,
        # which reports its layout (the view follows it) and shows code as the reply does.
        thawed = await frozen[0].thaw()
        assert type(thawed) is ReplyBody and thawed.source == frozen[0].source


async def test_theme_change_captures_frozen_lines_again(tmp_path: Path) -> None:
    app = make_app(tmp_path, [PARAGRAPHS], token_delay_s=0.0005, snapshot=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "long please")
        await pilot.pause(0.1)
        reply = list(app.dashboard.chat.log_view.query(MessageView))[-1]
        before = reply.query_one(FrozenLines)
        style_before = before.render_line(0).text, [seg.style for seg in before.render_line(1)]
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: reply.query(FrozenLines) and reply.query_one(FrozenLines) is not before)
        after = reply.query_one(FrozenLines)
        assert reply.text == PARAGRAPHS
        # Same words, other colours: the lines were captured again under the new theme.
        assert after.render_line(0).text == style_before[0]
        assert [seg.style for seg in after.render_line(1)] != style_before[1]


async def test_session_loads_newest_first_then_the_rest(tmp_path: Path) -> None:
    count = ChatPane.LIVE_MESSAGES // 2  # questions; with their answers as many messages as stay widgets
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


async def test_keys_typed_during_start_up_reach_the_prompt(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["x"])
    async with app.run_test(size=(160, 48)) as pilot:
        # Forwarded to the screen before the session is loaded, as the app does with a key that
        # arrives while nothing has focus yet (seen in tmux: such keys were dropped).
        assert not app.ready.is_set()
        for character in "hi":
            app.screen._forward_event(events.Key(character, character))
        await started(pilot)
        await wait_for(pilot, lambda: app.dashboard.chat.prompt.text == "hi")


async def test_reading_back_after_a_reply_is_not_undone_by_a_relayout(tmp_path: Path) -> None:
    app = make_app(tmp_path, [PARAGRAPHS], token_delay_s=0.0005)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "long please")
        await pilot.pause(0.2)
        log = app.dashboard.chat.log_view
        assert log.scroll_y > 0, "the finished reply settled at its end"
        log.scroll_to(y=0, animate=False, immediate=True)
        await pilot.pause(0.1)
        # A width change lays every message out again (and captures frozen lines again).
        await pilot.resize_terminal(150, 48)
        await pilot.pause(0.3)
        assert log.scroll_y == 0, "the view stays where the reader scrolled"


async def test_a_streaming_reply_is_followed_until_the_reader_scrolls_up(tmp_path: Path) -> None:
    long = "\n\n".join(" ".join(f"p{p}w{w}" for w in range(40)) for p in range(10))
    app = make_app(tmp_path, [long], token_delay_s=0.005)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "long please", wait=False)
        chat = app.dashboard.chat
        log = chat.log_view
        # Followed: while the text grows past a page, its newest line stays in view.
        height = log.scrollable_content_region.height
        await wait_for(pilot, lambda: log.scroll_y > 0 and (chat._text_end() or 0) > height + 2)
        end = chat._text_end()
        assert end is not None and log.scroll_y <= end <= log.scroll_y + log.scrollable_content_region.height
        # Scrolled up past the newest text: the view stays where the reader put it as the reply goes on.
        log.scroll_to(y=0, animate=False, immediate=True)
        await pilot.pause(0.2)
        assert app.handle is not None, "the reply is still streaming"
        assert log.scroll_y == 0
        await wait_for(pilot, lambda: app.handle is None)
        views = list(log.query(MessageView))
        assert views[-1].text == long
        assert len(views[-1].query(FrozenLines)) <= 1, "frozen segments are one widget once the reply ends"


async def test_a_finished_segment_is_captured_at_once_and_the_box_holds_the_live_one(tmp_path: Path) -> None:
    app = make_app(tmp_path, [PARAGRAPHS], token_delay_s=0.003)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        chat = app.dashboard.chat
        # Posted, not pressed: Pilot.press waits for the app to go idle, which it does not while
        # the reply streams, so a pressed Enter returned only once the reply had ended.
        chat.prompt.post_message(PromptInput.Submitted("long please"))
        await wait_for(pilot, lambda: chat._box is not None and bool(chat._streaming.query(FrozenLines)))
        samples = 0
        while app.handle is not None and chat._box is not None:
            reply, box = chat._streaming, chat._box
            assert reply is not None
            # However long the reply, above the box there is one FrozenLines; in the box the live
            # segment, filling it, and for a frame or two the one finished before it.
            assert len(reply.query(FrozenLines)) == 1
            bodies = list(box.query(ReplyBody))
            assert 1 <= len(bodies) <= 2
            assert bodies[-1].has_class("-live") and str(bodies[-1].styles.height) == "1fr"
            assert not any(body.has_class("-live") for body in bodies[:-1])
            samples += 1
            await pilot.pause(0.03)
        assert samples > 3, "the reply was sampled while it streamed"
        await wait_for(pilot, lambda: app.handle is None)
        frozen = list(app.dashboard.chat.log_view.query(MessageView))[-1].query_one(FrozenLines)
        # The segments were captured at the height of their text, not of the box they filled.
        rows = [frozen.render_line(y).text.strip() for y in range(frozen.size.height)]
        assert all(rows[y] or rows[y + 1] for y in range(len(rows) - 1)), "no two blank rows in a row"
        assert " ".join(rows).split() == frozen.source.split()
