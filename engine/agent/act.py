"""Carrying out one action (code or a tool call) as a step: approval, run, observation."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

from engine.agent.observe import cut_middle, error_detail, exec_observation
from engine.agent.parse import Action
from engine.agent.recovery import Failure
from engine.agent.runtime import AgentRuntime
from engine.agent.sandbox_call import ExecResult, run_in_sandbox
from engine.agent.steps import CANCELLED_REASON, Ending, Step
from engine.agent.tool_context import ToolContext
from engine.events import ApprovalRequested, Event, Notice, StepKind
from engine.sandbox.base import ExecLimits, Language
from engine.store.repository import new_id

_TOOL_FORMAT = ' Write: ```tool\n{"name": "...", "arguments": {...}}\n```'
UNAVAILABLE_OBSERVATION = "Code cannot run here right now. Answer without running code."
_OBJECT_REPR = re.compile(r"<[\w.]+(?: [\w.]+)* object at 0x[0-9a-fA-F]+>"
                          r"|<(?:function|bound method|built-in function|class|module) [^<>\n]*>")
"""What Python prints for an object that has no value to show (plt.scatter(...) printed)."""


def printed_only_objects(stdout: str) -> bool:
    """Whether every line a program printed is an object's default repr: no answer to give."""
    lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    return bool(lines) and all(_OBJECT_REPR.fullmatch(line) for line in lines)


@dataclass(frozen=True, slots=True)
class ActResult:
    """How an action ended. The step stays open: the caller records the recovery decision."""

    step: Step
    observation: str = ""
    output: str = ""
    failure: Failure | None = None
    ending: Ending | None = None
    not_run: str = ""


async def act(
    runtime: AgentRuntime, action: Action, parent: str | None, kind: StepKind, title: str = ""
) -> AsyncIterator[Event | ActResult]:
    """Run one action as a step: its events, then one ActResult."""
    ctx = runtime.ctx
    title = title or (f"Tool {action.tool}" if action.kind == "tool" else f"Run {action.language}")
    step, started = runtime.start(kind, title, parent, input=action.code)
    yield started
    if runtime.approval == "never":
        yield ActResult(step, not_run="approval is set to never, so the code was shown but not run")
        return
    if runtime.approval == "ask":
        request = ApprovalRequested(run_id=ctx.run_id, step_id=step.id, language=action.language,
                                    code=action.code)
        yield request
        approved = await _ask(runtime, request)
        if ctx.cancel.cancelled:
            yield ActResult(step, ending=Ending("cancelled", CANCELLED_REASON))
            return
        if not approved:
            yield ActResult(step, not_run=("the user declined it" if ctx.options.approver
                                           else "approval is set to ask and nobody can answer"))
            return
    if action.kind == "tool":
        yield await _call_tool(runtime, action, step)
        return
    async for item in run_code(runtime, action, step):
        yield item


class Acting:
    """One action as a step (act): iterate `events()` to pass its events on, then read `result`.

    An async generator cannot return a value, and every caller needs the ActResult after the events.
    """

    def __init__(self, runtime: AgentRuntime, action: Action, parent: str | None, kind: StepKind,
                 title: str = "") -> None:
        self._stream = act(runtime, action, parent, kind, title)
        self._result: ActResult | None = None

    async def events(self) -> AsyncIterator[Event]:
        async for item in self._stream:
            if isinstance(item, ActResult):
                self._result = item
            else:
                yield item

    @property
    def result(self) -> ActResult:
        """How the action ended; only once `events()` is through."""
        assert self._result is not None, "Acting.result read before its events were"
        return self._result

    def ended(self, runtime: AgentRuntime) -> Event:
        """The step's close when the run must end here (result.ending): a failure, with the reason."""
        result = self.result
        assert result.ending is not None
        return runtime.finish(result.step, "failure", output=result.observation, reason=result.ending.reason)


async def _ask(runtime: AgentRuntime, request: ApprovalRequested) -> bool:
    approver = runtime.ctx.options.approver
    if approver is None:
        return False
    task = asyncio.ensure_future(approver(request))
    # Poll the cancel token so a cancel during the question ends the run at once.
    while not task.done():
        await asyncio.wait({task}, timeout=0.05)
        if runtime.ctx.cancel.cancelled:
            task.cancel()
            return False
    return bool(task.result())


