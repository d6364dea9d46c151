"""Frozen dataclass events the engine emits; the only engine types the UI consumes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

StepKind = Literal["think", "plan", "code", "tool", "observe", "retry", "answer", "validate", "memory"]
StepStatus = Literal["pending", "running", "success", "failure", "retry", "skipped"]
RunStatus = Literal["completed", "cancelled", "budget", "failed", "interrupted"]
Stream = Literal["stdout", "stderr"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every engine event. `type` is the stable name used in JSON lines."""

    type: ClassVar[str] = "event"
    run_id: str
    step_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with a leading `type` field."""
        payload: dict[str, Any] = {"type": self.type}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = [v.to_json() if hasattr(v, "to_json") else v for v in value]
            payload[f.name] = value
        return payload


# --- run lifecycle -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RunStarted(Event):
    """A run began for a user message; the assistant reply will be `assistant_message_id`."""

    type: ClassVar[str] = "run_started"
    session_id: str
    user_message_id: str
    assistant_message_id: str
    model: str
    text: str = ""
    """The user's message as sent."""
    user_siblings: int = 1
    """How many prompts share the user message's parent (it is the newest): 2+ after an edit."""
    reply_siblings: int = 1
    """How many replies the user message has, this one (the newest) included: 2+ after a regenerate."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenDelta(Event):
    """A piece of streamed assistant text (one or more tokens)."""

    type: ClassVar[str] = "token"
    message_id: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageDone(Event):
    """The assistant message is complete (or ended early: `incomplete`)."""

    type: ClassVar[str] = "message_done"
    message_id: str
    text: str
    incomplete: bool = False
    cached: bool = False
    reason: str = ""
    """Why the message is incomplete (the token limit, a cancel, a lost server), if it is."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UsageUpdated(Event):
    """Token accounting for one model call, measured by the engine."""

    type: ClassVar[str] = "usage"
    prompt_tokens: int
    completion_tokens: int
    ttft_s: float
    tokens_per_s: float
    context_used: int
    context_max: int
    cached_prompt_tokens: int = 0
    duration_s: float = 0.0
    model: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice(Event):
    """Something the user should see that is not an error (e.g. old turns dropped)."""

    type: ClassVar[str] = "notice"
    level: Literal["info", "warning", "error"] = "info"
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFinished(Event):
    """The run ended without an error; `status` says how (completed, cancelled, budget)."""

    type: ClassVar[str] = "run_finished"
    status: RunStatus = "completed"
    reason: str = ""
    final_message_id: str | None = None
    duration_s: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFailed(Event):
    """The run ended on an error; `error` is a user-facing sentence."""

    type: ClassVar[str] = "run_failed"
    error: str
    error_kind: str = "error"


# --- agent steps -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class StepStarted(Event):
    """An agent step began. `step_id` is set; `parent_step_id` nests it under a plan step."""

    type: ClassVar[str] = "step_started"
    parent_step_id: str | None = None
    kind: StepKind
    title: str = ""
    status: StepStatus = "running"
    input: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class StepFinished(Event):
    """An agent step ended, with its outcome, cost and (for recovery) the chosen strategy."""

    type: ClassVar[str] = "step_finished"
    parent_step_id: str | None = None
    kind: StepKind
    status: StepStatus
    duration_s: float = 0.0
    tokens: int = 0
    summary: str = ""
    strategy: str | None = None
    reason: str | None = None
    output: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanStep:
    """One step of a plan, as the planner produced it."""

    id: str
    title: str
    role: str
    depends_on: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"id": self.id, "title": self.title, "role": self.role,
                "depends_on": list(self.depends_on)}


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanCreated(Event):
    """The planner produced (or revised) a plan for a multi-part task."""

    type: ClassVar[str] = "plan"
    steps: tuple[PlanStep, ...]
    revision: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ApprovalRequested(Event):
    """In `ask` mode, an action waits for the user's yes or no."""

    type: ClassVar[str] = "approval_requested"
    language: str
    code: str


# --- sandbox executions ------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeExecStarted(Event):
    """Code started running in the sandbox."""

    type: ClassVar[str] = "exec_started"
    exec_id: str
    language: str
    code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecOutput(Event):
    """A chunk of live output from a running execution."""

    type: ClassVar[str] = "exec_output"
    exec_id: str
    stream: Stream
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Artifact:
    """A file the code wrote to /workspace/out, copied to the host."""

    name: str
    path: str
    size: int
    mime: str = "application/octet-stream"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"name": self.name, "path": self.path, "size": self.size, "mime": self.mime}


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecFinished(Event):
    """An execution ended: exit code, duration, peak memory and why it was killed, if it was."""

    type: ClassVar[str] = "exec_finished"
    exec_id: str
    exit_code: int
    duration_s: float
    peak_memory_bytes: int | None = None
    timed_out: bool = False
    oom_killed: bool = False
    truncated: bool = False
    cancelled: bool = False
    artifacts: tuple[Artifact, ...] = field(default_factory=tuple)


# --- memory and cache --------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CacheHit(Event):
    """The answer was replayed from a past run whose task and context match."""

    type: ClassVar[str] = "cache_hit"
    source_run_id: str
    source_session_id: str
    similarity: float
    matched_task: str = ""
    """The earlier task whose answer is replayed (shown, so the user can judge the match)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MemoryItem:
    """A past solution offered to the model as context."""

    run_id: str
    task: str
    similarity: float

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"run_id": self.run_id, "task": self.task, "similarity": self.similarity}


@dataclass(frozen=True, slots=True, kw_only=True)
class MemoryUsed(Event):
    """The worked examples chosen for this run: a library program among them that fits the task runs
    as it is; otherwise they go into the prompt."""

    type: ClassVar[str] = "memory_used"
    items: tuple[MemoryItem, ...]


ALL_EVENT_TYPES: tuple[type[Event], ...] = (
    RunStarted, TokenDelta, MessageDone, UsageUpdated, Notice, RunFinished, RunFailed,
    StepStarted, StepFinished, PlanCreated, ApprovalRequested,
    CodeExecStarted, ExecOutput, ExecFinished, CacheHit, MemoryUsed,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SandboxRestored(Event):
    """The session's idle container had been retired; its /workspace files were put back into
    a fresh one before this execution, but variables from earlier runs are gone."""

    type: ClassVar[str] = "sandbox_restored"
    session_id: str
    exec_id: str
    files: int
    bytes: int
    reason: str = ""
    """Why the old container was retired: idle, the live-container cap, or '' if unknown."""
    saved: bool = True
    """False when the files could not be saved at retirement (nothing was restored)."""


# Appended rather than edited into the tuple above, so concurrent edits there do not collide.
ALL_EVENT_TYPES = (*ALL_EVENT_TYPES, SandboxRestored)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileAttached(Event):
    """A file the prompt named with @path was copied into the session's /workspace."""

    type: ClassVar[str] = "file_attached"
    name: str
    """Its name in /workspace."""
    source: str
    """The file on the host."""
    path: str
    """Where the code sees it, e.g. /workspace/data.csv."""
    size: int


ALL_EVENT_TYPES = (*ALL_EVENT_TYPES, FileAttached)


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelWait(Event):
    """The run waits for the model another run is using (`waiting`), or got it after waiting. Only an
    in-process model makes runs wait: it answers one run at a time."""

    type: ClassVar[str] = "model_wait"
    waiting: bool
    holder: str = ""
    """What the run using the model is (the session's title), while waiting."""
    waited_s: float = 0.0
    """How long the run waited, once it got the model."""


ALL_EVENT_TYPES = (*ALL_EVENT_TYPES, ModelWait)
