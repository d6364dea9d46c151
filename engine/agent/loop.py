"""The agent's entry point: run_agent(ctx) runs given code, answers directly, acts, or plans."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

from engine.agent.act import Acting
from engine.agent.adapt import Adapted, adapted_programs
from engine.agent.adapt_similar import similar_programs
from engine.agent.endings import conclude, end_run
from engine.agent.examples import prompt_prefix
from engine.agent.given import GivenCode, read_given
from engine.agent.mcp_tools import add_mcp_tools
from engine.agent.parse import Action
from engine.agent.planned import run_planned
from engine.agent.planner import is_multi_part
from engine.agent.rounding import rounded_output
from engine.agent.runtime import AgentRuntime
from engine.agent.solve import Solved, grounded_answer, solve, yes_or_no
from engine.agent.tools import default_tools
from engine.events import Event, Notice
from engine.llm.base import ChatMessage
from engine.run import CHECK_IT, RunContext

ADAPTED_NOTE = "(Worked out by a library example's program, run with this task's values: see Activity.)"
SIMILAR_NOTE = ("(Worked out by the program of a library example that asks a similar question, run with this "
                f"task's values: {CHECK_IT}. The example asks: {{question}})")
ROUNDED_NOTE = ("Worked out by a library example's program, run with this task's values; it printed "
                "{printed}, rounded here to {places} places as the task asks: see Activity.")
UNCHECKED_NOTICE = ("Not checked by running code: the model answered from what it knows. "
                    "Ask it to compute the answer with Python to have it verified.")


async def run_agent(ctx: RunContext) -> AsyncIterator[Event]:
    """Run one user message through the agent; ends with MessageDone and RunFinished."""
    tools = default_tools()
    for text in await add_mcp_tools(tools, ctx.mcp):
        yield Notice(run_id=ctx.run_id, level="warning", text=text)
    runtime = AgentRuntime(ctx, tools)
    given = read_given(ctx.text)
    if given is not None:
        events = run_given_code(runtime, given)
    elif wants_plan(ctx):
        events = run_planned(runtime)
    else:
        events = run_direct(runtime)
    async for event in events:
        yield event


def wants_plan(ctx: RunContext) -> bool:
    """Plan when forced, or (auto) when the task looks multi-part; never costs a model call."""
    mode = ctx.options.plan or ctx.settings.agent.plan_mode
    return mode == "always" or (mode == "auto" and is_multi_part(ctx.text))


async def run_direct(runtime: AgentRuntime) -> AsyncIterator[Event]:
    """Think, act and observe on the conversation until an answer or a limit."""
    ctx = runtime.ctx
    history = list(ctx.history) or [ChatMessage("user", ctx.text)]
    solved = Solved()
    async for item in run_adapted(runtime):
        if isinstance(item, Solved):
            solved = item
        else:
            yield item
    if not solved.answer and solved.ending is None:
        async for item in solve(runtime, history, system=runtime.system_prompt, parent=None,
                                prefix=prompt_prefix(ctx.examples)):
            if isinstance(item, Solved):
                solved = item
            else:
                yield item
    if solved.answer and solved.ending is None and not solved.skipped and not runtime.last_output.strip() \
            and runtime.sandbox_error is None:
        # On the eval set no answer given without running code was right (0 of 49): say so.
        yield Notice(run_id=ctx.run_id, level="info", text=UNCHECKED_NOTICE)
    if solved.answer and solved.ending is None and runtime.last_output.strip() in ("True", "False"):
        solved = dataclasses.replace(solved, answer=yes_or_no(ctx.text, solved.answer))
    async for event in conclude(runtime, solved):
        yield event


async def run_adapted(runtime: AgentRuntime) -> AsyncIterator[Event | Solved]:
    """Run the program of the nearest library example that adapts to the task (adapt_program), or
    failing any, of one asking a similar question (agent.adapt_similar); Solved with what it printed
    when it ran cleanly. When it fails, the next one that adapts (another
    program for the same question) gets ADAPT_TRIES in all; then nothing, and the model drafts."""
    ctx = runtime.ctx
    # Trying 64 templates takes milliseconds of tokenizing: off the event loop.
    adapted = await asyncio.to_thread(_adapted, ctx)
    for template, language, code, route, round_to in adapted:
        if runtime.budget.take_action() is not None:
            return
        asked = "" if round_to is None else f", its output rounded to {round_to} places"
        acting = Acting(runtime, Action("code", language, code), None, "code",
                        title=f"Adapt {template.source} ({template.similarity:.2f}, {route}{asked})")
        async for event in acting.events():
            yield event
        result = acting.result
        if result.ending is not None:
            yield acting.ended(runtime)
            yield Solved(ending=result.ending)
            return
        rounded = None if round_to is None else rounded_output(result.output, round_to)
        clean = result.failure is None and not result.not_run and bool(result.output.strip()) \
            and (round_to is None or rounded is not None)
        why = result.not_run or (result.failure.detail if result.failure
                                 else "it printed nothing" if not result.output.strip()
                                 else "it printed no single number to round")
        yield runtime.finish(result.step, "success" if clean else "failure", output=result.observation,
                             reason=None if clean else f"{why}; another example's program or the model next")
        if clean:
            runtime.last_output = result.output
            similar = SIMILAR_NOTE.format(question=_one_line(template.task)) if route == "similar question" \
                else None
            if rounded is not None:
                note = "(" + ROUNDED_NOTE.format(printed=result.output.strip(), places=round_to) + ")"
                yield Solved(answer=f"{rounded}\n\n{note}" + (f"\n{similar}" if similar else ""))
            else:
                yield Solved(answer=f"{grounded_answer('', result.output)}\n\n{similar or ADAPTED_NOTE}")
        if clean or result.not_run:
            return


def _adapted(ctx: RunContext) -> list[Adapted]:
    """Library programs for the task: for the same question, else (agent.adapt_similar) for a similar one."""
    found = adapted_programs(ctx.templates, ctx.text, ctx.templates_apart)
    if not found and ctx.settings.agent.adapt_similar:
        found = similar_programs(ctx.templates, ctx.text, ctx.templates_apart)
    return found


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "\u2026"


async def run_given_code(runtime: AgentRuntime, given: GivenCode) -> AsyncIterator[Event]:
    """Run the code the user gave, as given; its output is the answer (no model call)."""
    acting = Acting(runtime, given.action, None, "code", title=given.title)
    async for event in acting.events():
        yield event
    result = acting.result
    if result.ending is not None:
        yield acting.ended(runtime)
        async for event in end_run(runtime, result.ending):
            yield event
        return
    ok = result.failure is None and not result.not_run
    yield runtime.finish(result.step, "success" if ok else ("skipped" if result.not_run else "failure"),
                         output=result.observation,
                         reason=result.not_run or (result.failure.detail if result.failure else None))
    if ok:
        runtime.last_output = result.output
        answer = grounded_answer("", result.output) or "(The code ran and printed nothing.)"
    elif result.not_run:
        answer = f"(Not run: {result.not_run}.)"
    else:
        answer = result.observation
    async for event in conclude(runtime, Solved(answer=answer)):
        yield event
