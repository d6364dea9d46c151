"""MCP servers through the official SDK: a real test server over stdio and streamable HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.config import McpServerSettings, McpSettings, load_settings
from engine.errors import ConfigError
from engine.mcp import McpError, McpManager, McpToolSpec, tool_line, tools_within_budget

SERVER = Path(__file__).resolve().parents[1] / "mcp_server.py"
ROOT = SERVER.parents[1]
# Starting a Python MCP server imports the SDK: seconds on a busy machine.
STARTUP_S = 60.0


def stdio(*args: str) -> McpServerSettings:
    return McpServerSettings(command=sys.executable, args=[str(SERVER), *args])


def manager(tmp_path: Path, call_timeout_s: float = 30.0, startup_timeout_s: float = STARTUP_S,
            **servers: McpServerSettings) -> McpManager:
    settings = McpSettings(servers=servers, startup_timeout_s=startup_timeout_s,
                           call_timeout_s=call_timeout_s)
    return McpManager(settings, log_dir=tmp_path / "logs")


@pytest.fixture
def http_server() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, str(SERVER), "http", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            assert process.poll() is None, "the HTTP MCP server exited"
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "the HTTP MCP server did not listen"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=30)


async def test_stdio_server_lists_tools_with_schemas_and_calls_them(tmp_path: Path) -> None:
    async with manager(tmp_path, calc=stdio()) as mcp:
        assert mcp.status("calc").state == "idle"  # nothing starts before it is needed
        tools = {t.name: t for t in await mcp.tools()}
        assert {"add", "reverse"} <= set(tools)
        add = tools["add"]
        assert add.server == "calc" and add.qualified_name == "calc.add"
        assert add.description == "Add two integers."
        assert add.input_schema["properties"]["a"]["type"] == "integer"
        assert set(add.input_schema["required"]) == {"a", "b"}
        result = await mcp.call("calc", "add", {"a": 2, "b": 40})
        assert (result.text, result.is_error, result.server_failed) == ("42", False, False)
        assert (await mcp.call("calc", "reverse", {"text": "glassbox"})).text == "xobssalg"
        bad = await mcp.call("calc", "add", {"a": "two"})
        assert bad.is_error and not bad.server_failed and "validation error" in bad.text
        unknown = await mcp.call("calc", "divide", {})
        assert unknown.is_error and "no tool 'divide'" in unknown.text and "add" in unknown.text
        with pytest.raises(McpError, match="No MCP server named 'nope'"):
            await mcp.call("nope", "add", {})


async def test_streamable_http_server(tmp_path: Path, http_server: str) -> None:
    async with manager(tmp_path, web=McpServerSettings(url=http_server)) as mcp:
        status = (await mcp.statuses())[0]
        assert status.state == "ready" and status.transport == "http" and status.target == http_server
        assert {"add", "reverse"} <= {t.name for t in status.tools}
        assert (await mcp.call("web", "add", {"a": 1, "b": 2})).text == "3"


async def test_a_missing_command_fails_clearly_and_the_rest_go_on(tmp_path: Path) -> None:
    async with manager(tmp_path, gone=McpServerSettings(command="/nonexistent/mcp-server"),
                       calc=stdio()) as mcp:
        names = {t.qualified_name for t in await mcp.tools()}
        assert "calc.add" in names and not any(n.startswith("gone.") for n in names)
        gone = mcp.status("gone")
        assert gone.state == "failed" and "command was not found" in (gone.error or "")
        assert "gone" in mcp.failures() and "/nonexistent/mcp-server" in mcp.failures()["gone"]
        result = await mcp.call("gone", "add", {"a": 1, "b": 1})
        assert result.is_error and result.server_failed and "unavailable" in result.text


async def test_a_server_that_hangs_times_out(tmp_path: Path) -> None:
    async with manager(tmp_path, startup_timeout_s=3.0, stuck=stdio("hang")) as mcp:
        assert await mcp.tools() == []
        stuck = mcp.status("stuck")
        assert stuck.state == "failed" and "within 3 s" in (stuck.error or "")
        assert "mcp.startup_timeout_s" in mcp.failures()["stuck"]


async def test_a_slow_call_times_out_and_the_server_stays_usable(tmp_path: Path) -> None:
    async with manager(tmp_path, call_timeout_s=1.0, calc=stdio()) as mcp:
        await mcp.tools()
        slow = await mcp.call("calc", "wait", {"seconds": 30})
        assert slow.is_error and "did not answer within 1 s" in slow.text
        assert (await mcp.call("calc", "add", {"a": 1, "b": 1})).text == "2"


async def test_a_server_that_crashes_mid_call_is_reported_and_can_be_restarted(tmp_path: Path) -> None:
    async with manager(tmp_path, calc=stdio()) as mcp:
        crashed = await mcp.call("calc", "crash", {})
        assert crashed.is_error and crashed.server_failed
        assert "stopped during a call to crash" in crashed.text and "mcp-calc.log" in crashed.text
        assert mcp.status("calc").state == "failed"
        again = await mcp.call("calc", "add", {"a": 1, "b": 1})
        assert again.server_failed and "unavailable" in again.text  # not restarted behind one's back
        await mcp.reset("calc")
        assert (await mcp.call("calc", "add", {"a": 1, "b": 1})).text == "2"


def test_settings_need_exactly_one_transport(gb_home: Path) -> None:
    with pytest.raises(ValueError, match="exactly one of command"):
        McpServerSettings()
    with pytest.raises(ValueError, match="exactly one of command"):
        McpServerSettings(command="x", url="http://127.0.0.1:1/mcp")
    with pytest.raises(ValueError, match="must start with http"):
        McpServerSettings(url="ftp://host/mcp")
    config = gb_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[mcp.servers.calc]\ncommand = "python3"\nargs = ["server.py"]\n'
                      'env = { TOKEN = "x" }\n\n[mcp.servers.web]\nurl = "http://127.0.0.1:9/mcp"\n'
                      'tools = ["add"]\n')
    servers = load_settings().mcp.servers
    assert servers["calc"].args == ["server.py"] and servers["calc"].env == {"TOKEN": "x"}
    assert servers["web"].tools == ["add"]
    config.write_text('[mcp.servers.both]\ncommand = "x"\nurl = "http://127.0.0.1:9/mcp"\n')
    with pytest.raises(ConfigError, match=r"mcp\.servers\.both.*exactly one of command"):
        load_settings()


def test_cli_lists_servers_and_tools(gb_home: Path) -> None:
    config = gb_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[mcp]\nstartup_timeout_s = {STARTUP_S}\n\n'
                      f'[mcp.servers.calc]\ncommand = {json.dumps(sys.executable)}\n'
                      f'args = [{json.dumps(str(SERVER))}]\ntools = ["add", "reverse"]\n\n'
                      '[mcp.servers.gone]\ncommand = "/nonexistent/mcp-server"\n')
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "tui.cli", "mcp", "list"], env=env,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 1, out.stderr  # one server failed
    assert "calc  [stdio]" in out.stdout and "ready, 2 tool(s)" in out.stdout
    assert "add      Add two integers.  (a: integer, b: integer)" in out.stdout
    assert "wait" not in out.stdout  # not in the server's tools allow-list
    assert "gone  [stdio] /nonexistent/mcp-server  failed: its command was not found" in out.stdout
    listed = subprocess.run([sys.executable, "-m", "tui.cli", "mcp", "list", "--json"], env=env,
                            capture_output=True, text=True, timeout=180)
    rows = {r["name"]: r for r in map(json.loads, listed.stdout.splitlines())}
    assert rows["calc"]["tools"][0]["input_schema"]["type"] == "object"
    assert rows["gone"]["state"] == "failed"


def test_prompt_lines_fit_a_budget_and_share_it_between_servers() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
              "required": ["a"]}
    add = McpToolSpec("calc", "add", "Add two integers.\nReturns their sum.", schema)
    assert tool_line(add) == "calc.add(a: integer, b?: string) - Add two integers. Returns their sum."
    many = [McpToolSpec("big", f"tool{i}", f"Does thing number {i}.", {}) for i in range(50)]
    text, chosen = tools_within_budget([*many, add], max_chars=200)
    *listed, note = text.splitlines()
    assert len("\n".join(listed)) <= 200 and "calc.add(" in text  # the small server is not crowded out
    assert add in chosen and len(listed) == len(chosen) < 51
    assert note == f"({51 - len(chosen)} more MCP tool(s) not listed, to keep this prompt short.)"
    capped, kept = tools_within_budget(many, max_chars=10_000, per_server=3)
    assert [s.name for s in kept] == ["tool0", "tool1", "tool2"] and "47 more" in capped
    everything, all_kept = tools_within_budget([add], max_chars=10_000)
    assert all_kept == [add] and "more MCP" not in everything
