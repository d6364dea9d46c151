"""Agent tools (workspace files, calculator, search), the reply parser and the recovery policy."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine.agent.calc import CalcError, evaluate
from engine.agent.parse import has_complete_action, parse_reply
from engine.agent.recovery import Failure, RecoveryPolicy
from engine.agent.tools import ToolContext, default_tools
from engine.agent.workspace import READ_LIMIT
from engine.events import MessageDone
from engine.paths import app_paths
from engine.service import SubmitOptions
from tests.fakes import Engines, FakeSandbox, tool_block


@pytest.mark.parametrize(("expression", "value"), [
    ("17*23", 391), ("2 ** 10", 1024), ("(1 + 2) * 3 - 4 / 2", 7), ("sqrt(16) + abs(-2)", 6),
    ("7 // 2 + 7 % 2", 4), ("round(pi, 2)", 3.14), ("2^3", 8), ("-5 + +3", -2),
])
def test_calc_evaluates_arithmetic(expression: str, value: float) -> None:
    assert evaluate(expression) == value


@pytest.mark.parametrize("expression", [
    "__import__('os').system('ls')", "open('x')", "x + 1", "[1, 2]", "9 ** 9 ** 9", "1 / 0",
    "(lambda: 1)()", "a" * 400, "factorial(5000)", "True + 1",
])
def test_calc_refuses_anything_else(expression: str) -> None:
    with pytest.raises(CalcError):
        evaluate(expression)


@pytest.mark.parametrize("expression", ["(10**300)**9999", "(9*10**299)**10000", "round(5, -10**8)"])
def test_calc_refuses_huge_work_at_once(expression: str) -> None:
    began = time.perf_counter()
    with pytest.raises(CalcError) as refused:
        evaluate(expression)
    assert time.perf_counter() - began < 0.2  # it runs on the event loop
    assert ".." not in str(refused.value)


def test_parse_reply_variants() -> None:
    parsed = parse_reply("Let me compute.\n```python\nprint(1)\n```\nThe answer is 1.")
    assert parsed.action is not None and parsed.action.code == "print(1)"
    assert parsed.text.endswith("```") and "answer is" not in parsed.text
    assert parse_reply("```py\nprint(2)").action is not None  # unterminated final block
    bash = parse_reply("```bash\nls -la\n```").action
    assert bash is not None and bash.language == "bash"
    tool = parse_reply('```tool\n{"name": "calc", "arguments": {"expression": "1+1"}}\n```').action
    assert tool is not None and tool.kind == "tool" and tool.arguments == {"expression": "1+1"}
    variant = parse_reply('```json\n{"tool": "calc", "args": {"expression": "2"}}\n```').action
    assert variant is not None and variant.tool == "calc"
    assert parse_reply('```json\n{"a": 1}\n```').action is None  # plain JSON in an answer is not a call
    assert parse_reply("```text\nhello\n```").action is None
    plain = parse_reply("The answer is 4.")
    assert plain.action is None and plain.prose == "The answer is 4."
    assert has_complete_action("```python\nprint(1)\n```")
    assert not has_complete_action("```python\nprint(1)\n")


def test_recovery_policy_is_bounded() -> None:
    policy = RecoveryPolicy(max_retries=2)
    error = Failure("error", "Traceback...\nNameError: x")
    assert policy.decide(error, 1).strategy == "retry_with_fix"
    assert policy.decide(error, 2, previous=error).strategy == "alternative"
    assert policy.decide(error, 3).strategy == "fail"
    assert policy.decide(error, 3, optional=True).strategy == "skip"
    assert policy.decide(Failure("infra", "container died"), 1).strategy == "retry"
    assert policy.decide(Failure("infra", "container died"), 2).strategy == "alternative"
    assert policy.decide(Failure("oom", "out of memory"), 1).strategy == "alternative"
    assert policy.decide(Failure("unavailable", "Docker down"), 1).strategy == "skip"
    assert all(policy.decide(error, n).reason for n in range(1, 4))


async def test_workspace_file_tools_refuse_traversal(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    engine, _, runner = await engines.agent([], FakeSandbox(workspace=tmp_path / "ws"))
    tools = default_tools()
    context = ToolContext(engine.sandbox, engine.search, "s1")
    wrote = await tools.call("write_file", {"path": "notes/a.txt", "content": "hello"}, context)
    assert wrote.failure is None
    # The file lands in the sandbox's /workspace (here the fake's folder), not a host folder.
    assert (tmp_path / "ws" / "notes" / "a.txt").read_text() == "hello"
    assert not (app_paths().workspaces_dir / "s1").exists()
    read = await tools.call("read_file", {"path": "/workspace/notes/a.txt"}, context)
    assert (read.output, read.failure) == ("hello", None)
    listing = await tools.call("list_files", {}, context)
    assert "notes/" in listing.output
    (tmp_path / "secret.txt").write_text("secret")
    ops = len(runner.file_ops)
    for path in ("../secret.txt", "../../secret.txt", str(tmp_path / "secret.txt"), "notes/../../s2/x"):
        result = await tools.call("read_file", {"path": path}, context)
        assert result.failure == "error" and "outside the workspace" in result.output, path
    escaped = await tools.call("write_file", {"path": "../evil.txt", "content": "x"}, context)
    assert escaped.failure == "error" and not (app_paths().workspaces_dir / "evil.txt").exists()
    assert not (tmp_path / "evil.txt").exists()
    assert len(runner.file_ops) == ops  # refused on the host, before reaching the sandbox
    missing = await tools.call("read_file", {"path": "nope.txt"}, context)
    assert missing.failure == "error" and "No file" in missing.output
    bad = await tools.call("read_file", {"path": "a", "mode": "w"}, context)
    assert bad.failure == "bad_arguments"
    assert runner.calls == []  # the tools' snippets are not code executions


async def test_workspace_file_tools_check_inside_the_sandbox(
    gb_home: Path, tmp_path: Path, engines: Engines
) -> None:
    workspace = tmp_path / "ws"
    engine, _, _ = await engines.agent([], FakeSandbox(workspace=workspace))
    tools = default_tools()
    context = ToolContext(engine.sandbox, engine.search, "s1")
    workspace.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    # Code in the sandbox may leave a symlink that points out; the container-side check refuses it.
    (workspace / "link.txt").symlink_to(tmp_path / "secret.txt")
    linked = await tools.call("read_file", {"path": "link.txt"}, context)
    assert linked.failure == "error" and "outside the workspace" in linked.output
    (workspace / "big.txt").write_text("é" * (READ_LIMIT + 50))
    big = await tools.call("read_file", {"path": "big.txt"}, context)
    assert big.failure is None and big.output.startswith("é" * READ_LIMIT)
    assert "[... file cut ...]" in big.output
    assert len(big.output) < READ_LIMIT + 40
    call = tools.call
    assert (await call("list_files", {"path": "big.txt"}, context)).failure == "error"
    assert (await call("read_file", {"path": "/workspace"}, context)).failure == "error"
    assert (await call("write_file", {"path": "/workspace", "content": "x"}, context)).failure == "error"
    text = 'quotes \'"\\ and\nlines \u2603 ```'
    assert (await call("write_file", {"path": "odd name.txt", "content": text}, context)).failure is None
    assert (await call("read_file", {"path": "odd name.txt"}, context)).output == text


async def test_workspace_file_tools_without_a_sandbox(gb_home: Path, engines: Engines) -> None:
    engine, _, _ = await engines.agent([], FakeSandbox(unavailable="Docker is not running"))
    context = ToolContext(engine.sandbox, engine.search, "s1")
    result = await default_tools().call("write_file", {"path": "a.txt", "content": "x"}, context)
    assert result.failure == "unavailable" and "Docker is not running" in result.output
    assert RecoveryPolicy(2).decide(Failure(result.failure, result.output), 1).strategy == "skip"


async def test_search_tool_finds_past_sessions(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    replies = ["The launch code is pineapple.",
               tool_block('{"name": "search", "arguments": {"query": "pineapple"}}'), "It was pineapple."]
    engine, model, _ = await engines.agent(replies)
    options = SubmitOptions(mode="agent", plan="never")
    first = await engine.new_session()
    await engine.submit(first.id, "remember: pineapple", options).wait()
    second = await engine.new_session()
    events = await engine.submit(second.id, "what was the launch code?", options).wait()
    assert next(e for e in events if isinstance(e, MessageDone)).text == "It was pineapple."
    observation = model.prompts[-1][-1].content
    assert "launch code is pineapple" in observation and first.id[:8] in observation
