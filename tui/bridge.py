"""The single engine-to-UI bridge: iterates a run's events and posts batched messages to the app."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from textual.message import Message

if TYPE_CHECKING:
    from engine.events import Event

FRAME_S = 1 / 60
"""Deltas are merged and posted at most once per frame, so a fast model cannot flood the UI."""


@dataclass
class StreamChunk:
    """Text of one kind merged over a frame: reply tokens, or stdout/stderr of an execution."""

    kind: str
    """'token', 'stdout' or 'stderr'."""
    text: str
    key: str
    """The message id (tokens) or exec id (output) the text belongs to."""
    count: int = 1
    """How many engine deltas were merged into this chunk."""


@dataclass
class StreamBatch(Message):
    """Streamed text that arrived during one frame, in order."""

    run_id: str
    chunks: list[StreamChunk] = field(default_factory=list)


@dataclass
class EngineEvent(Message):
    """Any engine event other than streamed text, delivered in order."""

    event: Event


@dataclass
class RunEnded(Message):
    """The run's event stream is exhausted (after RunFinished or RunFailed)."""

    run_id: str


class Target(Protocol):
    """Where a bridge posts its messages: a widget, or a run's log that passes them on (tui/runs.py)."""

    def post_message(self, message: Message) -> bool: ...


class Bridge:
    """Pumps one run's events to a target as messages; token/output deltas batched per frame."""

    def __init__(self, target: Target, frame_s: float = FRAME_S) -> None:
        self.target = target
        self.frame_s = frame_s
        self._pending: list[StreamChunk] = []
        self._last_flush = 0.0
        self._flush_handle: asyncio.TimerHandle | None = None
        self._run_id = ""
        self.posted_batches = 0

    async def pump(self, run_id: str, events: AsyncIterable[Event]) -> None:
        """Iterate the events until the run ends (the body of the app's one bridge worker)."""
        # Imported here, not at start-up: engine.events' dataclasses cost 11 ms of a launch.
        from engine.events import ExecOutput, TokenDelta

        self._run_id = run_id
        try:
            async for event in events:
                if isinstance(event, TokenDelta):
                    self._add("token", event.message_id, event.text)
                elif isinstance(event, ExecOutput):
                    self._add(event.stream, event.exec_id, event.text)
                else:
                    # Anything else must land after the text that came before it.
                    self.flush()
                    self.target.post_message(EngineEvent(event))
        finally:
            self.flush()
            self.target.post_message(RunEnded(run_id))

    def _add(self, kind: str, key: str, text: str) -> None:
        last = self._pending[-1] if self._pending else None
        if last is not None and last.kind == kind and last.key == key:
            last.text += text
            last.count += 1
        else:
            self._pending.append(StreamChunk(kind, text, key))
        now = time.monotonic()
        wait = self.frame_s - (now - self._last_flush)
        if wait <= 0:
            self.flush()
        elif self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_later(wait, self.flush)

    def flush(self) -> None:
        """Post whatever text is pending as one StreamBatch."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        self._last_flush = time.monotonic()
        if not self._pending:
            return
        chunks, self._pending = self._pending, []
        self.posted_batches += 1
        self.target.post_message(StreamBatch(self._run_id, chunks))
