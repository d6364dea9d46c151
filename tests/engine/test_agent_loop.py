"""The agent loop with a scripted model and a fake sandbox: answer, act, recover, budgets."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from engine.agent.loop import UNCHECKED_NOTICE, run_agent
from engine.agent.solve import CODE_FIRST_NOTICE, yes_or_no
from engine.events import (
    CodeExecStarted,
    Event,
    ExecFinished,
    ExecOutput,
    MessageDone,
    Notice,
    RunFinished,
    StepFinished,
    TokenDelta,
    UsageUpdated,
)
from engine.llm.base import ChatMessage
from engine.run import RunContext, SubmitOptions, WorkedExample
from tests.fakes import Engines, FakeResult, FakeSandbox, python_block, tool_block

AGENT = SubmitOptions(mode="agent", plan="never")


def finished_steps(events: Sequence[Event]) -> list[StepFinished]:
    return [e for e in events if isinstance(e, StepFinished)]


def final(events: Sequence[Event]) -> tuple[MessageDone, RunFinished]:
    done = [e for e in events if isinstance(e, MessageDone)]
    end = events[-1]
    assert isinstance(end, RunFinished), end
    assert len(done) == 1
    return done[0], end


async def test_direct_answer_runs_nothing(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    engine, model, sandbox = await engines.agent(["Paris is the capital of France."])
    session = await engine.new_session()
    events = await engine.submit(session.id, "What is the capital of France?", AGENT).wait()
    message, end = final(events)
    assert message.text == "Paris is the capital of France."
    assert end.status == "completed" and end.final_message_id == message.message_id
    assert sandbox.calls == []
    assert [(s.kind, s.status) for s in finished_steps(events)] == [
        ("think", "success"), ("answer", "success")]
    deltas = [e for e in events if isinstance(e, TokenDelta)]
    assert deltas and all(d.message_id == message.message_id and d.step_id for d in deltas)
    assert sum(isinstance(e, UsageUpdated) for e in events) == 1
    system = model.prompts[0][0]
    assert system.role == "system" and "```tool" in system.content and "calc(expression)" in system.content
    history = await engine.history(session.id)
    assert history[-1].content == message.text and history[-1].status == "complete"
    # Nothing ran: the answer says it was not checked (no answer like it was right on the eval).
    assert [e.text for e in events if isinstance(e, Notice)] == [UNCHECKED_NOTICE]


FIBONACCI = "What is the 45th Fibonacci number, worked out in a loop?"  # not read whole: the model is asked


async def test_an_answer_in_words_to_a_task_with_values_is_asked_for_code(gb_home: Path,
                                                                          engines: Engines) -> None:
    sandbox = FakeSandbox(results=[FakeResult(stdout="1134903170\n")])
    program = python_block("a, b = 0, 1\nfor _ in range(45):\n    a, b = b, a + b\nprint(a)")
    engine, model, _ = await engines.agent(["The 45th Fibonacci number is 701408733.", program, ""], sandbox)
    session = await engine.new_session()
    events = await engine.submit(session.id, FIBONACCI, AGENT).wait()
    message, end = final(events)
    assert message.text == "1134903170" and end.status == "completed"
    assert len(sandbox.calls) == 1
    asked = model.prompts[1][-1]
    assert asked.role == "user" and "Python program" in asked.content
    assert model.prompts[1][-2].content == "The 45th Fibonacci number is 701408733."
    assert CODE_FIRST_NOTICE in [e.text for e in events if isinstance(e, Notice)]


async def test_code_first_asks_once_and_not_for_a_task_without_values(gb_home: Path,
                                                                      engines: Engines) -> None:
    engine, model, sandbox = await engines.agent(["It is 701408733.", "Still 701408733."])
    session = await engine.new_session()
    message, _ = final(await engine.submit(session.id, FIBONACCI, AGENT).wait())
    assert message.text == "Still 701408733." and len(model.prompts) == 2 and sandbox.calls == []
    engine, model, _ = await engines.agent(["Recursion is a function calling itself."])
    session = await engine.new_session()
    message, _ = final(await engine.submit(session.id, "Explain recursion.", AGENT).wait())
    assert message.text == "Recursion is a function calling itself." and len(model.prompts) == 1
    engine, model, _ = await engines.agent(["It is 701408733."])
    engine.settings.agent.code_first = False
    message, _ = final(await engine.submit((await engine.new_session()).id, FIBONACCI, AGENT).wait())
    assert message.text == "It is 701408733." and len(model.prompts) == 1


async def test_one_action_then_answer_and_stable_prefix(gb_home: Path, engines: Engines) -> None:
    sandbox = FakeSandbox(results=[FakeResult(stdout="391\n")])
    engine, model, _ = await engines.agent([python_block("print(17 * 23)"), "17 * 23 = 391"], sandbox)
    session = await engine.new_session()
    # "Multiply 17 by 23.", not "What is 17 * 23?": written-out arithmetic runs without the model
    events = await engine.submit(session.id, "Multiply 17 by 23.", AGENT).wait()
    message, end = final(events)
    assert message.text == "17 * 23 = 391" and end.status == "completed"
    assert sandbox.calls == [("python", "print(17 * 23)")]
    kinds = [type(e).__name__ for e in events if isinstance(e, CodeExecStarted | ExecOutput | ExecFinished)]
    assert kinds == ["CodeExecStarted", "ExecOutput", "ExecFinished"]
    assert [(s.kind, s.status) for s in finished_steps(events)] == [
        ("think", "success"), ("code", "success"), ("think", "success"), ("answer", "success")]
    first, second = model.prompts
    # Append-only transcript: the second prompt extends the first, so the prefix cache holds.
    assert second[: len(first)] == first
    assert second[-1].role == "user" and "391" in second[-1].content
    assert second[-2] == ChatMessage("assistant", python_block("print(17 * 23)"))
    # The run can be replayed from the file: steps and executions match the events.
    run_id = events[0].run_id
    stored = await engine.store.steps(run_id)
    assert [(s.id, s.kind, s.status) for s in stored] == [
        (s.step_id, s.kind, s.status) for s in finished_steps(events)]
    code_step = next(s for s in stored if s.kind == "code")
    assert code_step.input == "print(17 * 23)" and "391" in code_step.output
    executions = await engine.store.executions(run_id)
    assert len(executions) == 1 and executions[0].stdout == "391\n"
    assert executions[0].step_id == code_step.id


async def test_computed_answer_comes_from_printed_output(gb_home: Path, engines: Engines) -> None:
    code = python_block("print(2 ** 10)")
    # The model repeats its code instead of answering: the printed value is the answer.
    sandbox = FakeSandbox(results=[FakeResult(stdout="1024\n")])
    engine, _, _ = await engines.agent([code, code], sandbox)
    session = await engine.new_session()
    events = await engine.submit(session.id, "2 to the 10th?", AGENT).wait()
    message, end = final(events)
    assert message.text == "1024" and end.status == "completed" and len(sandbox.calls) == 1
    assert not any(isinstance(e, Notice) for e in events)  # checked by running code
    # ... and when it says nothing at all.
    sandbox.results.append(FakeResult(stdout="1024\n"))
    engine._model = type(engine._model)([code, ""])  # type: ignore[call-arg]
    message, _ = final(await engine.submit(session.id, "again?", AGENT).wait())
    assert message.text == "1024"


async def test_a_yes_no_question_answered_by_true_or_false_says_yes_or_no(gb_home: Path,
                                                                          engines: Engines) -> None:
    code = python_block("n = 91\nprint(all(n % d for d in range(2, n)))")
    sandbox = FakeSandbox(results=[FakeResult(stdout="False\n")])
    engine, _, _ = await engines.agent([code, code], sandbox)
    session = await engine.new_session()
    message, _ = final(await engine.submit(session.id, "Is 91 a prime number?", AGENT).wait())
    assert message.text == "No (the program printed False)"


def test_yes_or_no_only_rewords_a_lone_true_or_false_to_a_yes_no_question() -> None:
    note = "(Worked out by a library example's program.)"
    assert yes_or_no("Does 2024 fall in a leap year? Answer yes or no.", f"True\n\n{note}") == (
        f"Yes (the program printed True)\n\n{note}")
    assert yes_or_no("Check whether 'level' is a palindrome.", "True") == "Yes (the program printed True)"
    assert yes_or_no("What does bool(0) give?", "False") == "False"  # not a yes-or-no question
    assert yes_or_no("Is 91 prime?", "91 = 7 * 13, so no: False") == "91 = 7 * 13, so no: False"
    assert yes_or_no("Is 91 prime?", "[True, False]") == "[True, False]"


async def test_generation_stops_once_the_action_block_closes(gb_home: Path, engines: Engines) -> None:
    reply = python_block("print(1)") + "\nOutput: 1 and then lots of invented text " * 5
    engine, _, _ = await engines.agent([reply, "1"], FakeSandbox(results=[FakeResult(stdout="1\n")]))
    session = await engine.new_session()
    events = await engine.submit(session.id, "print one", AGENT).wait()
    first_think = finished_steps(events)[0]
    assert first_think.output.strip().endswith("```") and "invented" not in first_think.output


async def test_error_then_fix_records_strategy(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    traceback = ("Traceback (most recent call last):\n  File \"<stdin>\", line 1\n"
                 "NameError: name 'x' is not defined")
    sandbox = FakeSandbox(results=[FakeResult(stderr=traceback, exit_code=1), FakeResult(stdout="5\n")])
    replies = [python_block("print(x)"), python_block("x = 5\nprint(x)"), "5"]
    engine, model, _ = await engines.agent(replies, sandbox)
    engine.settings.agent.retry_mode = "fix"
    session = await engine.new_session()
    events = await engine.submit(session.id, "Set x to 5 and print it", AGENT).wait()
    message, end = final(events)
    assert message.text == "5" and end.status == "completed"
    failed = next(s for s in finished_steps(events) if s.kind == "code")
    assert failed.status == "retry" and failed.strategy == "retry_with_fix"
    assert failed.reason is not None and "NameError" in failed.reason
    fix_prompt = model.prompts[1][-1].content
    assert "NameError" in fix_prompt and "Fix the error" in fix_prompt
    stored = await engine.store.steps(events[0].run_id)
    assert any(s.strategy == "retry_with_fix" and s.status == "retry" for s in stored)


async def test_failing_until_retries_run_out_fails_the_run_clearly(gb_home: Path, engines: Engines) -> None:
    errors = [FakeResult(stderr=f"ValueError: bad {i}", exit_code=1) for i in range(3)]
    replies = [python_block(f"raise ValueError('bad {i}')") for i in range(3)]
    engine, _, _ = await engines.agent(replies, FakeSandbox(results=errors))
    engine.settings.agent.max_retries = 1
    session = await engine.new_session()
    events = await engine.submit(session.id, "do it", AGENT).wait()
    message, end = final(events)
    assert end.status == "failed" and "max_retries" in end.reason
    assert message.text.startswith("I could not complete the task")
    strategies = [s.strategy for s in finished_steps(events) if s.kind == "code"]
    assert strategies == ["retry_with_fix", "fail"]
    run = await engine.store.get_run(events[0].run_id)
    assert run is not None and run.status == "failed"


async def test_timeout_picks_an_alternative(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    sandbox = FakeSandbox(results=[FakeResult(timed_out=True, exit_code=-1), FakeResult(stdout="ok\n")])
    replies = [python_block("while True: pass"), python_block("print('ok')"), "ok"]
    engine, model, _ = await engines.agent(replies, sandbox)
    engine.settings.agent.retry_mode = "fix"
    session = await engine.new_session()
    events = await engine.submit(session.id, "loop", AGENT).wait()
    assert final(events)[1].status == "completed"
    first = next(s for s in finished_steps(events) if s.kind == "code")
    assert first.strategy == "alternative" and "time" in (first.reason or "")
    assert "different" in model.prompts[1][-1].content


async def test_step_budget_ends_with_reason(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    counter = iter(range(100))

    def new_code(messages: Sequence[ChatMessage]) -> str:
        return python_block(f"print({next(counter)})")

    sandbox = FakeSandbox(handler=lambda code: FakeResult(stdout=code[6:-1] + "\n"))
    engine, _, _ = await engines.agent([new_code], sandbox, repeat_last=True)
    engine.settings.agent.max_steps = 2
    session = await engine.new_session()
    events = await engine.submit(session.id, "count forever", AGENT).wait()
    message, end = final(events)
    assert end.status == "budget" and end.reason.startswith("max_steps")
    assert len(sandbox.calls) == 2 and message.text.startswith("Stopped: max_steps")
    run = await engine.store.get_run(events[0].run_id)
    assert run is not None and run.status == "budget" and run.reason.startswith("max_steps")


async def test_token_budget_ends_with_reason(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    engine, _, _ = await engines.agent(["word " * 500])
    engine.settings.agent.max_tokens_per_run = 120
    session = await engine.new_session()
    events = await engine.submit(session.id, "talk", AGENT).wait()
    _, end = final(events)
    assert end.status == "budget" and end.reason.startswith("max_tokens_per_run")
    usage = [e for e in events if isinstance(e, UsageUpdated)]
    assert sum(u.prompt_tokens + u.completion_tokens for u in usage) <= 120


async def test_wall_time_budget_ends_with_reason(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    engine, _, _ = await engines.agent(["slow " * 200], token_delay_s=0.01)
    engine.settings.agent.max_wall_s = 0.3
    session = await engine.new_session()
    events = await engine.submit(session.id, "slow", AGENT).wait()
    _, end = final(events)
    assert end.status == "budget" and end.reason.startswith("max_wall_s")
    assert end.duration_s < 2


async def test_bad_tool_arguments_come_back_as_observation(gb_home: Path, engines: Engines) -> None:
    replies = [
        tool_block('{"name": "calc", "arguments": {"expr": "2+2"}}'),
        tool_block('{"name": "calc", "arguments": {"expression": "6*7"}}'),
        "",
    ]
    engine, model, sandbox = await engines.agent(replies)
    session = await engine.new_session()
    events = await engine.submit(session.id, "six times seven", AGENT).wait()
    message, end = final(events)
    assert message.text == "42" and end.status == "completed" and sandbox.calls == []
    tool_steps = [s for s in finished_steps(events) if s.kind == "tool"]
    assert [(s.status, s.strategy) for s in tool_steps] == [("retry", "retry_with_fix"), ("success", None)]
    observation = model.prompts[1][-1].content
    assert "Bad arguments for calc" in observation and "expression" in observation


async def test_unknown_tool_and_broken_json(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    replies = [tool_block('{"name": "fly", "arguments": {}}'), tool_block("{not json"), "I cannot."]
    engine, model, _ = await engines.agent(replies)
    session = await engine.new_session()
    events = await engine.submit(session.id, "fly", AGENT).wait()
    assert final(events)[0].text == "I cannot."
    steps = [s for s in finished_steps(events) if s.kind == "tool"]
    assert [s.strategy for s in steps] == ["alternative", "retry_with_fix"]
    assert "no tool named 'fly'" in model.prompts[1][-1].content
    assert "not valid JSON" in model.prompts[2][-1].content


async def test_sandbox_unavailable_still_answers(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    sandbox = FakeSandbox(unavailable="Docker is not running.")
    engine, model, _ = await engines.agent([python_block("print(1)"), "It is 1."], sandbox)
    session = await engine.new_session()
    events = await engine.submit(session.id, "one?", AGENT).wait()
    message, end = final(events)
    assert message.text.startswith("It is 1.") and end.status == "completed"
    # The answer says how to get code running; the loop tried once, then answered in words.
    assert "Docker is not running" in message.text and "glassbox sandbox build" in message.text
    assert any(isinstance(e, Notice) and "Docker is not running" in e.text for e in events)
    code = [s for s in finished_steps(events) if s.kind == "code"]
    assert len(code) == 1 and code[0].status == "skipped" and code[0].strategy == "skip"
    assert len(model.prompts) == 2 and "without code" in model.prompts[1][-1].content


async def test_long_observation_is_cut_head_and_tail(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    long = "".join(f"line {i}\n" for i in range(2000))
    sandbox = FakeSandbox(results=[FakeResult(stdout=long)])
    engine, model, _ = await engines.agent([python_block("print(lines)"), "done"], sandbox)
    engine.settings.agent.observation_tokens = 50
    session = await engine.new_session()
    await engine.submit(session.id, "print lines", AGENT).wait()
    seen = model.prompts[1][-1].content
    assert "line 0" in seen and "line 1999" in seen and "characters cut" in seen
    assert len(seen) < 400


async def test_worked_examples_go_after_the_stable_system_prompt(gb_home: Path, engines: Engines) -> None:
    engine, model, _ = await engines.agent(["42", "43"])
    example = WorkedExample(task="What is 6*7?", language="python", code="print(6 * 7)", output="42",
                            answer="42", source="library:arith-x", similarity=0.8)

    async def with_examples(context: RunContext) -> AsyncIterator[Event]:
        async for event in run_agent(dataclasses.replace(context, examples=(example,))):
            yield event

    session = await engine.new_session()
    await engine.submit(session.id, "six times seven?", AGENT).wait()
    engine.answer = with_examples
    await engine.submit(session.id, "and again?", AGENT).wait()
    plain, shown = model.prompts
    assert plain[0] == shown[0]  # the system prompt is the same with or without examples
    assert "6 * 7" not in shown[0].content
    # The example is a run of earlier turns (task, code, observation, answer), never pasted into the task.
    contents = [m.content for m in shown]
    at = contents.index("What is 6*7?")
    assert shown[at + 1].role == "assistant" and "print(6 * 7)" in shown[at + 1].content
    assert shown[at + 2].content.startswith("Observation:") and "42" in shown[at + 2].content
    assert shown[at + 3].content == "42"
    assert shown[-1].role == "user" and shown[-1].content == "and again?"


async def test_a_reply_that_repeats_the_error_ends_the_run_as_failed(gb_home: Path, engines: Engines) -> None:
    error = ("Traceback (most recent call last):\n  File \"<cell 1>\", line 1\n"
             "TypeError: type 'str' is not subscriptable")
    # The model copies the observation back instead of writing a fix (seen with the 135M model).
    replies = [python_block("print(str[::-1])"),
               f"{error}\nFix the error and reply with the corrected code in one block."]
    engine, _, _ = await engines.agent(replies, FakeSandbox(results=[FakeResult(stderr=error, exit_code=1)]))
    session = await engine.new_session()
    events = await engine.submit(session.id, "Reverse the string 'abc' and print it twice.", AGENT).wait()
    message, end = final(events)
    assert end.status == "failed"
    assert "TypeError: type 'str' is not subscriptable" in end.reason and "instead of fixing it" in end.reason
    assert message.text.startswith("I could not complete the task")
    assert not any(s.kind == "answer" for s in finished_steps(events))


async def test_an_answer_after_a_fixed_error_is_still_an_answer(gb_home: Path, engines: Engines) -> None:
    error = "NameError: name 'x' is not defined"
    sandbox = FakeSandbox(results=[FakeResult(stderr=error, exit_code=1)])
    # No fix, but an answer in words that does not repeat the error: it stands (marked unchecked).
    engine, _, _ = await engines.agent([python_block("print(x)"), "x is 5"], sandbox)
    session = await engine.new_session()
    events = await engine.submit(session.id, "Set x to 5 and print it", AGENT).wait()
    message, end = final(events)
    assert end.status == "completed" and message.text == "x is 5"


async def test_redraft_drafts_anew_from_the_task_with_another_seed(gb_home: Path, engines: Engines) -> None:
    error = "NameError: name 'x' is not defined"
    sandbox = FakeSandbox(results=[FakeResult(stderr=error, exit_code=1), FakeResult(stdout="5\n")])
    replies = [python_block("print(x)"), python_block("print(5)"), "5"]
    engine, model, _ = await engines.agent(replies, sandbox)
    engine.settings.agent.retry_mode = "redraft"
    session = await engine.new_session()
    events = await engine.submit(session.id, "Print five", AGENT).wait()
    message, end = final(events)
    assert end.status == "completed" and message.text == "5"
    first, redraft = model.prompts[0], model.prompts[1]
    # The failed program and its error are not shown: the second call sees what the first saw.
    assert [m.content for m in redraft] == [m.content for m in first]
    assert model.params[1].seed != model.params[0].seed
    assert model.params[1].temperature == engine.settings.agent.vote_temperature > 0
    assert model.params[0].temperature == engine.settings.llm.temperature
    assert model.params[2].temperature == engine.settings.llm.temperature, "the answer is greedy again"
    failed = next(s for s in finished_steps(events) if s.kind == "code")
    assert failed.status == "retry"


async def test_a_program_that_prints_only_an_object_is_no_answer(gb_home: Path, engines: Engines) -> None:
    """`print(plt.scatter(...))` exits 0 and prints "<... object at 0x...>": that is not shown as the
    answer; the error-and-fix loop goes on, and the fixed program's value is the answer."""
    sandbox = FakeSandbox(results=[
        FakeResult(stdout="<matplotlib.collections.PathCollection object at 0x7f68bfac4810>\n"),
        FakeResult(stdout="11\n")])
    engine, _, _ = await engines.agent(
        [python_block("print(plt.scatter(xs, ys))"), python_block("print(len(xs))"), "11"], sandbox)
    session = await engine.new_session()
    events = await engine.submit(session.id, "How many points did you plot?", AGENT).wait()
    message, end = final(events)
    assert message.text == "11" and end.status == "completed" and len(sandbox.calls) == 2
    codes = [s for s in finished_steps(events) if s.kind == "code"]
    assert [s.status for s in codes] == ["retry", "success"]
    assert "not a value" in (codes[0].reason or ""), codes[0]
