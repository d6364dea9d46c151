"""End to end: the real SmolLM2-135M model and the real Docker sandbox, greedy sampling."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import load_settings
from engine.events import (
    CodeExecStarted,
    ExecFinished,
    ExecOutput,
    MessageDone,
    RunFinished,
    StepFinished,
    StepStarted,
)
from engine.service import Engine, SubmitOptions
from tests.conftest import require
from tests.fakes import docker_ready

pytestmark = [pytest.mark.model, pytest.mark.docker, pytest.mark.slow]


async def test_agent_runs_code_and_the_file_matches_the_events(
    gb_home: Path, model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLASSBOX_LLM__MODEL", str(model_path))
    monkeypatch.setenv("GLASSBOX_LLM__TEMPERATURE", "0")
    settings = load_settings()
    require(docker_ready(settings.sandbox.image),
            f"Docker with the {settings.sandbox.image} image (run `glassbox sandbox build`)")
    engine = await Engine.open(settings, memory=False)
    try:
        session = await engine.new_session()
        events = await engine.submit(session.id, "Multiply 17 by 23.", SubmitOptions(mode="agent")).wait()
        end = events[-1]
        assert isinstance(end, RunFinished), end
        assert end.status == "completed", end
        started = [e for e in events if isinstance(e, CodeExecStarted)]
        finished = [e for e in events if isinstance(e, ExecFinished)]
        assert started and len(started) == len(finished)
        printed = "".join(e.text for e in events if isinstance(e, ExecOutput) and e.stream == "stdout")
        assert "391" in printed
        message = next(e for e in events if isinstance(e, MessageDone))
        assert "391" in message.text and not message.incomplete

        # The file holds the same steps and executions the events announced.
        stored = await engine.store.steps(end.run_id)
        step_events = [e for e in events if isinstance(e, StepFinished)]
        assert [(s.id, s.kind, s.status, s.parent_id) for s in stored] == [
            (e.step_id, e.kind, e.status, e.parent_step_id) for e in step_events]
        inputs = {e.step_id: e.input for e in events if isinstance(e, StepStarted)}
        for record in stored:
            assert (record.input or "") == inputs[record.id]
        executions = await engine.store.executions(end.run_id)
        assert [x.id for x in executions] == [e.exec_id for e in started]
        assert [x.exit_code for x in executions] == [e.exit_code for e in finished]
        assert "391" in "".join(x.stdout for x in executions)
        reply = (await engine.history(session.id))[-1]
        assert reply.role == "assistant" and reply.content == message.text and reply.status == "complete"
    finally:
        await engine.close()


async def test_agent_answers_a_plain_question_without_code(
    gb_home: Path, model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLASSBOX_LLM__MODEL", str(model_path))
    monkeypatch.setenv("GLASSBOX_LLM__TEMPERATURE", "0")
    engine = await Engine.open(load_settings(), memory=False)
    try:
        session = await engine.new_session()
        events = await engine.submit(
            session.id, "What is the capital of France?", SubmitOptions(mode="agent")).wait()
        end = events[-1]
        assert isinstance(end, RunFinished) and end.status == "completed"
        assert not any(isinstance(e, CodeExecStarted) for e in events)
        assert "Paris" in next(e for e in events if isinstance(e, MessageDone)).text
    finally:
        await engine.close()
