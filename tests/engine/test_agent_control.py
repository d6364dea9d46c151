"""Agent runs the user controls: cancel (mid-generation, mid-execution) and approval modes."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path

from engine.events import (
    ApprovalRequested,
    Event,
    ExecFinished,
    MessageDone,
    RunFinished,
    StepFinished,
    TokenDelta,
)
from engine.service import SubmitOptions
from tests.fakes import Engines, FakeResult, FakeSandbox, python_block, tool_block

AGENT = SubmitOptions(mode="agent", plan="never")


async def test_cancel_mid_execution_kills_it_and_leaves_the_session_usable(
    gb_home: Path, tmp_path: Path, engines: Engines
) -> None:
    sandbox = FakeSandbox(results=[FakeResult(stdout="started\n", duration_s=30), FakeResult(stdout="2\n")])
    replies = [python_block("import time; time.sleep(30)"), python_block("print(1 + 1)"), "2"]
    engine, _, _ = await engines.agent(replies, sandbox)
    session = await engine.new_session()
    handle = engine.submit(session.id, "sleep", AGENT)
    await asyncio.wait_for(sandbox.started.wait(), 5)
    began = time.monotonic()
    handle.cancel()
    events = await asyncio.wait_for(handle.wait(), 5)
    assert time.monotonic() - began < 1.0
    end = events[-1]
    assert isinstance(end, RunFinished) and end.status == "cancelled"
    finished = next(e for e in events if isinstance(e, ExecFinished))
    assert finished.cancelled
    code = next(e for e in events if isinstance(e, StepFinished) and e.kind == "code")
    assert code.status == "failure" and code.reason == "cancelled by the user"
    done = next(e for e in events if isinstance(e, MessageDone))
    assert done.incomplete
    run = await engine.store.get_run(handle.run_id)
    assert run is not None and run.status == "cancelled"
    executions = await engine.store.executions(handle.run_id)
    assert executions[0].cancelled and executions[0].stdout == "started\n"
    # The same session keeps working.
    events = await engine.submit(session.id, "now add", AGENT).wait()
    assert isinstance(events[-1], RunFinished) and events[-1].status == "completed"
    assert next(e for e in events if isinstance(e, MessageDone)).text == "2"


async def test_cancel_during_a_file_tool_ends_the_run_as_cancelled(gb_home: Path, engines: Engines) -> None:
    sandbox = FakeSandbox()
    real_op = sandbox._file_op

    async def slow_op(request: dict[str, object]) -> FakeResult:
        return dataclasses.replace(await real_op(request), duration_s=30)

    sandbox._file_op = slow_op  # type: ignore[method-assign]
    replies = [tool_block('{"name": "write_file", "arguments": {"path": "a.txt", "content": "x"}}'), "never"]
    engine, _, _ = await engines.agent(replies, sandbox)
    session = await engine.new_session()
    handle = engine.submit(session.id, "write a file", AGENT)
    await asyncio.wait_for(sandbox.started.wait(), 5)
    handle.cancel()
    events = await asyncio.wait_for(handle.wait(), 5)
    end = events[-1]
    assert isinstance(end, RunFinished) and end.status == "cancelled", end
    tool = [e for e in events if isinstance(e, StepFinished) and e.kind == "tool"]
    assert [t.status for t in tool] == ["failure"]  # not a retry of a stopped call


async def test_cancel_mid_generation_stops_within_a_token(gb_home: Path, engines: Engines) -> None:
    engine, _, _ = await engines.agent(["word " * 400], token_delay_s=0.01)
    session = await engine.new_session()
    handle = engine.submit(session.id, "talk", AGENT)
    seen: list[Event] = []
    async for event in handle:
        seen.append(event)
        if sum(isinstance(e, TokenDelta) for e in seen) == 5:
            handle.cancel()
    tokens = sum(isinstance(e, TokenDelta) for e in seen)
    assert 5 <= tokens <= 7
    end = seen[-1]
    assert isinstance(end, RunFinished) and end.status == "cancelled"
    done = next(e for e in seen if isinstance(e, MessageDone))
    assert done.incomplete and done.text.startswith("word")


async def test_cancel_before_the_action_runs(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    engine, _, sandbox = await engines.agent([python_block("print(1)")])
    session = await engine.new_session()
    asked = asyncio.Event()

    async def slow_approver(request: ApprovalRequested) -> bool:
        asked.set()
        await asyncio.sleep(30)
        return True

    handle = engine.submit(session.id, "one", SubmitOptions(mode="agent", plan="never", approval="ask",
                                                            approver=slow_approver))
    await asyncio.wait_for(asked.wait(), 5)
    handle.cancel()
    events = await asyncio.wait_for(handle.wait(), 5)
    assert isinstance(events[-1], RunFinished) and events[-1].status == "cancelled"
    assert sandbox.calls == []


async def test_approval_ask_yes_runs_the_code(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    sandbox = FakeSandbox(results=[FakeResult(stdout="3\n")])
    engine, _, _ = await engines.agent([python_block("print(1 + 2)"), "3"], sandbox)
    session = await engine.new_session()
    requests: list[ApprovalRequested] = []

    async def approve(request: ApprovalRequested) -> bool:
        requests.append(request)
        return True

    events = await engine.submit(session.id, "1+2", SubmitOptions(
        mode="agent", plan="never", approval="ask", approver=approve)).wait()
    assert [r.code for r in requests] == ["print(1 + 2)"] and requests[0].language == "python"
    assert requests[0].step_id is not None
    emitted = [e for e in events if isinstance(e, ApprovalRequested)]
    assert emitted == requests
    assert sandbox.calls == [("python", "print(1 + 2)")]
    assert next(e for e in events if isinstance(e, MessageDone)).text == "3"


async def test_approval_ask_no_or_no_approver_skips(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    engine, _, sandbox = await engines.agent([python_block("import os; os.remove('x')")] * 2)
    session = await engine.new_session()

    async def decline(request: ApprovalRequested) -> bool:
        return False

    for options, why in (
        (SubmitOptions(mode="agent", plan="never", approval="ask", approver=decline), "declined"),
        (SubmitOptions(mode="agent", plan="never", approval="ask"), "nobody can answer"),
    ):
        events = await engine.submit(session.id, "delete x", options).wait()
        assert any(isinstance(e, ApprovalRequested) for e in events)
        code = next(e for e in events if isinstance(e, StepFinished) and e.kind == "code")
        assert code.status == "skipped" and why in (code.reason or "")
        end = events[-1]
        assert isinstance(end, RunFinished) and end.status == "completed"
    assert sandbox.calls == []


async def test_approval_never_shows_the_code_without_running_it(gb_home: Path, engines: Engines) -> None:
    engine, _, sandbox = await engines.agent([python_block("print(6 * 7)")])
    engine.settings.agent.approval = "never"
    session = await engine.new_session()
    events = await engine.submit(session.id, "6*7", AGENT).wait()
    assert sandbox.calls == [] and not any(isinstance(e, ApprovalRequested) for e in events)
    code = next(e for e in events if isinstance(e, StepFinished) and e.kind == "code")
    assert code.status == "skipped"
    message = next(e for e in events if isinstance(e, MessageDone))
    assert "print(6 * 7)" in message.text and "never" in message.text
    stored = await engine.store.steps(events[0].run_id)
    assert any(s.kind == "code" and s.status == "skipped" and s.input == "print(6 * 7)" for s in stored)
