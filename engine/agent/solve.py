"""The think-act-observe loop: a typed Solved result at the end of a stream of step events."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from engine.agent.act import Acting
from engine.agent.adapt import ADAPT_LIMIT
from engine.agent.examples import observation_message
from engine.agent.parse import ParsedReply, parse_reply, prose_of
from engine.agent.recovery import Failure, guidance
from engine.agent.repair import missing_import_fix
from engine.agent.runtime import AgentRuntime, Generation
from engine.agent.steps import Ending
from engine.agent.task_values import asks_yes_or_no, values_and_words
from engine.agent.vote import Ballot, vote_on, wants_vote
from engine.events import Event, Notice, StepKind, StepStatus
from engine.llm.base import ChatMessage, ChatModel

_STATUS_FOR: dict[str, StepStatus] = {
    "retry": "retry", "retry_with_fix": "retry", "alternative": "retry", "skip": "skipped", "fail": "failure",
}
DOCKER_HINT = ("To run code, start Docker (`sudo systemctl start docker`, or `dockerd` as root) and "
               "build the sandbox image with `glassbox sandbox build`.")

CODE_FIRST = ("Do not answer from memory. Write one Python program in a ```python block that computes "
              "the answer and prints it.")

CODE_FIRST_NOTICE = "The model answered without code; it is asked once to compute it (agent.code_first)."


def gives_values(task: str) -> bool:
    """Whether a task gives something to compute with (a number, quoted text, a date, a table). A
    paste of data does, and reading its values would hold the event loop for seconds."""
    return len(task) > ADAPT_LIMIT or bool(values_and_words(task)[0])


@dataclass(frozen=True, slots=True)
class Solved:
    """How a think-act-observe loop ended: an answer, or why it stopped."""

    answer: str = ""
    ending: Ending | None = None
    skipped: bool = False
    cut_reason: str = ""
    """Why the answer's text is cut (the token limit), if it is."""


def grounded_answer(prose: str, computed: str) -> str:
    """The model's final text when it quotes what the code printed; else the printed output."""
    printed = computed.strip()
    if not printed:
        return prose.strip()
    if prose.strip() and " ".join(printed.split()) in " ".join(prose.split()):
        return prose.strip()
    return printed


def yes_or_no(task: str, answer: str) -> str:
    """A yes-or-no question answered by a program's lone True or False: "Yes" or "No" first, with what
    it printed. People ask "Is 97 prime?", not what a Python expression evaluates to."""
    head, gap, rest = answer.partition("\n\n")
    printed = head.strip()
    if printed not in ("True", "False") or not asks_yes_or_no(task):
        return answer
    return f"{'Yes' if printed == 'True' else 'No'} (the program printed {printed}){gap}{rest}"


