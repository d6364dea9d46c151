"""Pilot tests of the dashboard's main flows: send, stream, cancel, sessions, approval, steps."""

from __future__ import annotations

from pathlib import Path

from glassbox_factory import FakeSandbox, make_app
from helpers import send, started, wait_for
from textual.widgets import Tabs

from engine.errors import SandboxError
from tui.screens.dialogs import Confirm
from tui.screens.help import HelpScreen
from tui.screens.search import SearchScreen
from tui.screens.sessions import SessionsScreen
from tui.screens.step_detail import StepDetailScreen
from widgets.chat import MessageView

LONG = " ".join(f"word{i}" for i in range(400))


def _messages(app) -> list[MessageView]:  # type: ignore[no-untyped-def]
    return list(app.dashboard.chat.log_view.query(MessageView))


async def test_send_streams_markdown_reply(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["Hello **there**.\n\n```python\nprint(1)\n```"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "hi")
        views = _messages(app)
        assert [v.item.role for v in views] == ["user", "assistant"]
        assert "print(1)" in app.dashboard.chat.query_one("#" + views[1].id).query_one("Markdown").source
        assert app.dashboard.cost.turn.completion_tokens > 0
        assert app.dashboard.cost.context[1] == 4096


async def test_stream_is_batched_per_frame(tmp_path: Path) -> None:
    app = make_app(tmp_path, [LONG], token_delay_s=0.001)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "long please")
        assert app.bridge is not None
        assert app.bridge.posted_batches < 400 / 2
        assert "word399" in app.dashboard.chat.query(MessageView).last().text


async def test_escape_cancels_run_and_marks_reply_incomplete(tmp_path: Path) -> None:
    app = make_app(tmp_path, [LONG], token_delay_s=0.01)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "go", wait=False)
        await wait_for(pilot, lambda: len(app.dashboard.chat.streaming_text) > 10)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.handle is None)
        await pilot.pause(0.05)
        reply = _messages(app)[-1]
        assert reply.has_class("-incomplete")
        assert "word399" not in reply.text
        notices = [str(n.render()) for n in app.dashboard.chat.query(".notice")]
        assert any("cancelled" in n for n in notices)


async def test_prompt_history_recall(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["one", "two"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "first prompt")
        await send(pilot, "second prompt")
        prompt = app.dashboard.chat.prompt
        prompt.focus()
        await pilot.press("up")
        assert prompt.text == "second prompt"
        await pilot.press("up")
        assert prompt.text == "first prompt"
        await pilot.press("down", "down")
        assert prompt.text == ""


async def test_shift_enter_and_ctrl_j_add_lines(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await pilot.press("a", "ctrl+j", "b")
        assert app.dashboard.chat.prompt.text == "a\nb"
        assert app.handle is None


async def test_switch_session(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["first answer", "second answer"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "question in A")
        first = app.dashboard.session_id
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: app.dashboard.session_id != first)
        assert _messages(app) == []
        await send(pilot, "question in B")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.dashboard.session_id == first)
        await pilot.pause(0.05)
        assert _messages(app)[0].item.text == "question in A"


async def test_a_new_session_does_not_show_the_last_sessions_execution(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["Done."], approval="auto")
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run the factorials")
        await wait_for(pilot, lambda: app.handle is None)
        execution = app.dashboard.execution
        status = execution.query_one("#exec-status")
        assert execution.code and "exit 0" in str(status.render())
        first = app.dashboard.session_id
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: app.dashboard.session_id != first)
        await pilot.pause(0.05)
        assert execution.code == "" and execution.output.render_line(0).text.strip() == "No code has run yet."
        assert str(status.render()) == ""


async def test_approve_action_runs_code(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["Done: 0, 1, 2."], approval="ask")
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run the factorials", wait=False)
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.handle is None)
        await pilot.pause(0.05)
        assert app.fake_sandbox.calls  # type: ignore[attr-defined]
        status = str(app.dashboard.execution.query_one("#exec-status").render())
        assert "exit 0" in status and "peak 12.0 MiB" in status


async def test_decline_action_skips_code(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["I did not run it."], approval="ask")
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run the factorials", wait=False)
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.handle is None)
        assert app.fake_sandbox.calls == []  # type: ignore[attr-defined]
        assert any(s.status == "skipped" for s in app.dashboard.activity.steps.values())


async def test_open_step_detail(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["Done."])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run the factorials")
        await pilot.press("f4")
        tree = app.dashboard.activity.step_tree
        await wait_for(pilot, lambda: tree.has_focus)
        code_node = next(n for n in app.dashboard.activity._step_nodes.values()
                         if n.data is not None and n.data.kind == "code")
        tree.move_cursor(code_node)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, StepDetailScreen))
        assert app.screen.step.kind == "code"  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, StepDetailScreen))