async def _call_tool(runtime: AgentRuntime, action: Action, step: Step) -> ActResult:
    ctx = runtime.ctx
    if action.error:
        return ActResult(step, failure=Failure("bad_call", action.error),
                         observation=action.error + _TOOL_FORMAT)
    context = ToolContext(ctx.sandbox, ctx.search, ctx.session_id, ctx.run_id, step.id, ctx.cancel,
                          max(1.0, runtime.budget.remaining_wall()))
    result = await runtime.tools.call(action.tool, action.arguments, context)
    observation = cut_middle(result.output, runtime.agent.observation_tokens)
    if ctx.cancel.cancelled:
        # A file tool stopped by the cancel fails; record the run as cancelled, not a retry.
        return ActResult(step, observation, ending=Ending("cancelled", CANCELLED_REASON))
    if result.failure is not None:
        return ActResult(step, observation, failure=Failure(result.failure, result.output))
    return ActResult(step, observation, output=result.output)


async def run_code(runtime: AgentRuntime, action: Action, step: Step) -> AsyncIterator[Event | ActResult]:
    """Run a code action in the session's sandbox: its events, then one ActResult."""
    ctx = runtime.ctx
    if runtime.sandbox_error is not None:
        yield ActResult(step, UNAVAILABLE_OBSERVATION, failure=Failure("unavailable", runtime.sandbox_error))
        return
    timeout = max(1.0, min(runtime.settings.sandbox.timeout_s, runtime.budget.remaining_wall()))
    language: Language = "bash" if action.language == "bash" else "python"
    result = ExecResult()
    async for item in run_in_sandbox(
        ctx.sandbox, ctx.session_id, action.code, language=language, run_id=ctx.run_id, step_id=step.id,
        exec_id=new_id(), limits=ExecLimits(timeout_s=timeout), cancel=ctx.cancel,
    ):
        if isinstance(item, ExecResult):
            result = item
        else:
            yield item
    if result.unavailable:
        yield Notice(run_id=ctx.run_id, step_id=step.id, level="warning",
                     text=f"Code cannot run: {result.error}")
    yield _outcome(runtime, step, result, timeout)


def _outcome(runtime: AgentRuntime, step: Step, result: ExecResult, timeout: float) -> ActResult:
    if result.unavailable:
        runtime.sandbox_error = result.error or "the sandbox is not available"
        return ActResult(step, UNAVAILABLE_OBSERVATION, failure=Failure("unavailable", runtime.sandbox_error))
    finished = result.finished
    if result.error is not None or finished is None:
        detail = result.error or "the execution ended without a result"
        return ActResult(step, f"The sandbox failed: {detail}.", failure=Failure("infra", detail))
    observation = exec_observation(
        result.stdout, result.stderr, finished.exit_code, timed_out=finished.timed_out,
        oom_killed=finished.oom_killed, truncated=finished.truncated, artifacts=finished.artifacts,
        max_tokens=runtime.agent.observation_tokens,
    )
    if finished.cancelled or runtime.ctx.cancel.cancelled:
        return ActResult(step, observation, ending=Ending("cancelled", CANCELLED_REASON))
    if finished.timed_out and runtime.budget.remaining_wall() <= 0:
        reason = runtime.budget.exhausted() or "max_wall_s"
        return ActResult(step, observation, ending=Ending("budget", reason))
    if finished.timed_out:
        return ActResult(step, observation, failure=Failure("timeout", f"timed out after {timeout:g} s"))
    if finished.oom_killed:
        return ActResult(step, observation, failure=Failure("oom", "out of memory"))
    if finished.exit_code != 0:
        detail = error_detail(result.stdout, result.stderr, finished.exit_code)
        return ActResult(step, observation, failure=Failure("error", detail))
    if printed_only_objects(result.stdout):
        # A clean exit, but nothing to answer with: the error-and-fix loop goes on.
        detail = (f"it printed an object ({result.stdout.strip().splitlines()[-1]}), not a value: "
                  "print the number or text the task asks for")
        return ActResult(step, f"{observation}\nThat is an object, not a value: print the number or text "
                         "the task asks for.", failure=Failure("error", detail))
    return ActResult(step, observation, output=result.stdout)
