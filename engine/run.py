"""The run's data types: what a turn is asked to do and the capabilities it is given."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.attachments import Attachment
from engine.cancel import CancelToken
from engine.config import Settings
from engine.events import ApprovalRequested, Event
from engine.llm.base import ChatMessage, ChatModel, SamplingParams
from engine.mcp.manager import McpManager
from engine.sandbox.base import CodeRunner
from engine.store.repository import Store

Approver = Callable[[ApprovalRequested], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class SubmitOptions:
    """How to handle one user message."""

    mode: Literal["auto", "chat", "agent"] = "auto"
    """chat: reply only; agent: may run code and tools; auto: agent when one is available."""
    use_cache: bool = True
    """Allow a semantic-cache hit to answer (False bypasses and refreshes the cache)."""
    plan: Literal["auto", "always", "never"] | None = None
    """Override agent.plan_mode for this message."""
    approval: Literal["auto", "ask", "never"] | None = None
    """Override agent.approval for this message."""
    approver: Approver | None = None
    """Asked yes/no for each action in `ask` mode; without one, `ask` declines."""
    parent_id: str | None = None
    """Message to branch from; default: the end of the session's active path (its newest message
    unless the user moved to another branch)."""
    continue_message_id: str | None = None
    """An incomplete assistant reply to continue instead of answering a new message."""
    attachments: tuple[Attachment, ...] = ()
    """Host files to copy into the session's /workspace first (`@path` in the prompt)."""
    edit_of: str | None = None
    """A user message this one replaces: sent with the same parent, as a new branch (its sibling)."""
    regenerate_of: str | None = None
    """A user message to answer again: the new reply is a sibling of the earlier ones."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result; opening it shows `session_id` at `message_id`."""

    session_id: str
    message_id: str | None
    run_id: str | None
    kind: str
    text: str
    score: float


CHECK_IT = "check it"
"""Words an answer carries when the engine itself doubts it (a split vote, a similar question's
program): the user is asked to check it, and such a run never becomes a worked example."""


@dataclass(frozen=True, slots=True)
class WorkedExample:
    """A solved task shown to the model as earlier turns: task, code, observation, answer."""

    task: str
    language: str
    code: str
    output: str
    answer: str
    source: str
    """Where it came from: `library:<id>` or `run:<run_id>`."""
    similarity: float = 0.0


SandboxProvider = Callable[[], Awaitable[CodeRunner]]
"""Starts (once) and returns the code runner; raises SandboxError when Docker is not usable."""
SearchFn = Callable[[str, int], Awaitable[list[SearchHit]]]
"""Searches every session for a text, best hits first."""


def sampling_from(settings: Settings, **overrides: Any) -> SamplingParams:
    """Sampling parameters from the llm settings, with per-call overrides."""
    llm = settings.llm
    values: dict[str, Any] = dict(
        temperature=llm.temperature, top_p=llm.top_p, top_k=llm.top_k,
        repeat_penalty=llm.repeat_penalty, max_tokens=llm.max_tokens, seed=llm.seed,
    )
    values.update(overrides)
    return SamplingParams(**values)


@dataclass(frozen=True, slots=True)
class RunContext:
    """One turn and the capabilities it may use (never the whole Engine)."""

    run_id: str
    session_id: str
    user_message_id: str
    assistant_message_id: str
    text: str
    """The user's message as typed."""
    history: list[ChatMessage]
    """The conversation up to and including the user's message."""
    options: SubmitOptions
    cancel: CancelToken
    model: ChatModel
    settings: Settings
    store: Store
    sandbox: SandboxProvider
    search: SearchFn
    examples: tuple[WorkedExample, ...] = ()
    """Worked examples chosen for this task (set by the recall stage)."""
    templates: tuple[WorkedExample, ...] = ()
    """Library examples near the task, nearest first, whose program may be adapted to it by
    substituting its values (agent.adapt_examples; set by the recall stage)."""
    templates_apart: tuple[WorkedExample, ...] = ()
    """When the task asks for rounding: the library examples nearest its question without that
    request, with their similarity to it (adaptation reads the request apart; set by recall)."""
    role_models: Mapping[str, ChatModel] = field(default_factory=dict)
    """A plan role's own model, by role name (default: `model`)."""
    continued_text: str = ""
    """When continuing a cut reply: the text it had so far."""
    mcp: McpManager | None = None
    """The configured MCP servers, whose tools join the agent's (None when there are none)."""

    def sampling(self, **overrides: Any) -> SamplingParams:
        """Sampling parameters from the run's settings."""
        return sampling_from(self.settings, **overrides)


Answer = Callable[[RunContext], AsyncIterator[Event]]
"""Produces a turn's events, ending with RunFinished (or raising GlassboxError)."""
Stage = Callable[[RunContext, Answer], AsyncIterator[Event]]
"""Wraps an Answer: may answer itself (a cache hit), change the context, or act on the result."""


def compose(answer: Answer, stages: Sequence[Stage]) -> Answer:
    """One Answer from stages around an answer; the first stage is the outermost."""
    composed = answer
    for stage in reversed(stages):
        composed = _wrap(stage, composed)
    return composed


def _wrap(stage: Stage, inner: Answer) -> Answer:
    def wrapped(context: RunContext) -> AsyncIterator[Event]:
        return stage(context, inner)

    return wrapped
