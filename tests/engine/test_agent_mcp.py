"""MCP tools in the agent loop: a real MCP server over stdio, a scripted model that calls it."""

from __future__ import annotations

import sys
from pathlib import Path

from engine.config import McpServerSettings, McpSettings, Settings, load_settings
from engine.events import Notice, RunFinished, StepFinished
from engine.service import SubmitOptions
from tests.fakes import Engines, tool_block

SERVER = Path(__file__).resolve().parents[1] / "mcp_server.py"


def mcp_settings(**servers: McpServerSettings) -> Settings:
    """The default settings with these MCP servers."""
    settings = load_settings()
    return settings.model_copy(update={"mcp": McpSettings(servers=servers, startup_timeout_s=60)})


async def test_an_mcp_tool_is_listed_called_and_observed(gb_home: Path, engines: Engines) -> None:
    calc = McpServerSettings(command=sys.executable, args=[str(SERVER)])
    call = tool_block('{"name": "calc.add", "arguments": {"a": 17, "b": 25}}')
    engine, model, _ = await engines.agent([call, "The sum is 42.", call, "Not run."],
                                           settings=mcp_settings(calc=calc))
    session = await engine.new_session()
    events = await engine.submit(session.id, "add 17 and 25 with the calc tool",
                                 SubmitOptions(mode="agent", plan="never")).wait()
    assert isinstance(events[-1], RunFinished) and events[-1].status == "completed"
    system = model.prompts[0][0].content
    assert "calc.add(a: integer, b: integer)" in system and "calc.reverse(" in system
    tool = next(e for e in events if isinstance(e, StepFinished) and e.kind == "tool")
    assert tool.status == "success" and "42" in tool.output
    observed = model.prompts[1][-1].content
    assert observed.startswith("Observation:") and "42" in observed

    # Approval applies to MCP tools as to code: `never` shows the call without making it.
    events = await engine.submit(session.id, "add 1 and 2", SubmitOptions(
        mode="agent", plan="never", approval="never")).wait()
    tool = next(e for e in events if isinstance(e, StepFinished) and e.kind == "tool")
    assert tool.status == "skipped"


async def test_a_failed_server_gives_one_notice_and_the_run_goes_on(gb_home: Path, engines: Engines) -> None:
    gone = McpServerSettings(command="/nonexistent/mcp")
    engine, _, _ = await engines.agent(["Hello."], settings=mcp_settings(gone=gone))
    session = await engine.new_session()
    events = await engine.submit(session.id, "hi", SubmitOptions(mode="agent", plan="never")).wait()
    notices = [e for e in events if isinstance(e, Notice) and "MCP server gone" in e.text]
    assert len(notices) == 1 and isinstance(events[-1], RunFinished) and events[-1].status == "completed"
    events = await engine.submit(session.id, "hi again", SubmitOptions(mode="agent", plan="never")).wait()
    assert not [e for e in events if isinstance(e, Notice) and "MCP server gone" in e.text]
