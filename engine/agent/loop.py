"""The agent's entry point: run_agent(ctx) answers directly, acts, or plans, as events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from engine.agent.planner import (
    PlanModel,
    Verdict,
    dependents,
    grammar_schema,
    is_multi_part,
    parse_plan,
    parse_verdict,
)
from engine.agent.prompts import load_prompt
from engine.agent.roles import role_for
from engine.agent.runtime import AgentRuntime, Ending, Generation, SolveResult
from engine.events import Event, MessageDone, Notice, PlanCreated, PlanStep, RunFinished
from engine.llm.base import ChatMessage

if TYPE_CHECKING:
    from engine.service import RunContext

MAX_PLANS = 2
"""A first plan and at most one revision when the validator finds something missing."""
_PLAN_TOKENS = 320
_VERDICT_TOKENS = 96
_RESULT_CHARS = 600


async def run_agent(ctx: RunContext) -> AsyncIterator[Event]:
    """Run one user message through the agent; ends with MessageDone and RunFinished."""
    runtime = AgentRuntime(ctx)
    events = run_planned(runtime) if wants_plan(ctx) else run_direct(runtime)
    async for event in events:
        yield event


def wants_plan(ctx: RunContext) -> bool:
    """Plan when forced, or (auto) when the task looks multi-part; never costs a model call."""
    mode = ctx.options.plan or ctx.engine.settings.agent.plan_mode
    return mode == "always" or (mode == "auto" and is_multi_part(ctx.text))


def with_memory(ctx: RunContext, text: str) -> str:
    """The user turn with recalled context in front (never in the system prompt: it varies)."""
    memory = ctx.extras.get("memory_context")
    if isinstance(memory, str) and memory.strip():
        return f"Notes from earlier sessions (use them if they help):\n{memory.strip()}\n\nTask: {text}"
    return text


async def run_direct(runtime: AgentRuntime) -> AsyncIterator[Event]:
    """Think, act and observe on the conversation until an answer or a limit."""
    ctx = runtime.ctx
    history = list(ctx.history) or [ChatMessage("user", ctx.text)]
    history[-1] = ChatMessage("user", with_memory(ctx, history[-1].content))
    out = SolveResult()
    async for event in runtime.solve(history, out, system=runtime.system_prompt, parent=None):
        yield event
    async for event in conclude(runtime, out):
        yield event


async def run_planned(runtime: AgentRuntime) -> AsyncIterator[Event]:
    """Plan, carry out each step by its role in dependency order, validate, maybe re-plan."""
    ctx = runtime.ctx
    feedback = ""
    plan: tuple[PlanStep, ...] = ()
    results: dict[str, str] = {}
    for revision in range(MAX_PLANS):
        prompt = f"Task: {with_memory(ctx, ctx.text)}"
        if feedback:
            prompt += (f"\n\nA first attempt was not enough: {feedback}\n"
                       f"Done so far:\n{_listing(plan, results)}")
        gen = Generation()
        async for event in runtime.generate(
            [ChatMessage("system", load_prompt("planner")), ChatMessage("user", prompt)], gen, kind="plan",
            title="Plan" if not revision else f"Plan (revision {revision})", parent=None,
            json_schema=grammar_schema(PlanModel), max_tokens=_PLAN_TOKENS,
        ):
            yield event
        if gen.ending is not None:
            async for event in end_run(runtime, gen.ending):
                yield event
            return
        plan, fallback_reason = parse_plan(gen.text, ctx.text)
        if fallback_reason:
            yield Notice(run_id=ctx.run_id, step_id=gen.step.id if gen.step else None, level="info",
                         text=f"Using a simple step-by-step plan: {fallback_reason}.")
        yield PlanCreated(run_id=ctx.run_id, step_id=gen.step.id if gen.step else None, steps=plan,
                          revision=revision)
        results = {}
        needed_by = dependents(plan)
        plan_step_id = gen.step.id if gen.step else None
        for item in plan:
            role = role_for(item.role, runtime)
            step, started = runtime.start("plan", f"{item.id}. {item.title}", plan_step_id,
                                          input=f"role: {item.role}")
            yield started
            out = SolveResult()
            async for event in runtime.solve(
                [ChatMessage("user", _step_prompt(ctx.text, item, plan, results))], out,
                system=role.system_prompt, parent=step.id, act=role.can_act,
                optional=not needed_by.get(item.id), model=role.model,
            ):
                yield event
            if out.ending is not None:
                yield runtime.finish(step, "failure", reason=out.ending.reason)
                partial = _compose(plan, results)
                async for event in end_run(runtime, Ending(out.ending.status, out.ending.reason, partial)):
                    yield event
                return
            results[item.id] = out.answer
            yield runtime.finish(step, "skipped" if out.skipped else "success", output=out.answer)
        verdict_gen = Generation()
        async for event in runtime.generate(
            [ChatMessage("system", load_prompt("validator")),
             ChatMessage("user", f"Task: {ctx.text}\n\nResults:\n{_listing(plan, results)}\n\n"
                         "Is the task done?")],
            verdict_gen, kind="validate", title="Check the result", parent=None,
            json_schema=grammar_schema(Verdict), max_tokens=_VERDICT_TOKENS, defer_finish=True,
        ):
            yield event
        if verdict_gen.ending is not None:
            ending = Ending(verdict_gen.ending.status, verdict_gen.ending.reason, _compose(plan, results))
            async for event in end_run(runtime, ending):
                yield event
            return
        verdict, bad_json = parse_verdict(verdict_gen.text)
        last = revision == MAX_PLANS - 1
        assert verdict_gen.step is not None
        if verdict.done or last:
            reason = bad_json or ("the goal is met" if verdict.done else
                                  f"still missing ({verdict.missing}), but the plan limit is reached")
            yield runtime.finish(verdict_gen.step, "success", output=verdict_gen.text,
                                 tokens=verdict_gen.tokens, strategy="accept", reason=reason)
            break
        feedback = verdict.missing.strip() or "the results do not complete the task"
        yield runtime.finish(verdict_gen.step, "retry", output=verdict_gen.text,
                             tokens=verdict_gen.tokens, strategy="replan", reason=feedback)
    async for event in conclude(runtime, SolveResult(answer=_compose(plan, results))):
        yield event


async def conclude(runtime: AgentRuntime, out: SolveResult) -> AsyncIterator[Event]:
    """End the run: the answer step, MessageDone and RunFinished; or the stop reason."""
    if out.ending is not None:
        async for event in end_run(runtime, out.ending):
            yield event
        return
    ctx = runtime.ctx
    answer = out.answer.strip() or runtime.last_output.strip() or "(The model gave no answer.)"
    step, started = runtime.start("answer", "Answer", None)
    yield started
    yield runtime.finish(step, "success", output=answer)
    yield MessageDone(run_id=ctx.run_id, message_id=ctx.assistant_message_id, text=answer)
    yield RunFinished(run_id=ctx.run_id, status="completed", reason="answered",
                      final_message_id=ctx.assistant_message_id)


async def end_run(runtime: AgentRuntime, ending: Ending) -> AsyncIterator[Event]:
    """End without an answer: cancelled, out of budget, or failed, always with a clear reason."""
    ctx = runtime.ctx
    if ending.status == "cancelled":
        yield MessageDone(run_id=ctx.run_id, message_id=ctx.assistant_message_id, text=ending.partial,
                          incomplete=True)
    else:
        head = (f"Stopped: {ending.reason}." if ending.status == "budget"
                else f"I could not complete the task: {ending.reason}.")
        if ending.partial.strip():
            head += f"\n\n{ending.partial.strip()}"
        elif runtime.last_output.strip():
            head += f"\n\nLast output:\n{runtime.last_output.strip()}"
        yield MessageDone(run_id=ctx.run_id, message_id=ctx.assistant_message_id, text=head)
    yield RunFinished(run_id=ctx.run_id, status=ending.status, reason=ending.reason,
                      final_message_id=ctx.assistant_message_id)


def _step_prompt(task: str, item: PlanStep, plan: tuple[PlanStep, ...], results: dict[str, str]) -> str:
    deps = [s for s in plan if s.id in item.depends_on and s.id in results]
    text = f"Task: {task}\n"
    if deps:
        text += "Results so far:\n" + _listing(tuple(deps), results) + "\n"
    return text + f"Your step: {item.title}"


def _listing(plan: tuple[PlanStep, ...], results: dict[str, str]) -> str:
    lines = []
    for step in plan:
        if step.id in results:
            result = " ".join(results[step.id].split())
            lines.append(f"- {step.title}: {result[:_RESULT_CHARS]}")
    return "\n".join(lines) or "- nothing yet"


def _compose(plan: tuple[PlanStep, ...], results: dict[str, str]) -> str:
    done = [(s, results[s.id].strip()) for s in plan if s.id in results and results[s.id].strip()]
    if len(done) == 1:
        return done[0][1]
    return "\n\n".join(f"**{step.title}**\n{text}" for step, text in done)
