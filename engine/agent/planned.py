"""Plan mode: plan, carry out each step by its role in dependency order, validate, maybe re-plan."""

from __future__ import annotations

from collections.abc import AsyncIterator

from engine.agent.endings import conclude, end_run
from engine.agent.examples import prompt_prefix
from engine.agent.planner import PlanModel, Verdict, dependents, grammar_schema, parse_plan, parse_verdict
from engine.agent.prompts import load_prompt
from engine.agent.roles import role_for
from engine.agent.runtime import AgentRuntime, Generation
from engine.agent.solve import Solved, solve
from engine.agent.steps import Ending
from engine.events import Event, Notice, PlanCreated, PlanStep
from engine.llm.base import ChatMessage

MAX_PLANS = 2
"""A first plan and at most one revision when the validator finds something missing."""
_PLAN_TOKENS = 320
_VERDICT_TOKENS = 96
_RESULT_CHARS = 600


async def run_planned(runtime: AgentRuntime) -> AsyncIterator[Event]:
    """Plan, carry out each step by its role in dependency order, validate, maybe re-plan."""
    ctx = runtime.ctx
    feedback = ""
    plan: tuple[PlanStep, ...] = ()
    results: dict[str, str] = {}
    for revision in range(MAX_PLANS):
        prompt = f"Task: {ctx.text}"
        if feedback:
            prompt += (f"\n\nA first attempt was not enough: {feedback}\n"
                       f"Done so far:\n{_listing(plan, results)}")
        gen = Generation()
        async for gen_item in runtime.generate(
            [ChatMessage("system", load_prompt("planner")), ChatMessage("user", prompt)], kind="plan",
            title="Plan" if not revision else f"Plan (revision {revision})", parent=None,
            json_schema=grammar_schema(PlanModel), max_tokens=_PLAN_TOKENS,
        ):
            if isinstance(gen_item, Generation):
                gen = gen_item
            else:
                yield gen_item
        if gen.ending is not None:
            async for event in end_run(runtime, gen.ending):
                yield event
            return
        plan, fallback_reason = parse_plan(gen.text, ctx.text)
        plan_step_id = gen.step.id if gen.step else None
        if fallback_reason:
            yield Notice(run_id=ctx.run_id, step_id=plan_step_id, level="info",
                         text=f"Using a simple step-by-step plan: {fallback_reason}.")
        yield PlanCreated(run_id=ctx.run_id, step_id=plan_step_id, steps=plan, revision=revision)
        results = {}
        needed_by = dependents(plan)
        for item in plan:
            role = role_for(item.role, runtime)
            step, started = runtime.start("plan", f"{item.id}. {item.title}", plan_step_id,
                                          input=f"role: {item.role}")
            yield started
            solved = Solved()
            async for solve_item in solve(
                runtime, [ChatMessage("user", _step_prompt(ctx.text, item, plan, results))],
                system=role.system_prompt, parent=step.id, act_allowed=role.can_act,
                optional=not needed_by.get(item.id), model=role.model,
                prefix=prompt_prefix(ctx.examples) if role.can_act else (),
            ):
                if isinstance(solve_item, Solved):
                    solved = solve_item
                else:
                    yield solve_item
            if solved.ending is not None:
                yield runtime.finish(step, "failure", reason=solved.ending.reason)
                ending = Ending(solved.ending.status, solved.ending.reason, _compose(plan, results))
                async for event in end_run(runtime, ending):
                    yield event
                return
            results[item.id] = solved.answer
            yield runtime.finish(step, "skipped" if solved.skipped else "success", output=solved.answer)
        verdict_gen = Generation()
        async for verdict_item in runtime.generate(
            [ChatMessage("system", load_prompt("validator")),
             ChatMessage("user", f"Task: {ctx.text}\n\nResults:\n{_listing(plan, results)}\n\n"
                         "Is the task done?")],
            kind="validate", title="Check the result", parent=None,
            json_schema=grammar_schema(Verdict), max_tokens=_VERDICT_TOKENS, defer_finish=True,
        ):
            if isinstance(verdict_item, Generation):
                verdict_gen = verdict_item
            else:
                yield verdict_item
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
    async for event in conclude(runtime, Solved(answer=_compose(plan, results))):
        yield event


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
