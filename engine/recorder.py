"""EventRecorder: persists every engine event to the store as it is emitted."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from engine.events import (
    CodeExecStarted,
    Event,
    ExecFinished,
    ExecOutput,
    MessageDone,
    PlanCreated,
    RunFailed,
    RunFinished,
    StepFinished,
    StepStarted,
    TokenDelta,
    UsageUpdated,
)
from engine.store.executions import OutputPiece
from engine.store.repository import Store


@dataclass
class _ExecBuffer:
    pending: list[OutputPiece] = field(default_factory=list)
    """Output not saved yet: everything before it is in the store already."""
    saved_at: float = 0.0


class EventRecorder:
    """Writes a run's events to SQLite; streamed text is flushed at most every interval."""

    def __init__(self, store: Store, session_id: str, flush_interval_s: float = 0.1) -> None:
        self.store = store
        self.session_id = session_id
        self.flush_interval_s = flush_interval_s
        self._text: dict[str, list[str]] = {}
        self._last_flush: dict[str, float] = {}
        self._execs: dict[str, _ExecBuffer] = {}

    async def record(self, event: Event) -> None:
        """Persist one event (called before the event reaches the UI)."""
        if isinstance(event, TokenDelta):
            await self._on_token(event)
        elif isinstance(event, MessageDone):
            self._text.pop(event.message_id, None)
            await self.store.update_message(
                event.message_id, event.text,
                status="incomplete" if event.incomplete else "complete", cached=event.cached,
            )
        elif isinstance(event, StepStarted) and event.step_id:
            await self.store.add_step(
                event.run_id, event.kind, step_id=event.step_id, parent_id=event.parent_step_id,
                title=event.title, status=event.status, input=event.input or None,
            )
        elif isinstance(event, StepFinished) and event.step_id:
            await self.store.finish_step(
                event.step_id, event.status, output=event.output or event.summary or None,
                strategy=event.strategy, reason=event.reason, tokens=event.tokens,
                duration_s=event.duration_s,
            )
        elif isinstance(event, PlanCreated) and event.step_id:
            # The parsed (repaired) plan replaces the planner's raw JSON, so a restart can redraw it.
            await self.store.set_step_output(
                event.step_id, {"plan": [s.to_json() for s in event.steps], "revision": event.revision}
            )
        elif isinstance(event, CodeExecStarted):
            self._execs[event.exec_id] = _ExecBuffer()
            await self.store.add_execution(
                event.exec_id, language=event.language, code=event.code, run_id=event.run_id,
                step_id=event.step_id, session_id=self.session_id,
            )
        elif isinstance(event, ExecOutput):
            await self._on_exec_output(event)
        elif isinstance(event, ExecFinished):
            await self._on_exec_finished(event)
        elif isinstance(event, UsageUpdated):
            await self.store.add_usage(
                run_id=event.run_id, step_id=event.step_id, session_id=self.session_id,
                model=event.model, prompt_tokens=event.prompt_tokens,
                completion_tokens=event.completion_tokens,
                cached_prompt_tokens=event.cached_prompt_tokens, ttft_s=event.ttft_s,
                tokens_per_s=event.tokens_per_s, duration_s=event.duration_s,
                context_used=event.context_used, context_max=event.context_max,
            )
        elif isinstance(event, RunFinished):
            await self.flush()
            await self.store.finish_run(event.run_id, event.status, reason=event.reason)
        elif isinstance(event, RunFailed):
            await self.flush()
            await self.store.finish_run(event.run_id, "failed", error=event.error)

    async def _on_token(self, event: TokenDelta) -> None:
        parts = self._text.setdefault(event.message_id, [])
        parts.append(event.text)
        now = time.monotonic()
        if now - self._last_flush.get(event.message_id, 0.0) >= self.flush_interval_s:
            self._last_flush[event.message_id] = now
            await self.store.update_message(event.message_id, "".join(parts))

    async def _on_exec_output(self, event: ExecOutput) -> None:
        # Saved as it arrives, batched like reply text: output already shown survives a crash.
        buffer = self._execs.setdefault(event.exec_id, _ExecBuffer())
        buffer.pending.append((event.stream, event.text))
        now = time.monotonic()
        if now - buffer.saved_at >= self.flush_interval_s:
            buffer.saved_at = now
            await self._save_output(event.exec_id, buffer)

    async def _save_output(self, exec_id: str, buffer: _ExecBuffer) -> None:
        # Only what arrived since the last save is written (appended as chunks): the event waits
        # as long at the end of 9 MB of output as at its start.
        pieces, buffer.pending = buffer.pending, []
        try:
            await self.store.append_execution_output(exec_id, pieces)
        except BaseException:
            buffer.pending[:0] = pieces  # the next save tries them again
            raise

    async def _on_exec_finished(self, event: ExecFinished) -> None:
        buffer = self._execs.pop(event.exec_id, _ExecBuffer())
        await self.store.finish_execution(
            event.exec_id, exit_code=event.exit_code, duration_s=event.duration_s,
            peak_memory_bytes=event.peak_memory_bytes, timed_out=event.timed_out,
            oom_killed=event.oom_killed, truncated=event.truncated, cancelled=event.cancelled,
            rest=buffer.pending,
        )
        for artifact in event.artifacts:
            await self.store.add_artifact(
                event.exec_id, name=artifact.name, path=artifact.path, size=artifact.size,
                mime=artifact.mime,
            )

    async def flush(self) -> None:
        """Write any streamed text not yet saved (messages stay marked incomplete)."""
        for message_id, parts in list(self._text.items()):
            await self.store.update_message(message_id, "".join(parts))
            self._last_flush[message_id] = time.monotonic()
        for exec_id, buffer in list(self._execs.items()):
            if buffer.pending:
                await self._save_output(exec_id, buffer)
