"""AgentRuntime: the state of one agent run and its model calls, streamed as events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from engine.agent.budget import Budget, StopToken
from engine.agent.parse import has_complete_action
from engine.agent.prompts import agent_system_prompt
from engine.agent.recovery import RecoveryPolicy
from engine.agent.steps import CANCELLED_REASON, Ending, Step, StepLog
from engine.agent.tools import ToolRegistry, default_tools
from engine.chat import usage_event
from engine.events import Event, Notice, StepKind, StepStatus, TokenDelta
from engine.llm.base import ChatMessage, ChatModel, FinishReason, GenDone
from engine.llm.context import fit_messages
from engine.run import RunContext


@dataclass(frozen=True, slots=True)
class Generation:
    """The result of one model call: its text, the step it ran as, or why the run must end."""

    text: str = ""
    step: Step | None = None
    tokens: int = 0
    finish_reason: FinishReason | None = None
    ending: Ending | None = None


class AgentRuntime:
    """The state of one agent run: budget, tools, approval mode and the last computed output."""

    def __init__(self, ctx: RunContext, tools: ToolRegistry | None = None) -> None:
        self.ctx = ctx
        self.settings = ctx.settings
        self.agent = self.settings.agent
        self.budget = Budget(self.agent)
        self.policy = RecoveryPolicy(self.agent.max_retries)
        self.tools = tools or default_tools()
        self.approval = ctx.options.approval or self.agent.approval
        self.system_prompt = agent_system_prompt(self.tools.describe())
        self.steps = StepLog(ctx.run_id)
        self.sandbox_error: str | None = None
        """Set once the sandbox refused to start: no more code is tried in this run."""
        self.last_output = ""
        self._warned_dropped = False

    def start(self, kind: StepKind, title: str, parent: str | None, input: str = "") -> tuple[Step, Event]:
        """Open a step and the StepStarted event announcing it."""
        return self.steps.start(kind, title, parent, input)

    def finish(
        self, step: Step, status: StepStatus, *, output: str = "", tokens: int = 0,
        strategy: str | None = None, reason: str | None = None,
    ) -> Event:
        """The StepFinished event closing a step."""
        return self.steps.finish(step, status, output=output, tokens=tokens, strategy=strategy, reason=reason)

    async def generate(
        self, messages: list[ChatMessage], *, kind: StepKind, title: str, parent: str | None,
        model: ChatModel | None = None, json_schema: dict[str, Any] | None = None,
        max_tokens: int | None = None, stop_on_action: bool = False, defer_finish: bool = False,
        stream_text: bool = True, **sampling: Any,
    ) -> AsyncIterator[Event | Generation]:
        """One model call as a step; its events, then one Generation.

        Tokens stream out as TokenDelta on the assistant message unless `stream_text` is off
        (candidate programs are shown in the Activity pane, not typed into the chat)."""
        model = model or self.ctx.model
        if self.ctx.cancel.cancelled:
            yield Generation(ending=Ending("cancelled", CANCELLED_REASON))
            return
        if (reason := self.budget.exhausted()) is not None:
            yield Generation(ending=Ending("budget", reason))
            return
        wanted = max_tokens or self.settings.llm.max_tokens
        fitted = await fit_messages(model, messages[:1], messages[1:], wanted)
        if fitted.dropped and not self._warned_dropped:
            self._warned_dropped = True
            yield Notice(run_id=self.ctx.run_id, level="warning",
                         text=f"The conversation does not fit the {model.context_size}-token context: "
                         f"the oldest {fitted.dropped} message(s) were left out.")
        room = self.budget.remaining_tokens() - fitted.prompt_tokens
        if room <= 0:
            yield Generation(ending=Ending("budget", self.budget.tokens_reason()))
            return
        params = self.ctx.sampling(max_tokens=min(wanted, room), json_schema=json_schema, **sampling)
        step, started = self.start(kind, title, parent, input=messages[-1].content)
        yield started
        token = StopToken(parent=self.ctx.cancel, deadline=self.budget.deadline)
        pieces: list[str] = []
        done: GenDone | None = None
        async for item in model.stream(fitted.messages, params, token):
            if isinstance(item, GenDone):
                done = item
            elif item.text:
                pieces.append(item.text)
                if stream_text:
                    yield TokenDelta(run_id=self.ctx.run_id, step_id=step.id,
                                     message_id=self.ctx.assistant_message_id, text=item.text)
                # Stop as soon as the action block closes: what a small model writes after
                # it (invented output, more code) is never used.
                if stop_on_action and "`" in item.text and has_complete_action("".join(pieces)):
                    token.cancel()
        assert done is not None, "a model stream must end with GenDone"
        tokens = done.prompt_tokens + done.completion_tokens
        self.budget.tokens += tokens
        yield usage_event(done, self.ctx.run_id, step.id, model.name)
        ending: Ending | None = None
        if done.finish_reason == "cancelled":
            if self.ctx.cancel.cancelled:
                ending = Ending("cancelled", CANCELLED_REASON, partial=done.text)
            elif token.past_deadline:
                ending = Ending("budget", self.budget.exhausted() or "max_wall_s", partial=done.text)
        elif done.finish_reason == "error":
            ending = Ending("failed", done.error or "the model stopped with an error", partial=done.text)
        elif done.finish_reason == "length" and params.max_tokens < wanted:
            ending = Ending("budget", self.budget.tokens_reason(), partial=done.text)
        if not defer_finish or ending is not None:
            status: StepStatus = "failure" if ending else "success"
            yield self.finish(step, status, output=done.text, tokens=tokens,
                              reason=ending.reason if ending else None)
        yield Generation(done.text, step, tokens, done.finish_reason, ending)
