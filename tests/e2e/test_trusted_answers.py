"""Answers you can trust, end to end: the real default model and the real Docker sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import Settings, load_settings
from engine.events import (
    CodeExecStarted,
    ExecOutput,
    MemoryUsed,
    MessageDone,
    RunFinished,
    StepFinished,
    StepStarted,
)
from engine.service import Engine, SubmitOptions
from tests.conftest import require
from tests.fakes import docker_ready

pytestmark = [pytest.mark.model, pytest.mark.slow]
BIG = str(2**100)  # 31 digits: a small model that re-types it gets it wrong


def real_settings(model_path: Path, monkeypatch: pytest.MonkeyPatch, **agent: object) -> Settings:
    monkeypatch.setenv("GLASSBOX_LLM__MODEL", str(model_path))
    monkeypatch.setenv("GLASSBOX_LLM__TEMPERATURE", "0")
    for name, value in agent.items():
        monkeypatch.setenv(f"GLASSBOX_AGENT__{name.upper()}", str(value))
    return load_settings()


def printed(events: list[object]) -> str:
    return "".join(e.text for e in events if isinstance(e, ExecOutput) and e.stream == "stdout")


@pytest.mark.docker
async def test_a_printed_31_digit_value_reaches_the_answer_exactly(
    gb_home: Path, model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The model's own program: arith-001 asks this very task, and adapting it would not call the model;
    # "What is 2 to the power of 100?" would be worked out as written (written_arithmetic), without it.
    settings = real_settings(model_path, monkeypatch, adapt_examples="false")
    require(docker_ready(settings.sandbox.image), "Docker with the sandbox image (`glassbox sandbox build`)")
    engine = await Engine.open(settings)
    try:
        session = await engine.new_session()
        events = await engine.submit(session.id, "Raise 2 to the power of 100.",
                                     SubmitOptions(mode="agent")).wait()
        end = events[-1]
        assert isinstance(end, RunFinished) and end.status == "completed", end
        # The worked examples chosen for the task are shown in the Activity pane's record.
        used = next(e for e in events if isinstance(e, MemoryUsed))
        assert used.items and all(i.run_id.startswith("library:") for i in used.items)
        output = printed(events).strip()
        answer = next(e for e in events if isinstance(e, MessageDone)).text
        assert output and output in answer  # whatever the code printed, the answer quotes it exactly
        assert BIG in answer
        assert not any(isinstance(e, StepStarted) and e.title.startswith("Adapt") for e in events)

        # A task that brings its own code runs that code as given: no plan, no model-written code.
        events = await engine.submit(
            session.id, "Run this Python code exactly:\n```python\nprint(2**100)\n```",
            SubmitOptions(mode="agent")).wait()
        runs = [e for e in events if isinstance(e, CodeExecStarted)]
        assert len(runs) == 1 and runs[0].code.strip() == "print(2**100)"
        assert next(e for e in events if isinstance(e, MessageDone)).text.strip() == BIG
        assert not any(isinstance(e, StepFinished) and e.kind == "plan" for e in events)
        # No model sees the task, so no worked examples are chosen for one.
        assert not any(isinstance(e, MemoryUsed) for e in events)

        # An inline command, in a task that names the shell, runs as given too.
        events = await engine.submit(
            session.id, "Using bash, what is the output of: echo $((21 * 3 - 5))?",
            SubmitOptions(mode="agent")).wait()
        runs = [e for e in events if isinstance(e, CodeExecStarted)]
        assert [(r.language, r.code.strip()) for r in runs] == [("bash", "echo $((21 * 3 - 5))")]
        assert next(e for e in events if isinstance(e, MessageDone)).text.strip() == "58"

        # Unquoted, with the count asked for: piped to wc, run in the sandbox, no model call.
        events = await engine.submit(
            session.id, "In the shell, how many lines does seq 10 40 | grep 3 print?",
            SubmitOptions(mode="agent")).wait()
        runs = [e for e in events if isinstance(e, CodeExecStarted)]
        assert [(r.language, r.code.strip()) for r in runs] == [("bash", "seq 10 40 | grep 3 | wc -l")]
        titles = [e.title for e in events if isinstance(e, StepStarted) and e.kind == "code"]
        assert titles == ["Run the given bash code, piped to wc to count its lines"]
        assert next(e for e in events if isinstance(e, MessageDone)).text.strip() == "12"
    finally:
        await engine.close()


@pytest.mark.docker
async def test_candidate_programs_vote(
    gb_home: Path, model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = real_settings(model_path, monkeypatch, candidates=3)
    require(docker_ready(settings.sandbox.image), "Docker with the sandbox image (`glassbox sandbox build`)")
    engine = await Engine.open(settings, memory=False)
    try:
        session = await engine.new_session()
        events = await engine.submit(session.id, "Multiply 17 by 23.", SubmitOptions(mode="agent")).wait()
        vote = [e for e in events if isinstance(e, StepFinished) and e.kind == "validate"]
        assert len(vote) == 1 and vote[0].status == "success", vote
        candidates = [e for e in events if isinstance(e, CodeExecStarted)]
        assert 1 <= len(candidates) <= 3
        answer = next(e for e in events if isinstance(e, MessageDone)).text
        assert "391" in answer and ("agree" in answer or "1 program ran" in answer)
    finally:
        await engine.close()


async def test_docker_down_stops_after_the_first_refusal(
    gb_home: Path, model_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A Docker endpoint nobody listens on: a socket path that does not exist.
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-docker.sock'}")
    settings = real_settings(model_path, monkeypatch)
    engine = await Engine.open(settings, memory=False)
    try:
        session = await engine.new_session()
        events = await engine.submit(session.id, "Multiply 17 by 23.", SubmitOptions(mode="agent")).wait()
        end = events[-1]
        assert isinstance(end, RunFinished) and end.status == "completed", end
        code_steps = [e for e in events if isinstance(e, StepFinished) and e.kind in ("code", "retry")]
        assert len(code_steps) <= 1  # one refusal, then an answer in words
        answer = next(e for e in events if isinstance(e, MessageDone)).text
        assert "glassbox sandbox build" in answer and "Docker" in answer
    finally:
        await engine.close()
