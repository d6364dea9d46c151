"""Fits a conversation into the context window by dropping its oldest turns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.errors import ContextOverflowError
from engine.llm.base import ChatMessage, ChatModel

# No tokenizer we ship packs more than this many characters into one token on average, so a
# text longer than this many characters per free token cannot fit and is refused untokenized.
_MAX_CHARS_PER_TOKEN = 16


@dataclass(frozen=True, slots=True)
class FittedPrompt:
    """The messages to send and how many old messages were left out."""

    messages: list[ChatMessage]
    dropped: int
    prompt_tokens: int


async def fit_messages(
    model: ChatModel,
    system: Sequence[ChatMessage],
    history: Sequence[ChatMessage],
    reserve_tokens: int,
) -> FittedPrompt:
    """Keep `system` and the newest messages of `history` that fit with `reserve_tokens` free.

    The last message (the new user turn) is always kept; if it alone does not fit, this
    raises ContextOverflowError rather than sending a truncated task.
    """
    budget = model.context_size - reserve_tokens
    if not history:
        return FittedPrompt(list(system), 0, await model.count_tokens(system))
    last = history[-1]
    if len(last.content) > max(budget, 1) * _MAX_CHARS_PER_TOKEN:
        raise ContextOverflowError(
            f"The message is {len(last.content):,} characters, far more than the model's "
            f"{model.context_size:,}-token context can hold.",
            hint="Shorten it, or save it as a file in the workspace and ask about the file.",
        )
    # The common case (everything fits) costs one tokenization; only an overflow pays more.
    full = await model.count_tokens([*system, *history])
    if full <= budget:
        return FittedPrompt([*system, *history], 0, full)
    alone = await model.count_tokens([*system, last])
    if alone > budget:
        raise ContextOverflowError(
            f"The message needs {alone:,} tokens with the system prompt, but only {budget:,} of "
            f"the model's {model.context_size:,}-token context are free for it.",
            hint="Shorten it, or raise llm.context_size if the model supports more.",
        )
    # Binary search the smallest number of dropped messages that fits; each probe is one
    # tokenization, so a long history costs log2(n) passes instead of n.
    low, high = 1, len(history) - 1
    best = high
    best_tokens = alone
    while low <= high:
        mid = (low + high) // 2
        tokens = await model.count_tokens([*system, *_start_at_user(history[mid:])])
        if tokens <= budget:
            best, best_tokens = mid, tokens
            high = mid - 1
        else:
            low = mid + 1
    kept = _start_at_user(history[best:])
    return FittedPrompt([*system, *kept], len(history) - len(kept), best_tokens)


def _start_at_user(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """Drop leading assistant messages so the kept history starts with a user turn."""
    items = list(messages)
    while len(items) > 1 and items[0].role != "user":
        items.pop(0)
    return items
