"""Several runs at once: a run goes on in its session while another session is shown (and runs), its
session shows it again when opened, quitting cancels them all, and a running session is not deleted."""

from __future__ import annotations

from pathlib import Path

from glassbox_factory import FakeSandbox, make_app
from helpers import send, started, wait_for

from engine.store.repository import Store
from tui.screens.dialogs import Confirm
from tui.screens.sessions import SessionsScreen
from widgets.chat import ChatPane, MessageView

REPLY_A = " ".join(f"alpha{i}" for i in range(120)) + "."
REPLY_B = "beta reply, answered after A."


def _turns(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(v.item.role, v.text) for v in app.dashboard.chat.log_view.query(MessageView)]


def _topbar(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.dashboard.topbar.render())


def _notices(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.render()) for n in app.dashboard.chat.query(".notice")]


async def _open_in_sessions_list(pilot, title: str) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+O, type part of the title into the filter, Enter."""
    app = pilot.app
    await pilot.press("ctrl+o")
    await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen))
    await pilot.press(*title, "enter")
    await wait_for(pilot, lambda: not isinstance(app.screen, SessionsScreen))


async def test_a_run_goes_on_in_its_session_while_another_runs_and_is_shown_again(tmp_path: Path) -> None:
    app = make_app(tmp_path, [REPLY_A, REPLY_B], token_delay_s=0.04)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "tell A", wait=False)
        await wait_for(pilot, lambda: len(app.dashboard.chat.streaming_text) > 20)
        session_a = app.dashboard.session_id

        await pilot.press("ctrl+n")  # a new session while A runs: allowed, A goes on
        await wait_for(pilot, lambda: app.dashboard.session_id != session_a and app.ready.is_set())
        await pilot.pause(0.05)
        assert app.handle is None, "the new session has no run of its own"
        assert _turns(app) == [], "nothing of A is drawn into B's panes"
        assert "1 running elsewhere" in _topbar(app) and "idle" in _topbar(app)

        await send(pilot, "tell B", wait=False)  # the model is A's: B waits for it and says so
        await wait_for(pilot, lambda: "waiting for the model" in _topbar(app))
        assert "Esc cancels" in _topbar(app) and "1 running elsewhere" in _topbar(app)
        await wait_for(pilot, lambda: any(n.startswith("Waiting for the model") for n in _notices(app)))
        assert all("alpha" not in text for _role, text in _turns(app))

        await _open_in_sessions_list(pilot, "tell A")  # back to A while it still streams
        await wait_for(pilot, lambda: app.dashboard.session_id == session_a)
        assert app.handle is not None, "A is still running"
        assert "running (Esc cancels)" in _topbar(app) and "1 running elsewhere" in _topbar(app)
        await wait_for(pilot, lambda: app.handle is None, 30)
        await pilot.pause(0.1)
        assert _turns(app) == [("user", "tell A"), ("assistant", REPLY_A)], "shown once, complete"
        assert not any("Waiting" in n for n in _notices(app))

        # B got the model once A was done, and answered unseen; opened, it shows its reply.
        await wait_for(pilot, lambda: app.runs.count == 0, 30)
        assert "running elsewhere" not in _topbar(app)
        await _open_in_sessions_list(pilot, "tell B")
        await pilot.pause(0.1)
        assert _turns(app) == [("user", "tell B"), ("assistant", REPLY_B)]


async def test_switching_back_while_a_run_waits_for_the_model_then_escape_ends_it_without_a_call(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path, ["never said"], sandbox=FakeSandbox(tmp_path, hang=True))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run A", wait=False)  # code that runs until cancelled, holding the model
        await wait_for(pilot, lambda: app.dashboard.execution.running)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: "1 running elsewhere" in _topbar(app))
        session_b = app.dashboard.session_id
        await send(pilot, "tell B", wait=False)
        await wait_for(pilot, lambda: "waiting for the model" in _topbar(app))
        await _open_in_sessions_list(pilot, "run A")  # A's log is replayed: its code still runs
        await wait_for(pilot, lambda: app.dashboard.execution.running)
        assert "running (Esc cancels)" in _topbar(app)
        await _open_in_sessions_list(pilot, "tell B")  # B's log is replayed: still waiting
        await wait_for(pilot, lambda: app.dashboard.session_id == session_b)
        assert "waiting for the model (Esc cancels) · 1 running elsewhere" in _topbar(app)
        assert [n for n in _notices(app) if n.startswith("Waiting for the model")], "the notice is replayed"
        assert not app.dashboard.execution.running, "A's execution is not drawn in B"

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.handle is None, 10)
        await pilot.pause(0.05)
        assert not app.runs.running_in(session_b)
        assert any("cancelled while waiting for the model" in n for n in _notices(app))
        assert app.scripted_model.seen == [], "B never called the model"  # type: ignore[attr-defined]
        assert "idle · 1 running elsewhere" in _topbar(app), "A goes on"
        await pilot.press("ctrl+q")


async def test_quitting_cancels_the_runs_of_every_session(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["never said"], sandbox=FakeSandbox(tmp_path, hang=True))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run A", wait=False)  # code that runs until cancelled, holding the model
        await wait_for(pilot, lambda: app.dashboard.execution.running)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: "1 running elsewhere" in _topbar(app))
        await send(pilot, "tell B", wait=False)
        await wait_for(pilot, lambda: "waiting for the model" in _topbar(app))
        assert app.runs.count == 2
        await pilot.press("ctrl+q")
    store = await Store.open(tmp_path / "home" / "glassbox.db")
    try:
        runs = [run for session in await store.list_sessions() for run in await store.runs(session.id)]
    finally:
        await store.close()
    assert sorted(run.status for run in runs) == ["cancelled", "cancelled"], runs


async def test_a_session_with_a_run_going_is_not_deleted(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["never said"], sandbox=FakeSandbox(tmp_path, hang=True))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run A", wait=False)
        await wait_for(pilot, lambda: app.dashboard.execution.running)
        session_a = app.dashboard.session_id
        assert session_a is not None
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: "1 running elsewhere" in _topbar(app))
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen))
        await pilot.press(*"run A", "delete")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, Confirm), "no question: it is refused at once"
        assert any("A run is going in" in str(n.message) for n in app._notifications)
        assert app.engine is not None and await app.engine.sessions.get(session_a) is not None
        assert app.runs.running_in(session_a)
        await pilot.press("ctrl+q")



def in_view(chat: ChatPane) -> bool:
    """Whether the newest reply text is within the chat's view."""
    log, end = chat.log_view, chat._text_end()
    return end is not None and end <= log.scroll_y + log.scrollable_content_region.height


