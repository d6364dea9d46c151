"""ChatTurn: a plain chat reply (no tools), streamed as events."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from engine.events import Event, MessageDone, Notice, RunFailed, RunFinished, TokenDelta, UsageUpdated
from engine.llm.base import CancelToken, ChatMessage, ChatModel, GenDone, SamplingParams
from engine.llm.context import fit_messages
from engine.run import RunContext


@dataclass
class ChatTurn:
    """One assistant reply to the conversation so far."""

    model: ChatModel
    params: SamplingParams
    system_prompt: str
    run_id: str
    message_id: str
    cancel: CancelToken
    prefix: str = ""
    """Text the reply already has (a continued reply); the model's text is added to it."""

    async def run(self, history: Sequence[ChatMessage]) -> AsyncIterator[Event]:
        """Yield token deltas, usage, the finished message and RunFinished."""
        system = [ChatMessage("system", self.system_prompt)] if self.system_prompt else []
        fitted = await fit_messages(self.model, system, history, self.params.max_tokens)
        if fitted.dropped:
            yield Notice(
                run_id=self.run_id, level="warning",
                text=f"The conversation is longer than the {self.model.context_size}-token "
                f"context: the oldest {fitted.dropped} message(s) were left out of this turn.",
            )
        done: GenDone | None = None
        async for item in self.model.stream(fitted.messages, self.params, self.cancel):
            if isinstance(item, GenDone):
                done = item
            elif item.text:
                yield TokenDelta(run_id=self.run_id, message_id=self.message_id, text=item.text)
        assert done is not None
        yield usage_event(done, self.run_id, None, self.model.name)
        cancelled = done.finish_reason == "cancelled"
        reason = incomplete_reason(done, self.params)
        if done.finish_reason == "error":
            # The backend failed mid-reply (a server that died): keep the partial text, marked.
            yield MessageDone(run_id=self.run_id, message_id=self.message_id, text=self.prefix + done.text,
                              incomplete=True, reason=reason)
            yield RunFailed(run_id=self.run_id, error=done.error or reason, error_kind="ModelError")
            return
        text = f"{self.prefix}{' ' if self.prefix and not self.prefix[-1].isspace() else ''}{done.text}"
        yield MessageDone(
            run_id=self.run_id, message_id=self.message_id, text=text if self.prefix else done.text,
            incomplete=bool(reason), reason=reason,
        )
        yield RunFinished(
            run_id=self.run_id, status="cancelled" if cancelled else "completed",
            reason="cancelled by the user" if cancelled else "answered",
            final_message_id=self.message_id,
        )


def incomplete_reason(done: GenDone, params: SamplingParams) -> str:
    """Why a generation's text is not a whole reply, or "" when it is."""
    if done.finish_reason == "length":
        return (f"it reached the {params.max_tokens}-token limit (llm.max_tokens); "
                "continue it with Ctrl+E or `glassbox ask --continue`")
    if done.finish_reason == "cancelled":
        return "cancelled"
    if done.finish_reason == "error":
        return done.error or "the model stopped with an error"
    if done.finish_reason not in ("stop",):
        return f"the model stopped early ({done.finish_reason})"
    return ""


def usage_event(done: GenDone, run_id: str, step_id: str | None, model: str) -> UsageUpdated:
    """The UsageUpdated event for a finished generation."""
    return UsageUpdated(
        run_id=run_id, step_id=step_id, prompt_tokens=done.prompt_tokens,
        completion_tokens=done.completion_tokens, ttft_s=done.ttft_s,
        tokens_per_s=done.tokens_per_s, context_used=done.context_used,
        context_max=done.context_max, cached_prompt_tokens=done.cached_prompt_tokens,
        duration_s=done.duration_s, model=model,
    )


def answer_in_chat(context: RunContext) -> AsyncIterator[Event]:
    """A plain chat reply to the run's conversation (no code, no tools)."""
    turn = ChatTurn(
        model=context.model, params=context.sampling(), system_prompt=context.settings.llm.system_prompt,
        run_id=context.run_id, message_id=context.assistant_message_id, cancel=context.cancel,
    )
    return turn.run(context.history)


CONTINUE_PROMPT = "Continue exactly where your reply stopped. Do not repeat what you already wrote."


async def continue_reply(context: RunContext) -> AsyncIterator[Event]:
    """Continue a cut reply: the cut text first, then the model's continuation of it."""
    cut = context.continued_text
    yield TokenDelta(run_id=context.run_id, message_id=context.assistant_message_id, text=cut)
    history = [*context.history, ChatMessage("assistant", cut), ChatMessage("user", CONTINUE_PROMPT)]
    turn = ChatTurn(
        model=context.model, params=context.sampling(), system_prompt=context.settings.llm.system_prompt,
        run_id=context.run_id, message_id=context.assistant_message_id, cancel=context.cancel,
        prefix=cut,
    )
    async for event in turn.run(history):
        yield event
