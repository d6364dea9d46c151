"""The ChatModel protocol and the typed items a generation stream yields."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from engine.cancel import CancelToken

Role = Literal["system", "user", "assistant"]
FinishReason = Literal["stop", "length", "cancelled", "error"]
"""Why a generation ended; "error": the backend failed mid-reply (`GenDone.error` says how) and
the text is the partial reply, to be kept and marked incomplete."""


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of a prompt."""

    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class SamplingParams:
    """How to sample one reply. `json_schema` constrains output with a grammar."""

    temperature: float = 0.2
    top_p: float = 0.95
    top_k: int = 40
    repeat_penalty: float = 1.1
    max_tokens: int = 512
    seed: int = 42
    json_schema: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class GenToken:
    """Streamed text: the decoded text of one generated token (may be empty mid-UTF-8)."""

    text: str


@dataclass(frozen=True, slots=True)
class GenDone:
    """The end of a generation with what it cost, measured by the engine."""

    text: str
    finish_reason: FinishReason
    prompt_tokens: int
    completion_tokens: int
    ttft_s: float
    tokens_per_s: float
    duration_s: float
    context_used: int
    context_max: int
    cached_prompt_tokens: int = 0
    error: str = ""
    """With finish_reason "error": a user-facing sentence saying what cut the reply short."""


GenItem = GenToken | GenDone


@runtime_checkable
class ChatModel(Protocol):
    """An async chat model. Implementations never block the event loop."""

    @property
    def name(self) -> str:
        """Short model name for display and cache keys."""
        ...

    @property
    def identity(self) -> str:
        """Stable identity of the weights (file path and size) for cache matching."""
        ...

    @property
    def context_size(self) -> int:
        """Tokens the context window holds."""
        ...

    async def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """Tokens the formatted prompt of these messages takes (with the generation prompt)."""
        ...

    def stream(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams,
        cancel: CancelToken | None = None,
    ) -> AsyncIterator[GenItem]:
        """Stream GenToken items, then exactly one GenDone."""
        ...

    async def close(self) -> None:
        """Release the model."""
        ...


def takes_turns(model: ChatModel) -> bool:
    """True for a model that answers one run at a time (in-process llama.cpp), so runs take turns on
    it; a model whose class sets `serves_many = True` (a server) takes several at once."""
    return not getattr(model, "serves_many", False)


__all__ = [
    "CancelToken", "ChatMessage", "ChatModel", "FinishReason", "GenDone", "GenItem", "GenToken", "Role",
    "SamplingParams", "takes_turns",
]