async def test_kill_running_execution(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["unused"], sandbox=FakeSandbox(tmp_path, hang=True))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run forever", wait=False)
        await wait_for(pilot, lambda: app.dashboard.execution.running)
        await pilot.press("f8")
        await wait_for(pilot, lambda: app.handle is None)
        await pilot.pause(0.05)
        status = str(app.dashboard.execution.query_one("#exec-status").render())
        assert "killed: cancelled" in status


async def test_missing_model_shows_notice_and_app_survives(tmp_path: Path) -> None:
    app = make_app(tmp_path, model_error="The model 'smollm2' is not downloaded. Run glassbox models pull.")
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "hello")
        notices = [str(n.render()) for n in app.dashboard.chat.query(".notice.-error")]
        assert any("not downloaded" in n for n in notices)
        await pilot.press("ctrl+n")  # still responsive
        await pilot.pause(0.1)
        assert app.is_running


async def test_docker_down_shows_notice_in_execution_pane(tmp_path: Path) -> None:
    down = FakeSandbox(tmp_path, error=SandboxError("Docker is not running.", hint="Start Docker."))
    app = make_app(tmp_path, ["unused"], sandbox=down)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run something")
        status = str(app.dashboard.execution.query_one("#exec-status").render())
        assert "Docker is not running" in status


async def test_restart_shows_last_session(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["remembered answer"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "remember me")
        await pilot.press("ctrl+q")
    again = make_app(tmp_path, ["x"])
    async with again.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        texts = [v.item.text for v in _messages(again)]
        assert texts == ["remember me", "remembered answer"]


async def test_budget_set_and_enforced(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["first", "second"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "spend some tokens")
        await pilot.press("ctrl+b")
        await pilot.pause(0.1)
        await pilot.press("ctrl+a", "ctrl+k", "1", "0", "enter")
        await wait_for(pilot, lambda: app.dashboard.cost.budget is not None)
        assert app.dashboard.cost.budget is not None and app.dashboard.cost.budget.left == 0
        await send(pilot, "more please")
        notices = [str(n.render()) for n in app.dashboard.chat.query(".notice.-error")]
        assert any("budget" in n for n in notices)


async def test_search_opens_session_at_message(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["zebra facts", "other"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "tell me about zebras")
        first = app.dashboard.session_id
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: app.dashboard.session_id != first)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"zebra", "enter")
        await pilot.pause(0.1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.dashboard.session_id == first)
        await pilot.pause(0.1)
        assert app.dashboard.chat.query(".-highlight")


async def test_help_lists_bindings_and_keymap_remaps(tmp_path: Path) -> None:
    config = tmp_path / "home" / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[ui]\nkeymap = { help = "f9" }\n')
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = app.screen._rows  # type: ignore[attr-defined]
        assert ("help", "f9", "List every key binding") in rows
        assert {r[0] for r in rows} >= {"cancel_run", "kill_exec", "maximize", "sessions", "search"}


async def test_settings_screen_writes_toml(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        field = app.screen.query_one("#set-llm--temperature")
        field.value = "0.7"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        text = (tmp_path / "home" / "config" / "config.toml").read_text()
        assert "temperature = 0.7" in text
        assert app.settings.llm.temperature == 0.7


async def test_small_terminal_uses_tabs_and_maximise(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = app.dashboard
        assert screen.compact and screen.query_one("#pane-tabs").display
        await pilot.press("f3")
        await pilot.pause(0.05)
        assert screen.execution.display and not screen.chat.display
        await pilot.press("ctrl+g")
        assert screen.maximized is screen.execution
        await pilot.press("ctrl+g")
        assert screen.maximized is None


async def test_a_wide_start_gets_its_tabs_when_the_terminal_shrinks(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        screen = app.dashboard
        assert not screen.query("#pane-tabs"), "no tab bar is made for the grid"
        await pilot.press("f4")
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.1)
        tabs = screen.query_one("#pane-tabs", Tabs)
        assert screen.compact and tabs.display and tabs.active == "tab-activity"
        assert screen.activity.display and not screen.chat.display
        await pilot.press("f2")
        await pilot.pause(0.05)
        assert tabs.active == "tab-chat" and screen.chat.display and not screen.activity.display
        await pilot.resize_terminal(160, 48)
        await pilot.pause(0.1)
        assert not screen.compact and not tabs.display and screen.activity.display


async def test_theme_toggle(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-dark"


async def test_f7_marks_wrong_while_typing_in_the_prompt(tmp_path: Path) -> None:
    # The prompt's TextArea binds F7 to "select all"; the dashboard key must win (priority binding).
    app = make_app(tmp_path, ["The answer is 12."])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "what is 5 + 7?")
        prompt = app.dashboard.chat.prompt
        prompt.focus()
        await pilot.press("a", "b")
        await pilot.press("f7")
        assert app.engine is not None
        for _ in range(100):
            row = await app.engine.store.fetchone("SELECT verdict FROM runs ORDER BY started_at DESC LIMIT 1")
            if row is not None and row[0] == "wrong":
                break
            await pilot.pause(0.05)
        assert row is not None and row[0] == "wrong"
        assert prompt.text == "ab"  # nothing was selected and replaced
