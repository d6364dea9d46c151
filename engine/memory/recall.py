"""Recall: past solutions similar to a new task, put in the prompt within a token budget."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from engine.events import (
    Artifact,
    CodeExecStarted,
    Event,
    ExecFinished,
    ExecOutput,
    MemoryItem,
    MemoryUsed,
    StepFinished,
    StepStarted,
)
from engine.memory.embedder import Vectors
from engine.store.repository import new_id

if TYPE_CHECKING:
    from engine.memory.service import MemoryService
    from engine.service import RunContext

MIN_SIMILARITY = 0.55
"""Below this a past task is not similar enough to help (unrelated texts score under 0.25)."""
_CHARS_PER_TOKEN = 3.5
_HEADER = "Similar tasks solved before (check numbers, files and operations before reusing):"


def estimate_tokens(text: str) -> int:
    """A tokenizer-free, slightly pessimistic token count."""
    return int(len(text) / _CHARS_PER_TOKEN) + 1


def _clip(text: str, chars: int) -> str:
    text = text.strip()
    return text if len(text) <= chars else text[: chars - 3].rstrip() + "..."


def format_solution(task: str, answer: str, executions: Sequence[dict[str, Any]]) -> str:
    """One past solution as prompt text: the task, its last code and outcome, the answer."""
    lines = [f"### Task: {_clip(task, 300)}"]
    if executions:
        last = executions[-1]
        lines.append(f"Code ({last['language']}):\n{_clip(str(last['code']), 800)}")
        output = str(last["stdout"] or last["stderr"] or "")
        lines.append(f"Outcome: exit {last['exit_code']}; output: {_clip(output, 200) or '(none)'}")
    if answer:
        lines.append(f"Answer: {_clip(answer, 400)}")
    return "\n".join(lines)


async def recall(
    service: MemoryService, context: RunContext, vector: Vectors
) -> AsyncIterator[Event]:
    """Put the best past solutions in context.extras["memory_context"] and report them."""
    settings = service.settings
    started = time.monotonic()
    found = await service.index.knn("task", vector, settings.recall_top_k * 4,
                                    service.embedder.identity)
    budget = settings.recall_tokens - estimate_tokens(_HEADER)
    parts: list[str] = []
    items: list[MemoryItem] = []
    seen: set[str] = set()
    for doc, similarity in found:
        if similarity < MIN_SIMILARITY or len(items) >= settings.recall_top_k:
            break
        if doc.run_id is None or doc.run_id == context.run_id or doc.text in seen:
            continue
        answer, executions = await service.index.solution(doc.run_id)
        text = format_solution(doc.text, answer, executions)
        cost = estimate_tokens(text)
        if cost > budget:
            continue
        budget -= cost
        seen.add(doc.text)
        parts.append(text)
        items.append(MemoryItem(run_id=doc.run_id, task=doc.text, similarity=round(similarity, 4)))
    if not items:
        return
    context.extras["memory_context"] = "\n\n".join([_HEADER, *parts])
    step_id = new_id()
    yield StepStarted(run_id=context.run_id, step_id=step_id, kind="memory",
                      title="Recall similar past solutions", input=context.text[:200])
    yield MemoryUsed(run_id=context.run_id, step_id=step_id, items=tuple(items))
    yield StepFinished(
        run_id=context.run_id, step_id=step_id, kind="memory", status="success",
        duration_s=time.monotonic() - started,
        summary=f"{len(items)} past solution(s) offered",
        output="\n".join(f"{i.similarity:.2f}  {i.task}" for i in items),
    )


def replay_events(run_id: str, executions: Sequence[dict[str, Any]]) -> list[Event]:
    """The stored executions of a cached run, replayed (not re-run) so their output shows."""
    events: list[Event] = []
    for item in executions:
        exec_id = new_id()
        events.append(CodeExecStarted(run_id=run_id, exec_id=exec_id, language=item["language"],
                                      code=item["code"]))
        for stream in ("stdout", "stderr"):
            if item[stream]:
                events.append(ExecOutput(run_id=run_id, exec_id=exec_id, stream=stream,
                                         text=item[stream]))
        events.append(ExecFinished(
            run_id=run_id, exec_id=exec_id, exit_code=int(item["exit_code"] or 0),
            duration_s=float(item["duration_s"] or 0.0), peak_memory_bytes=item["peak_memory_bytes"],
            truncated=bool(item["truncated"]),
            artifacts=tuple(Artifact(name=a["name"], path=a["path"], size=int(a["size"]),
                                     mime=a["mime"]) for a in item["artifacts"]),
        ))
    return events
