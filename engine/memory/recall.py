"""Recall: the worked examples nearest a new task (shipped library and verified own runs)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence

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
from engine.memory.examples import ExampleLibrary
from engine.memory.index import MemoryIndex
from engine.run import CHECK_IT, RunContext, WorkedExample
from engine.store.records import ExecutionRecord
from engine.store.repository import new_id

MIN_SIMILARITY = 0.45
"""Below this a solved task is not similar enough to help (unrelated texts score under 0.25)."""
TEMPLATE_CANDIDATES = 64
"""Library examples, nearest first, tried for adaptation to a task (agent.adapt_examples). The
adaptation's own test (the same words, values of the same kinds) decides. With the 1,400-example
library, on data/dev the 8 nearest held an adaptable program for 9 of 28 tasks, the 16 nearest for
10, the 32 nearest for 12 (all answers right); with 1,573 examples the 32 nearest held 11, the 64
nearest 12 and the 128 nearest 12. Trying 64 takes about 6 ms, in a thread."""
_MAX_CODE_CHARS = 1200
_MAX_OUTPUT_CHARS = 400


def verified_example(task: str, answer: str, executions: Sequence[ExecutionRecord], run_id: str,
                     similarity: float) -> WorkedExample | None:
    """A past run as a worked example, if it is verified: its last code exited 0 and printed
    something, the answer quotes what it printed, and the engine did not doubt it (CHECK_IT: a
    similar question's program adapted to a new one would be served as the same question's)."""
    if not executions or CHECK_IT in answer:
        return None
    last = executions[-1]
    output = last.stdout.strip()
    code = last.code
    if last.exit_code != 0 or last.timed_out or last.cancelled or not output:
        return None
    if " ".join(output.split()) not in " ".join(answer.split()):
        return None
    if len(code) > _MAX_CODE_CHARS or len(output) > _MAX_OUTPUT_CHARS:
        return None
    return WorkedExample(task=task, language=last.language, code=code, output=output,
                         answer=answer.strip(), source=f"run:{run_id}", similarity=similarity)


async def choose_examples(
    context: RunContext, vector: Vectors, library: ExampleLibrary, index: MemoryIndex, embed_model: str,
) -> list[WorkedExample]:
    """The most similar library examples and (if recall is on) verified own runs, best first."""
    wanted = context.settings.agent.examples
    found: list[WorkedExample] = []
    for shipped, similarity in await asyncio.to_thread(library.nearest_sync, vector, wanted):
        if similarity >= MIN_SIMILARITY:
            found.append(WorkedExample(shipped.task, shipped.language, shipped.code, shipped.output,
                                       shipped.answer, f"library:{shipped.id}", round(similarity, 4)))
    memory = context.settings.memory
    if memory.recall_enabled and memory.recall_top_k > 0:
        own = await index.knn("task", vector, memory.recall_top_k * 4, embed_model)
        run_ids = [d.run_id for d, _ in own if d.run_id and d.run_id != context.run_id]
        wrong = await context.store.wrong_runs(run_ids)
        taken = 0
        for doc, similarity in own:
            if similarity < MIN_SIMILARITY or taken >= memory.recall_top_k:
                break
            if doc.run_id is None or doc.run_id == context.run_id or doc.run_id in wrong:
                continue
            answer, executions = await index.solution(doc.run_id)
            verified = verified_example(doc.text, answer, executions, doc.run_id, round(similarity, 4))
            if verified is not None:
                found.append(verified)
                taken += 1
    unique: dict[str, WorkedExample] = {}
    for example in sorted(found, key=lambda e: -e.similarity):
        unique.setdefault(" ".join(example.task.lower().split()), example)
    return list(unique.values())[:wanted]


async def choose_templates(
    context: RunContext, vector: Vectors, library: ExampleLibrary,
) -> list[WorkedExample]:
    """The library's examples nearest the task, nearest first, for adaptation. No similarity
    floor: adapt_program's own test (the same words) decides, and "Convert 'make it count' to title
    case." is 0.43 from its example, below MIN_SIMILARITY."""
    if not context.settings.agent.adapt_examples:
        return []
    nearest = await asyncio.to_thread(library.nearest_sync, vector, TEMPLATE_CANDIDATES)
    return [WorkedExample(shipped.task, shipped.language, shipped.code, shipped.output, shipped.answer,
                          f"library:{shipped.id}", round(similarity, 4))
            for shipped, similarity in nearest]


async def report_examples(context: RunContext, examples: Sequence[WorkedExample],
                          started: float) -> AsyncIterator[Event]:
    """The Activity pane's record of which examples the model was shown."""
    step_id = new_id()
    yield StepStarted(run_id=context.run_id, step_id=step_id, kind="memory",
                      title="Choose worked examples", input=context.text[:200])
    items = tuple(MemoryItem(run_id=e.source, task=e.task, similarity=e.similarity) for e in examples)
    yield MemoryUsed(run_id=context.run_id, step_id=step_id, items=items)
    yield StepFinished(
        run_id=context.run_id, step_id=step_id, kind="memory", status="success",
        duration_s=time.monotonic() - started, summary=f"{len(items)} worked example(s) shown",
        output="\n".join(f"{e.similarity:.2f}  {e.source}  {e.task}" for e in examples),
    )


def replay_events(run_id: str, executions: Sequence[ExecutionRecord]) -> list[Event]:
    """The stored executions of a cached run, replayed (not re-run) so their output shows."""
    events: list[Event] = []
    for item in executions:
        exec_id = new_id()
        events.append(CodeExecStarted(run_id=run_id, exec_id=exec_id, language=item.language,
                                      code=item.code))
        if item.stdout:
            events.append(ExecOutput(run_id=run_id, exec_id=exec_id, stream="stdout", text=item.stdout))
        if item.stderr:
            events.append(ExecOutput(run_id=run_id, exec_id=exec_id, stream="stderr", text=item.stderr))
        events.append(ExecFinished(
            run_id=run_id, exec_id=exec_id, exit_code=item.exit_code or 0,
            duration_s=item.duration_s or 0.0, peak_memory_bytes=item.peak_memory_bytes,
            truncated=item.truncated,
            artifacts=tuple(Artifact(name=a.name, path=a.path, size=a.size, mime=a.mime)
                            for a in item.artifacts),
        ))
    return events
