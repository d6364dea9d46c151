"""A scripted ChatModel that replays fixed replies: for unit tests of the agent loop and UI."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable, Sequence

from engine.llm.base import CancelToken, ChatMessage, GenDone, GenItem, GenToken, SamplingParams

Reply = str | Callable[[Sequence[ChatMessage]], str]
_TOKEN_RE = re.compile(r"\s*\S+|\s+")


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text)


class ScriptedModel:
    """Replies in order from a script; a word counts as a token. Records every prompt."""

    def __init__(
        self,
        replies: Sequence[Reply],
        *,
        context_size: int = 4096,
        token_delay_s: float = 0.0,
        repeat_last: bool = False,
        name: str = "scripted",
    ) -> None:
        self._replies = list(replies)
        self._context_size = context_size
        self._token_delay_s = token_delay_s
        self._repeat_last = repeat_last
        self._name = name
        self.prompts: list[list[ChatMessage]] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def identity(self) -> str:
        return f"scripted:{self._name}"

    @property
    def context_size(self) -> int:
        return self._context_size

    async def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return sum(len(_tokens(m.content)) + 4 for m in messages) + 2

    def _next_reply(self, messages: Sequence[ChatMessage]) -> str:
        if not self._replies:
            raise RuntimeError("ScriptedModel has no more replies")
        reply = self._replies[0] if (self._repeat_last and len(self._replies) == 1) else (
            self._replies.pop(0)
        )
        return reply(messages) if callable(reply) else reply

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams,
        cancel: CancelToken | None = None,
    ) -> AsyncIterator[GenItem]:
        self.prompts.append(list(messages))
        started = time.perf_counter()
        prompt_tokens = await self.count_tokens(messages)
        reply = self._next_reply(messages)
        pieces = _tokens(reply)[: params.max_tokens]
        finish = "length" if len(_tokens(reply)) > params.max_tokens else "stop"
        emitted: list[str] = []
        first_at: float | None = None
        for piece in pieces:
            if cancel is not None and cancel.cancelled:
                finish = "cancelled"
                break
            if self._token_delay_s:
                await asyncio.sleep(self._token_delay_s)
            else:
                await asyncio.sleep(0)
            first_at = first_at or time.perf_counter()
            emitted.append(piece)
            yield GenToken(piece)
        ended = time.perf_counter()
        ttft = (first_at or ended) - started
        gen_time = max(ended - (first_at or ended), 1e-9)
        yield GenDone(
            text="".join(emitted),
            finish_reason=finish,  # type: ignore[arg-type]
            prompt_tokens=prompt_tokens,
            completion_tokens=len(emitted),
            ttft_s=ttft,
            tokens_per_s=len(emitted) / gen_time if emitted else 0.0,
            duration_s=ended - started,
            context_used=prompt_tokens + len(emitted),
            context_max=self._context_size,
        )

    async def close(self) -> None:
        return None