async def test_a_session_opened_again_keeps_following_its_streaming_reply(tmp_path: Path) -> None:
    # Replayed, a page of text lands in the live box at once; the layout then clamped the log's scroll
    # and the chat took that for the reader scrolling up: it stayed at the top for the rest of the
    # reply (the screen looked stale after switching back).
    long_reply = "\n\n".join(f"Paragraph {i}: " + " ".join(f"w{i}x{j}" for j in range(30)) for i in range(40))
    app = make_app(tmp_path, [long_reply, "b " * 200], token_delay_s=0.03)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await send(pilot, "tell A", wait=False)
        await wait_for(pilot, lambda: len(app.dashboard.chat.streaming_text) > 200)
        session_a = app.dashboard.session_id
        assert session_a is not None
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: app.dashboard.session_id != session_a)
        session_b = app.dashboard.session_id
        assert session_b is not None
        await send(pilot, "tell B", wait=False)
        chat, behind = app.dashboard.chat, []
        for _ in range(10):
            await pilot.pause(0.2)
            await app.open_session(session_a)
            assert app.handle is not None, "A still streams"
            # Following catches up within a few frames; when it had stopped, it never did. The
            # limit is generous because a loaded machine paints late, not because it may stop.
            try:
                await wait_for(pilot, lambda: in_view(chat), limit_s=5.0)
            except AssertionError:
                behind.append((chat._text_end(), chat.log_view.scroll_y))
            await app.open_session(session_b)
        assert behind == [], "the newest text was out of view after switching back"
        await pilot.press("ctrl+q")
