"""Two sessions at once on the real in-process model: the second waits for the model, says so, and
both are answered."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import send, started, wait_for

from engine.config import Settings, load_settings
from engine.service import Engine, SubmitOptions
from tui.app import GlassboxApp
from widgets.chat import MessageView


def _turns(app: GlassboxApp) -> list[tuple[str, str]]:
    return [(v.item.role, v.text) for v in app.dashboard.chat.log_view.query(MessageView)]


def _topbar(app: GlassboxApp) -> str:
    return str(app.dashboard.topbar.render())


async def test_two_sessions_at_once_on_the_real_model(
    tmp_path: Path, model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLASSBOX_LLM__MODEL", str(model_path))
    monkeypatch.setenv("GLASSBOX_LLM__TEMPERATURE", "0")
    # Long enough (some 10 s here) for A to still have the model when B is sent.
    monkeypatch.setenv("GLASSBOX_LLM__MAX_TOKENS", "400")
    settings = load_settings()

    async def open_engine(settings: Settings) -> Engine:
        return await Engine.open(settings, database=tmp_path / "glassbox.db", memory=False)

    # Chat mode: the test is about the model's turns, not the sandbox.
    app = GlassboxApp(settings, open_engine, submit_options=SubmitOptions(mode="chat", use_cache=False))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "Write a long essay about the history of bread.", wait=False)
        await wait_for(pilot, lambda: len(app.dashboard.chat.streaming_text) > 10, 120)
        session_a = app.dashboard.session_id
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: "1 running elsewhere" in _topbar(app))
        session_b = app.dashboard.session_id
        await send(pilot, "Name three colours.", wait=False)
        # The model is named by its path here: the top bar uses its short forms ("· Esc").
        await wait_for(pilot, lambda: "waiting for the model" in _topbar(app), 10)
        assert "Esc" in _topbar(app) and "1 running elsewhere" in _topbar(app)
        notices = [str(n.render()) for n in app.dashboard.chat.query(".notice")]
        assert any(n.startswith("Waiting for the model: “Write a long essay") for n in notices), notices

        # A ends, B gets the model and answers on screen.
        await wait_for(pilot, lambda: app.runs.count == 0, 240)
        await pilot.pause(0.2)
        assert "running elsewhere" not in _topbar(app) and "idle" in _topbar(app)
        b_turns = _turns(app)
        assert [role for role, _ in b_turns] == ["user", "assistant"] and b_turns[1][1].strip(), b_turns
        assert app.engine is not None and session_a is not None and session_b is not None
        for session_id in (session_a, session_b):
            assert [r.status for r in await app.engine.sessions.runs(session_id)] == ["completed"]
        await app.open_session(session_a)
        await pilot.pause(0.2)
        a_turns = _turns(app)
        assert [role for role, _ in a_turns] == ["user", "assistant"] and "bread" in a_turns[1][1].lower()
        await pilot.press("ctrl+q")
