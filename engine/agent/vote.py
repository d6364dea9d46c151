"""Verified by running: several candidate programs, each run, and the output most agree on."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from engine.agent.act import Acting, ActResult
from engine.agent.parse import Action, parse_reply
from engine.agent.repair import missing_import_fix
from engine.agent.runtime import AgentRuntime, Generation
from engine.agent.steps import Ending
from engine.events import Event
from engine.llm.base import ChatMessage, ChatModel
from engine.run import CHECK_IT


@dataclass(frozen=True, slots=True)
class Ballot:
    """The vote's outcome: the agreed output and how many agreed, or nothing ran cleanly."""

    answer: str = ""
    output: str = ""
    agree: int = 0
    total: int = 0
    first: ActResult | None = None
    """The first candidate's result (for the error-and-fix loop when none ran cleanly)."""
    ending: Ending | None = None


def wants_vote(runtime: AgentRuntime, action: Action, *, first: bool) -> bool:
    """Vote on the first code action of a task when more than one candidate is asked for."""
    return (first and action.kind == "code" and runtime.agent.candidates > 1
            and runtime.approval == "auto" and runtime.sandbox_error is None)


def agreement_note(agree: int, total: int) -> str:
    """What the chat says about the vote."""
    if total <= 1:
        return "(1 program ran; the other drafts were the same code.)"
    if agree == total:
        return f"({agree} of {total} candidate programs agree.)"
    return f"({agree} of {total} candidate programs agree: {CHECK_IT}.)"


def _key(output: str) -> str:
    return "\n".join(" ".join(line.split()) for line in output.strip().splitlines())


async def vote_on(
    runtime: AgentRuntime, action: Action, transcript: Sequence[ChatMessage], *, system: str,
    parent: str | None, model: ChatModel | None,
) -> AsyncIterator[Event | Ballot]:
    """Run `action` and up to agent.candidates - 1 sampled alternatives; stop once a majority agrees."""
    wanted = runtime.agent.candidates
    quorum = wanted // 2 + 1
    vote_step, started = runtime.start("validate", f"Vote: up to {wanted} candidate programs", parent,
                                       input=action.code)
    yield started
    seen = {action.signature}
    outputs: list[str] = []
    lines: list[str] = []
    first: ActResult | None = None
    current: Action | None = action
    drafts = 0
    number = 0
    while current is not None:
        number += 1
        acting = Acting(runtime, current, vote_step.id, "code", title=f"Candidate {number}")
        async for event in acting.events():
            yield event
        result = acting.result
        repaired = missing_import_fix(current, result.failure) if result.failure is not None else None
        if repaired is not None and result.ending is None:
            current, fix_reason = repaired
            yield runtime.finish(result.step, "retry", output=result.observation, strategy="retry_with_fix",
                                 reason=fix_reason)
            acting = Acting(runtime, current, vote_step.id, "retry", title=f"Candidate {number} fixed")
            async for event in acting.events():
                yield event
            result = acting.result
        first = first or result
        if result.ending is not None:
            yield acting.ended(runtime)
            yield runtime.finish(vote_step, "failure", reason=result.ending.reason)
            yield Ballot(first=first, ending=result.ending)
            return
        clean = result.failure is None and not result.not_run and bool(result.output.strip())
        why = result.not_run or (result.failure.detail if result.failure else "printed nothing")
        yield runtime.finish(result.step, "success" if clean else "failure", output=result.observation,
                             reason=None if clean else why)
        if clean:
            outputs.append(_key(result.output))
        lines.append(f"candidate {number}: " + (_key(result.output)[:200] if clean else "failed"))
        if result.failure is not None and result.failure.kind == "unavailable":
            break
        if outputs and Counter(outputs).most_common(1)[0][1] >= quorum:
            break
        current = None
        # Drafts that repeat earlier code are not new evidence; allow one spare draft.
        while current is None and number < wanted and drafts < wanted:
            drafts += 1
            gen = Generation()
            async for gen_item in runtime.generate(
                [ChatMessage("system", system), *transcript], kind="think",
                title=f"Draft candidate {number + 1}",
                parent=vote_step.id, model=model, stop_on_action=True, stream_text=False,
                seed=runtime.settings.llm.seed + drafts, temperature=runtime.agent.vote_temperature,
            ):
                if isinstance(gen_item, Generation):
                    gen = gen_item
                else:
                    yield gen_item
            if gen.ending is not None:
                if gen.ending.status == "cancelled":
                    yield runtime.finish(vote_step, "failure", reason=gen.ending.reason)
                    yield Ballot(first=first, ending=gen.ending)
                    return
                break
            drafted = parse_reply(gen.text).action
            if drafted is not None and drafted.kind == "code" and drafted.signature not in seen:
                seen.add(drafted.signature)
                current = drafted
    if not outputs:
        yield runtime.finish(vote_step, "failure", output="\n".join(lines), reason="no candidate ran cleanly")
        yield Ballot(first=first)
        return
    winner, agree = Counter(outputs).most_common(1)[0]
    total = number if number > 1 else 1
    note = agreement_note(agree, total)
    yield runtime.finish(vote_step, "success", output="\n".join([*lines, f"vote: {note}"]),
                         reason=f"{agree} of {total} agree")
    printed = next(o for o in outputs if o == winner)
    yield Ballot(answer=f"{printed}\n\n{note}", output=printed, agree=agree, total=total, first=first)
