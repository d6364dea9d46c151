"""Pilot tests of the prompt queue: Enter during a run queues, entries are edited or dropped, run in
order, and Esc cancels only the running turn."""

from __future__ import annotations

from pathlib import Path

from glassbox_factory import FakeSandbox, make_app
from helpers import send, started, wait_for

from widgets.chat import MessageView
from widgets.prompt_queue import PromptQueue


def _hanging_app(tmp_path: Path, replies: list[str]):  # type: ignore[no-untyped-def]
    """Prompts starting with 'run' run code that hangs until cancelled; others get `replies`."""
    return make_app(tmp_path, replies, sandbox=FakeSandbox(tmp_path, hang=True))


async def _start_hanging_run(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await send(pilot, "run A", wait=False)
    await wait_for(pilot, lambda: app.dashboard.execution.running)


def _turns(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(v.item.role, v.text) for v in app.dashboard.chat.log_view.query(MessageView)]


async def test_queue_edit_drop_run_in_order_and_escape_cancels_only_the_running_one(tmp_path: Path) -> None:
    app = _hanging_app(tmp_path, ["answer to B", "answer to C"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await _start_hanging_run(pilot)
        running = app.handle
        for text in ("B", "C", "D"):
            await pilot.press(*text, "enter")
        queue = app.dashboard.chat.queue
        assert queue.entries == ["B", "C", "D"]
        assert queue.display and app.dashboard.chat.prompt.text == ""
        assert app.handle is running, "queuing does not touch the running turn"
        assert "3 queued" in str(app.dashboard.topbar.render())

        await pilot.press("ctrl+up")
        assert isinstance(app.focused, PromptQueue)
        await pilot.press("home", "down", "enter")  # C back into the input
        assert app.dashboard.chat.prompt.text == "C" and queue.entries == ["B", "D"]
        await pilot.press(*" edited", "enter")  # back to its place in the queue
        assert queue.entries == ["B", "C edited", "D"]

        await pilot.press("ctrl+up", "end", "delete")  # drop D
        assert queue.entries == ["B", "C edited"]
        assert app.handle is running

        await pilot.press("escape")
        # B and C may both be answered before the next look: the end state shows what ran.
        await wait_for(pilot, lambda: app.handle is None and not queue.entries, 20)
        await pilot.pause(0.1)
        turns = _turns(app)
        assert [text for role, text in turns if role == "user"] == ["run A", "B", "C edited"]
        replies = [text for role, text in turns if role == "assistant"]
        assert replies == ["answer to B", "answer to C"], "A was cancelled before it answered"
        assert not queue.display


async def test_editing_an_entry_keeps_a_draft_in_the_input(tmp_path: Path) -> None:
    app = _hanging_app(tmp_path, ["b"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await _start_hanging_run(pilot)
        await pilot.press(*"B", "enter", *"draft")
        await pilot.press("ctrl+up", "enter")
        assert app.dashboard.chat.prompt.text == "draft", "the draft is never overwritten"
        assert app.dashboard.chat.queue.entries == ["B"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.handle is None and not app.dashboard.chat.queue.entries, 20)


async def test_a_prompt_sent_while_idle_runs_at_once(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["one"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "hello")
        assert app.dashboard.chat.queue.entries == []
        assert [role for role, _ in _turns(app)] == ["user", "assistant"]


def test_queue_keys_are_in_the_help_and_remappable() -> None:
    from tui.keymap import binding_rows, unknown_ids

    rows = {row[0]: row for row in binding_rows({"queue_drop": "ctrl+x"})}
    assert rows["focus_queue"][1] == "ctrl+up"
    assert rows["queue_edit"][1] == "enter" and rows["queue_drop"][1] == "ctrl+x"
    assert unknown_ids({"queue_edit": "e", "queue_drop": "x", "focus_queue": "f10"}) == []
