"""AgentRuntime: model calls, actions and the think-act-observe loop, all streamed as events."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from engine.agent.budget import Budget, StopToken
from engine.agent.observe import cut_middle, error_detail, exec_observation
from engine.agent.parse import Action, ParsedReply, has_complete_action, parse_reply
from engine.agent.prompts import agent_system_prompt, example_turns
from engine.agent.recovery import Failure, RecoveryPolicy, Strategy, guidance
from engine.agent.tools import ToolContext, ToolRegistry, default_tools
from engine.chat import usage_event
from engine.errors import SandboxError
from engine.events import (
    ApprovalRequested,
    Event,
    ExecFinished,
    ExecOutput,
    Notice,
    StepFinished,
    StepKind,
    StepStarted,
    StepStatus,
    TokenDelta,
)
from engine.llm.base import ChatMessage, ChatModel, GenDone
from engine.llm.context import fit_messages
from engine.sandbox.base import ExecLimits, Language
from engine.store.repository import new_id

if TYPE_CHECKING:
    from engine.service import RunContext

EndStatus = Literal["cancelled", "budget", "failed"]
_STATUS_FOR: dict[Strategy, StepStatus] = {
    "retry": "retry", "retry_with_fix": "retry", "alternative": "retry", "skip": "skipped", "fail": "failure",
}
CANCELLED_REASON = "cancelled by the user"


@dataclass(frozen=True, slots=True)
class Ending:
    """Why a run stops before an answer."""

    status: EndStatus
    reason: str
    partial: str = ""


@dataclass
class Step:
    """An open step: finish it with AgentRuntime.finish."""

    id: str
    kind: StepKind
    parent: str | None
    started: float = field(default_factory=time.monotonic)


@dataclass
class Generation:
    """The result of one model call."""

    text: str = ""
    step: Step | None = None
    tokens: int = 0
    ending: Ending | None = None


@dataclass
class SolveResult:
    """The result of a think-act-observe loop: an answer, or why it stopped."""

    answer: str = ""
    ending: Ending | None = None
    skipped: bool = False


@dataclass
class _ActResult:
    step: Step | None = None
    observation: str = ""
    output: str = ""
    failure: Failure | None = None
    ending: Ending | None = None
    not_run: str = ""


class AgentRuntime:
    """The state of one agent run: budget, tools, approval mode and the last computed output."""

    def __init__(self, ctx: RunContext, tools: ToolRegistry | None = None) -> None:
        self.ctx = ctx
        self.settings = ctx.engine.settings
        self.agent = self.settings.agent
        self.budget = Budget(self.agent)
        self.policy = RecoveryPolicy(self.agent.max_retries)
        self.tools = tools or default_tools()
        self.approval = ctx.options.approval or self.agent.approval
        self.system_prompt = agent_system_prompt(self.tools.describe())
        self.sandbox_error: str | None = None
        self.last_output = ""
        self._warned_dropped = False

    # -- steps ----------------------------------------------------------------------------

    def start(self, kind: StepKind, title: str, parent: str | None, input: str = "") -> tuple[Step, Event]:
        """Open a step and the StepStarted event announcing it."""
        step = Step(new_id(), kind, parent)
        return step, StepStarted(run_id=self.ctx.run_id, step_id=step.id, parent_step_id=parent, kind=kind,
                                 title=title, input=input)

    def finish(
        self, step: Step, status: StepStatus, *, output: str = "", tokens: int = 0,
        strategy: str | None = None, reason: str | None = None,
    ) -> StepFinished:
        """The StepFinished event closing a step."""
        summary = " ".join(output.split())[:120]
        return StepFinished(
            run_id=self.ctx.run_id, step_id=step.id, parent_step_id=step.parent, kind=step.kind,
            status=status, duration_s=time.monotonic() - step.started, tokens=tokens, summary=summary,
            strategy=strategy, reason=reason, output=output,
        )

    # -- model calls ----------------------------------------------------------------------

    async def generate(
        self, messages: list[ChatMessage], out: Generation, *, kind: StepKind, title: str,
        parent: str | None, model: ChatModel | None = None, json_schema: dict[str, Any] | None = None,
        max_tokens: int | None = None, stop_on_action: bool = False, defer_finish: bool = False,
    ) -> AsyncIterator[Event]:
        """One model call as a step; tokens stream out as TokenDelta on the assistant message."""
        model = model or self.ctx.model
        if self.ctx.cancel.cancelled:
            out.ending = Ending("cancelled", CANCELLED_REASON)
            return
        if (reason := self.budget.exhausted()) is not None:
            out.ending = Ending("budget", reason)
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
            out.ending = Ending("budget", self.budget.tokens_reason())
            return
        params = self.ctx.engine.sampling(max_tokens=min(wanted, room), json_schema=json_schema)
        step, started = self.start(kind, title, parent, input=messages[-1].content)
        out.step = step
        yield started
        token = StopToken(parent=self.ctx.cancel, deadline=self.budget.deadline)
        pieces: list[str] = []
        done: GenDone | None = None
        async for item in model.stream(fitted.messages, params, token):
            if isinstance(item, GenDone):
                done = item
            elif item.text:
                pieces.append(item.text)
                yield TokenDelta(run_id=self.ctx.run_id, step_id=step.id,
                                 message_id=self.ctx.assistant_message_id, text=item.text)
                # Stop as soon as the action block closes: what a small model writes after
                # it (invented output, more code) is never used.
                if stop_on_action and "`" in item.text and has_complete_action("".join(pieces)):
                    token.cancel()
        assert done is not None, "a model stream must end with GenDone"
        out.text = done.text
        out.tokens = done.prompt_tokens + done.completion_tokens
        self.budget.tokens += out.tokens
        yield usage_event(done, self.ctx.run_id, step.id, model.name)
        if done.finish_reason == "cancelled":
            if self.ctx.cancel.cancelled:
                out.ending = Ending("cancelled", CANCELLED_REASON, partial=done.text)
            elif token.past_deadline:
                out.ending = Ending("budget", self.budget.exhausted() or "max_wall_s", partial=done.text)
        elif done.finish_reason == "length" and params.max_tokens < wanted:
            out.ending = Ending("budget", self.budget.tokens_reason(), partial=done.text)
        if not defer_finish or out.ending is not None:
            status: StepStatus = "failure" if out.ending else "success"
            yield self.finish(step, status, output=done.text, tokens=out.tokens,
                              reason=out.ending.reason if out.ending else None)

    # -- the think, act, observe loop ------------------------------------------------------

    async def solve(
        self, messages: list[ChatMessage], out: SolveResult, *, system: str, parent: str | None,
        act: bool = True, optional: bool = False, model: ChatModel | None = None,
    ) -> AsyncIterator[Event]:
        """Think and act until the model answers without acting, or the run must stop."""
        # Append-only: the system prompt and earlier turns never change, so llama.cpp's
        # prefix cache covers everything but the newest turn.
        transcript = [*(example_turns() if act else ()), *messages]
        attempt, previous, done_signature, computed = 0, None, "", ""
        step_no = 0
        while True:
            step_no += 1
            gen = Generation()
            async for event in self.generate([ChatMessage("system", system), *transcript], gen, kind="think",
                                             title=f"Think {step_no}", parent=parent, model=model,
                                             stop_on_action=act):
                yield event
            if gen.ending is not None:
                out.ending = gen.ending
                return
            parsed = parse_reply(gen.text) if act else ParsedReply(gen.text, gen.text.strip(), None)
            action = parsed.action
            if action is None or (computed and action.signature == done_signature):
                # A small model often repeats the code that already worked, or says nothing:
                # the printed result is then the answer.
                out.answer = (parsed.prose if action is None else "") or computed or gen.text.strip()
                return
            if (reason := self.budget.take_action()) is not None:
                out.ending = Ending("budget", reason)
                return
            transcript.append(ChatMessage("assistant", parsed.text))
            kind: StepKind = action.kind
            while True:
                result = _ActResult()
                async for event in self.act(action, result, parent, kind):
                    yield event
                assert result.step is not None
                if result.ending is not None:
                    yield self.finish(result.step, "failure", output=result.observation,
                                      reason=result.ending.reason)
                    out.ending = result.ending
                    return
                if result.not_run:
                    yield self.finish(result.step, "skipped", reason=result.not_run)
                    out.answer = f"{gen.text.strip()}\n\n(Not run: {result.not_run}.)"
                    out.skipped = True
                    return
                if result.failure is None:
                    attempt, previous = 0, None
                    computed, done_signature = result.output.strip(), action.signature
                    self.last_output = computed or self.last_output
                    yield self.finish(result.step, "success", output=result.observation)
                    transcript.append(ChatMessage(
                        "user", f"Observation:\n{result.observation}\n\nIf this answers the task, "
                        "reply with the answer only."))
                    break
                attempt += 1
                decision = self.policy.decide(result.failure, attempt, previous=previous, optional=optional)
                previous = result.failure
                yield self.finish(result.step, _STATUS_FOR[decision.strategy], output=result.observation,
                                  strategy=decision.strategy, reason=decision.reason)
                if decision.strategy == "retry":
                    if (reason := self.budget.take_action()) is not None:
                        out.ending = Ending("budget", reason)
                        return
                    kind = "retry"
                    continue
                if decision.strategy == "fail":
                    out.ending = Ending("failed", decision.reason)
                    return
                if decision.strategy == "skip" and result.failure.kind != "unavailable":
                    out.answer, out.skipped = f"(Skipped: {decision.reason}.)", True
                    return
                transcript.append(ChatMessage(
                    "user", f"Observation:\n{result.observation}\n\n{guidance(decision.strategy)}"))
                break

    # -- actions --------------------------------------------------------------------------

    async def act(
        self, action: Action, out: _ActResult, parent: str | None, kind: StepKind
    ) -> AsyncIterator[Event]:
        """Run one action as a step (left open: the caller records the recovery decision)."""
        title = f"Tool {action.tool}" if action.kind == "tool" else f"Run {action.language}"
        step, started = self.start(kind, title, parent, input=action.code)
        out.step = step
        yield started
        if self.approval == "never":
            out.not_run = "approval is set to never, so the code was shown but not run"
            return
        if self.approval == "ask":
            request = ApprovalRequested(run_id=self.ctx.run_id, step_id=step.id, language=action.language,
                                        code=action.code)
            yield request
            approved = await self._ask(request)
            if self.ctx.cancel.cancelled:
                out.ending = Ending("cancelled", CANCELLED_REASON)
                return
            if not approved:
                out.not_run = ("the user declined it" if self.ctx.options.approver
                               else "approval is set to ask and nobody can answer")
                return
        if action.kind == "tool":
            await self._call_tool(action, step, out)
            return
        async for event in self._run_code(action, step, out):
            yield event

    async def _ask(self, request: ApprovalRequested) -> bool:
        approver = self.ctx.options.approver
        if approver is None:
            return False
        task = asyncio.ensure_future(approver(request))
        # Poll the cancel token so a cancel during the question ends the run at once.
        while not task.done():
            await asyncio.wait({task}, timeout=0.05)
            if self.ctx.cancel.cancelled:
                task.cancel()
                return False
        return bool(task.result())

    async def _call_tool(self, action: Action, step: Step, out: _ActResult) -> None:
        if action.error:
            out.failure = Failure("bad_call", action.error)
            out.observation = action.error + ' Write: ```tool\n{"name": "...", "arguments": {...}}\n```'
            return
        context = ToolContext(self.ctx.engine, self.ctx.session_id, self.ctx.run_id, step.id,
                              self.ctx.cancel, max(1.0, self.budget.remaining_wall()))
        result = await self.tools.call(action.tool, action.arguments, context)
        out.observation = cut_middle(result.output, self.agent.observation_tokens)
        if self.ctx.cancel.cancelled:
            # A file tool stopped by the cancel fails; record the run as cancelled, not a retry.
            out.ending = Ending("cancelled", CANCELLED_REASON)
            return
        if result.failure is not None:
            out.failure = Failure(result.failure, result.output)
        else:
            out.output = result.output

    async def _run_code(self, action: Action, step: Step, out: _ActResult) -> AsyncIterator[Event]:
        if self.sandbox_error is None:
            try:
                sandbox = await self.ctx.engine.sandbox()
            except SandboxError as exc:
                self.sandbox_error = str(exc)
                yield Notice(run_id=self.ctx.run_id, step_id=step.id, level="warning",
                             text=f"Code cannot run: {exc}")
        if self.sandbox_error is not None:
            out.failure = Failure("unavailable", self.sandbox_error)
            out.observation = "Code cannot run here right now. Answer without running code."
            return
        exec_id = new_id()
        timeout = max(1.0, min(self.settings.sandbox.timeout_s, self.budget.remaining_wall()))
        stdout: list[str] = []
        stderr: list[str] = []
        finished: ExecFinished | None = None
        began = False
        language: Language = "bash" if action.language == "bash" else "python"
        try:
            async for event in sandbox.execute(
                self.ctx.session_id, action.code, language=language, run_id=self.ctx.run_id,
                step_id=step.id, exec_id=exec_id, limits=ExecLimits(timeout_s=timeout),
                cancel=self.ctx.cancel,
            ):
                began = True
                if isinstance(event, ExecOutput):
                    (stdout if event.stream == "stdout" else stderr).append(event.text)
                elif isinstance(event, ExecFinished):
                    finished = event
                yield event
        except SandboxError as exc:
            if not began:
                # It could not even start (Docker down, image missing): no point retrying.
                self.sandbox_error = str(exc)
                yield Notice(run_id=self.ctx.run_id, step_id=step.id, level="warning",
                             text=f"Code cannot run: {exc}")
                out.failure = Failure("unavailable", self.sandbox_error)
                out.observation = "Code cannot run here right now. Answer without running code."
                return
            out.failure = Failure("infra", str(exc))
            out.observation = f"The sandbox failed: {exc}"
            if finished is None:
                # Close the execution record so the stored run stays consistent.
                yield ExecFinished(run_id=self.ctx.run_id, step_id=step.id, exec_id=exec_id, exit_code=-1,
                                   duration_s=time.monotonic() - step.started)
            return
        if finished is None:
            out.failure = Failure("infra", "the execution ended without a result")
            out.observation = "The sandbox failed: the execution ended without a result."
            return
        text_out, text_err = "".join(stdout), "".join(stderr)
        out.observation = exec_observation(
            text_out, text_err, finished.exit_code, timed_out=finished.timed_out,
            oom_killed=finished.oom_killed, truncated=finished.truncated, artifacts=finished.artifacts,
            max_tokens=self.agent.observation_tokens,
        )
        if finished.cancelled or self.ctx.cancel.cancelled:
            out.ending = Ending("cancelled", CANCELLED_REASON)
        elif finished.timed_out and self.budget.remaining_wall() <= 0:
            out.ending = Ending("budget", self.budget.exhausted() or "max_wall_s")
        elif finished.timed_out:
            out.failure = Failure("timeout", f"timed out after {timeout:g} s")
        elif finished.oom_killed:
            out.failure = Failure("oom", "out of memory")
        elif finished.exit_code != 0:
            out.failure = Failure("error", error_detail(text_out, text_err, finished.exit_code))
        else:
            out.output = text_out
