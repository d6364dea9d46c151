"""Typed records of the store's tables and the mapping from SQLite rows to them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# The start-up glance reads these two without the rest of this module (eleven dataclasses, 5 ms to
# import before the first frame); the store uses them from here.
from engine.store.messages import SESSIONS_SQL as SESSIONS_SQL
from engine.store.messages import MessageRecord as MessageRecord

SESSION_MESSAGES_SQL = "SELECT * FROM messages WHERE session_id=? ORDER BY created_at, rowid"
"""A session's messages in order of creation."""


def new_id() -> str:
    """A new random hex id (CLI commands accept any unique prefix)."""
    return uuid.uuid4().hex


EMPTY_PATH = ""
"""A session's stored leaf (sessions.active_leaf_id) when every turn was undone: its path is empty.
NULL there means "the newest message"."""

@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A conversation."""

    id: str
    title: str
    created_at: float
    updated_at: float
    token_budget: int | None = None
    active_leaf_id: str | None = None
    """The message the shown conversation ends at (None: the newest); see engine/store/tree.py."""


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One agent run for one user message."""

    id: str
    session_id: str
    user_message_id: str | None
    assistant_message_id: str | None
    status: str
    reason: str
    error: str | None
    model: str
    started_at: float
    finished_at: float | None
    verdict: str | None = None
    """'wrong' once the user marked the answer wrong."""


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One saved agent step with its inputs and outputs (JSON)."""

    id: str
    run_id: str
    parent_id: str | None
    seq: int
    kind: str
    status: str
    title: str
    input: Any
    output: Any
    strategy: str | None
    reason: str | None
    tokens: int
    started_at: float
    finished_at: float | None
    duration_s: float | None


@dataclass(frozen=True, slots=True)
class UsageTotals:
    """Summed usage over some scope."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    compute_s: float = 0.0
    calls: int = 0


@dataclass(frozen=True, slots=True)
class RunSummary:
    """A run as `glassbox runs list` shows it: the run, its task, how many steps and tokens."""

    run: RunRecord
    task: str
    steps: int
    tokens: int


@dataclass(frozen=True, slots=True)
class UsageRecord:
    """One model call's cost: tokens, speed and context fill."""

    id: int
    run_id: str | None
    step_id: str | None
    session_id: str | None
    model: str
    prompt_tokens: int
    completion_tokens: int
    cached_prompt_tokens: int
    ttft_s: float | None
    tokens_per_s: float | None
    duration_s: float | None
    context_used: int | None
    context_max: int | None
    created_at: float


@dataclass(frozen=True, slots=True)
class ArtifactRecord:
    """A file an execution left in /workspace/out, copied to the data directory."""

    id: str
    execution_id: str
    name: str
    path: str
    size: int
    mime: str
    created_at: float


@dataclass(frozen=True, slots=True)
class ExecutionRecord:
    """One run of code in the sandbox: the code, what it printed and how it ended."""

    id: str
    run_id: str | None
    step_id: str | None
    session_id: str | None
    language: str
    code: str
    stdout: str
    stderr: str
    exit_code: int | None
    duration_s: float | None
    peak_memory_bytes: int | None
    timed_out: bool
    oom_killed: bool
    truncated: bool
    cancelled: bool
    limits: str | None
    started_at: float
    finished_at: float | None
    artifacts: tuple[ArtifactRecord, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields, artifacts as a list of objects."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "artifacts"}
        data["artifacts"] = [{n: getattr(a, n) for n in a.__dataclass_fields__} for a in self.artifacts]
        return data


def row_to(cls: type[Any], row: Any) -> Any:
    data = dict(row)
    if cls is MessageRecord:
        data["cached"] = bool(data["cached"])
    if cls is ExecutionRecord:
        for flag in ("timed_out", "oom_killed", "truncated", "cancelled"):
            data[flag] = bool(data[flag])
    if cls is StepRecord:
        data["input"] = json.loads(data["input"]) if data["input"] else None
        data["output"] = json.loads(data["output"]) if data["output"] else None
    names = cls.__dataclass_fields__
    return cls(**{k: v for k, v in data.items() if k in names})


def branch(messages: Iterable[MessageRecord], leaf_id: str | None = None) -> list[MessageRecord]:
    """The conversation ending at `leaf_id` (default: the newest message), oldest first."""
    every = {m.id: m for m in messages}
    if not every:
        return []
    leaf = every.get(leaf_id) if leaf_id else max(every.values(), key=lambda m: m.created_at)
    chain: list[MessageRecord] = []
    seen: set[str] = set()
    while leaf is not None and leaf.id not in seen:
        seen.add(leaf.id)
        chain.append(leaf)
        leaf = every.get(leaf.parent_id) if leaf.parent_id else None
    return list(reversed(chain))
