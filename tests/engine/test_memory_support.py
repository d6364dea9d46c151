"""Shared helpers for the memory, cache, search and maintenance tests (no tests here)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from engine.config import Settings, load_settings
from engine.events import (
    Artifact,
    CodeExecStarted,
    Event,
    ExecFinished,
    ExecOutput,
    MessageDone,
    RunFinished,
    TokenDelta,
)
from engine.run import RunContext, SubmitOptions
from engine.service import Engine
from engine.store.repository import new_id

AnswerFn = Callable[[RunContext], AsyncIterator[Event]]


def model_answers() -> Settings:
    """Settings under which the scripted model answers every task: the library's programs ("1 to 10"
    is range(1, 11)) would answer these seeds by running code, and memory is what is tested."""
    settings = load_settings()
    settings.agent.code_first = False
    settings.agent.adapt_examples = False
    return settings


async def ask(engine: Engine, session_id: str, text: str, **options: Any) -> list[Event]:
    """Submit one message and collect its events."""
    return await engine.submit(session_id, text, SubmitOptions(**options)).wait()


def types(events: list[Event]) -> list[str]:
    """Event type names in order."""
    return [e.type for e in events]


def agent_answer(
    code: str, stdout: str, answer: str, *, status: str = "completed", incomplete: bool = False,
    artifacts: tuple[Artifact, ...] = (), seen: list[RunContext] | None = None,
) -> AnswerFn:
    """An answer function standing in for the agent loop: one execution, then the reply."""

    async def run(context: RunContext) -> AsyncIterator[Event]:
        if seen is not None:
            seen.append(context)
        exec_id = new_id()
        yield CodeExecStarted(run_id=context.run_id, exec_id=exec_id, language="python", code=code)
        yield ExecOutput(run_id=context.run_id, exec_id=exec_id, stream="stdout", text=stdout)
        yield ExecFinished(run_id=context.run_id, exec_id=exec_id, exit_code=0, duration_s=0.2,
                           artifacts=artifacts)
        message_id = context.assistant_message_id
        yield TokenDelta(run_id=context.run_id, message_id=message_id, text=answer)
        yield MessageDone(run_id=context.run_id, message_id=message_id, text=answer,
                          incomplete=incomplete)
        yield RunFinished(run_id=context.run_id, status=status,  # type: ignore[arg-type]
                          final_message_id=message_id)

    return run


async def count(engine: Engine, table: str, where: str = "1", params: tuple[Any, ...] = ()) -> int:
    """Rows of a table."""
    row = await engine.store.fetchone(f"SELECT COUNT(*) FROM {table} WHERE {where}", params)
    return int(row[0])