async def solve(
    runtime: AgentRuntime, messages: Sequence[ChatMessage], *, system: str, parent: str | None,
    act_allowed: bool = True, optional: bool = False, model: ChatModel | None = None,
    prefix: Sequence[ChatMessage] = (),
) -> AsyncIterator[Event | Solved]:
    """Think and act until the model answers without acting or the run must stop; then Solved."""
    # Append-only: the system prompt and earlier turns never change, so llama.cpp's
    # prefix cache covers everything but the newest turn.
    transcript = [*prefix, *messages]
    attempt, previous, computed = 0, None, ""
    done_signatures: set[str] = set()
    printed = ""  # what code (or calc) printed: the answer must quote it, else it is the answer
    step_no = 0
    redrafts, redrafting = 0, False
    can_act = act_allowed and runtime.sandbox_error is None
    # Before any code, in a task's own run (not a plan's step), once: a second answer in words stands.
    insist = can_act and parent is None and runtime.agent.code_first
    while True:
        step_no += 1
        gen = Generation()
        # A redraft is sampled (its own seed): greedy decoding would write the failed program again.
        # Only the redraft: the calls after it (the answer) are greedy again.
        sampling: dict[str, Any] = ({"seed": runtime.settings.llm.seed + redrafts,
                                     "temperature": runtime.agent.vote_temperature} if redrafting else {})
        redrafting = False
        async for item in runtime.generate([ChatMessage("system", system), *transcript], kind="think",
                                           title=f"Think {step_no}", parent=parent, model=model,
                                           stop_on_action=can_act, **sampling):
            if isinstance(item, Generation):
                gen = item
            else:
                yield item
        if gen.ending is not None:
            yield Solved(ending=gen.ending)
            return
        parsed = parse_reply(gen.text) if can_act else ParsedReply(gen.text, prose_of(gen.text), None)
        action = parsed.action
        if action is None and previous is not None and previous.echoed_by(parsed.prose):
            yield Solved(ending=Ending("failed", f"the code failed ({previous.last_line}) and the model "
                                       "repeated the error instead of fixing it"))
            return
        if action is None and insist and gives_values(runtime.ctx.text):
            insist = False
            transcript += [ChatMessage("assistant", parsed.text), ChatMessage("user", CODE_FIRST)]
            yield Notice(run_id=runtime.ctx.run_id, level="info", text=CODE_FIRST_NOTICE)
            continue
        if action is None or (computed and action.signature in done_signatures):
            # A small model often repeats the code that already worked, or says nothing:
            # the printed result is then the answer.
            prose = parsed.prose if action is None else ""
            answer = grounded_answer(prose, printed) or computed or gen.text.strip()
            if runtime.sandbox_error is not None and act_allowed:
                answer = f"{answer}\n\n(Code could not run: {runtime.sandbox_error}) {DOCKER_HINT}".strip()
            cut = gen.finish_reason == "length" and answer == prose.strip()
            yield Solved(answer=answer, cut_reason=_cut_reason(runtime) if cut else "")
            return
        insist = False  # the model has tried code: its words after that are its answer
        if (reason := runtime.budget.take_action()) is not None:
            yield Solved(ending=Ending("budget", reason))
            return
        if wants_vote(runtime, action, first=step_no == 1):
            ballot: Ballot | None = None
            async for vote_item in vote_on(runtime, action, transcript, system=system, parent=parent,
                                           model=model):
                if isinstance(vote_item, Ballot):
                    ballot = vote_item
                else:
                    yield vote_item
            assert ballot is not None
            if ballot.ending is not None:
                yield Solved(ending=ballot.ending)
                return
            if ballot.answer:
                runtime.last_output = ballot.output
                yield Solved(answer=ballot.answer)
                return
            # No candidate ran cleanly: the error-and-fix loop goes on from the first one.
            transcript.append(ChatMessage("assistant", parsed.text))
            first = ballot.first
            assert first is not None
            attempt, previous = 1, first.failure
            decision = runtime.policy.decide(first.failure or Failure("error", first.observation), attempt)
            if decision.strategy == "fail":
                yield Solved(ending=Ending("failed", decision.reason))
                return
            transcript.append(ChatMessage("user", f"Observation:\n{first.observation}\n\n"
                                          f"{guidance(decision.strategy)}"))
            can_act = runtime.sandbox_error is None
            continue
        transcript.append(ChatMessage("assistant", parsed.text))
        kind: StepKind = action.kind
        drafted = action
        while True:
            acting = Acting(runtime, action, parent, kind)
            async for event in acting.events():
                yield event
            result = acting.result
            if result.ending is not None:
                yield acting.ended(runtime)
                yield Solved(ending=result.ending)
                return
            if result.not_run:
                yield runtime.finish(result.step, "skipped", reason=result.not_run)
                yield Solved(answer=f"{gen.text.strip()}\n\n(Not run: {result.not_run}.)", skipped=True)
                return
            if result.failure is None:
                attempt, previous = 0, None
                computed = result.output.strip()
                done_signatures.update((action.signature, drafted.signature))
                printed = computed if action.kind == "code" or action.tool == "calc" else ""
                runtime.last_output = computed or runtime.last_output
                yield runtime.finish(result.step, "success", output=result.observation)
                transcript.append(observation_message(result.observation))
                break
            repaired = missing_import_fix(action, result.failure)
            if repaired is not None and (reason := runtime.budget.take_action()) is None:
                # A missing import is fixed without asking the model (small models often leave it out).
                action, why = repaired
                yield runtime.finish(result.step, "retry", output=result.observation,
                                     strategy="retry_with_fix",
                                     reason=why)
                kind = "retry"
                continue
            attempt += 1
            decision = runtime.policy.decide(result.failure, attempt, previous=previous, optional=optional)
            previous = result.failure
            yield runtime.finish(result.step, _STATUS_FOR[decision.strategy], output=result.observation,
                                 strategy=decision.strategy, reason=decision.reason)
            if decision.strategy == "retry":
                if (reason := runtime.budget.take_action()) is not None:
                    yield Solved(ending=Ending("budget", reason))
                    return
                kind = "retry"
                continue
            if decision.strategy == "fail":
                yield Solved(ending=Ending("failed", decision.reason))
                return
            if decision.strategy == "skip" and result.failure.kind != "unavailable":
                yield Solved(answer=f"(Skipped: {decision.reason}.)", skipped=True)
                return
            if result.failure.kind == "unavailable":
                # Stop trying after the first refusal: the model answers in words from here on.
                can_act = False
                transcript.append(ChatMessage("user", "Code cannot run here. Answer the task in words, "
                                              "without code."))
                break
            # Tool calls that went wrong keep their observation: it tells how to call the tool.
            redraft = action.kind == "code" and decision.strategy in ("retry_with_fix", "alternative")
            if redraft and runtime.agent.retry_mode == "redraft":
                # A small model rarely fixes code from a traceback; a new draft from the task alone,
                # without the failed program in front of it, more often works.
                transcript.pop()
                redrafts, redrafting = redrafts + 1, True
                break
            transcript.append(ChatMessage("user", f"Observation:\n{result.observation}\n\n"
                                          f"{guidance(decision.strategy)}"))
            break


def _cut_reason(runtime: AgentRuntime) -> str:
    limit = runtime.settings.llm.max_tokens
    return (f"it reached the {limit}-token limit (llm.max_tokens); "
            "continue it with Ctrl+E or `glassbox ask --continue`")
