"""`glassbox runs list` and `glassbox runs show` over a stored agent run."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from engine.service import Engine, SubmitOptions
from tests.fakes import FakeResult, FakeSandbox, RecordingModel, python_block
from tui.cli import main


async def _record_run() -> tuple[str, str]:
    traceback = "Traceback (most recent call last):\nNameError: name 'x' is not defined"
    sandbox = FakeSandbox(results=[FakeResult(stderr=traceback, exit_code=1), FakeResult(stdout="5\n")])
    model = RecordingModel([python_block("print(x)"), python_block("x = 5\nprint(x)"), "x is 5"])
    engine = await Engine.open(model=model, sandbox=sandbox, memory=False)
    try:
        session = await engine.new_session()
        options = SubmitOptions(mode="agent", plan="never")
        events = await engine.submit(session.id, "set x to 5", options).wait()
    finally:
        await engine.close()
    return events[0].run_id, session.id


def test_runs_show_prints_the_step_tree(gb_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_id, session_id = asyncio.run(_record_run())
    assert main(["runs", "show", run_id[:10]]) == 0
    out = capsys.readouterr().out
    assert f"Run {run_id[:8]}  completed (answered)" in out
    assert "Task: set x to 5" in out and "Answer: x is 5" in out
    assert "↻ code" in out and "decision: retry_with_fix" in out and "NameError" in out
    assert "exec " in out and "exit 1" in out and "exit 0" in out
    assert out.index("print(x)") < out.index("x = 5")
    assert main(["runs", "list", "--session", session_id]) == 0
    listing = capsys.readouterr().out
    assert run_id[:8] in listing and "completed" in listing and "set x to 5" in listing
    assert main(["runs", "show", run_id, "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0]["type"] == "run" and rows[0]["answer"] == "x is 5"
    kinds = [r["kind"] for r in rows if r["type"] == "step"]
    assert kinds == ["think", "code", "think", "code", "think", "answer"]
    assert sum(r["type"] == "execution" for r in rows) == 2


def test_runs_show_unknown_id_fails_clearly(gb_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "show", "nope"]) == 2
    assert "No run matches 'nope'" in capsys.readouterr().err
    assert main(["runs", "list"]) == 0
    assert "No runs yet." in capsys.readouterr().out
