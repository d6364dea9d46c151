"""`glassbox mcp list|call`: configured MCP servers, whether they start, and their tools."""

from __future__ import annotations

import argparse
import json
from typing import Any

from engine.config import load_settings
from engine.errors import GlassboxError
from engine.mcp import McpManager, McpServerStatus
from engine.mcp.prompt import argument_summary
from engine.paths import app_paths
from tui.commands.common import emit_json, run


def register(sub: Any) -> None:
    """Add `mcp`."""
    mcp = sub.add_parser("mcp", help="MCP servers from config.toml and the tools they offer")
    msub = mcp.add_subparsers(dest="mcp_command", metavar="ACTION", required=True)
    listing = msub.add_parser("list", help="start each server, then show its state and tools")
    listing.add_argument("--json", action="store_true", help="one JSON object per server")
    listing.set_defaults(handler=_list)
    call = msub.add_parser("call", help="call one tool (to try a server by hand)")
    call.add_argument("server")
    call.add_argument("tool")
    call.add_argument("arguments", nargs="?", default="{}", help='a JSON object, e.g. \'{"a": 1}\'')
    call.set_defaults(handler=_call)


def _manager() -> McpManager:
    settings = load_settings()
    return McpManager(settings.mcp, log_dir=app_paths().logs_dir)


def _list(args: argparse.Namespace) -> int:
    async def body() -> list[McpServerStatus]:
        async with _manager() as manager:
            return await manager.statuses()

    statuses = run(body())
    if args.json:
        for s in statuses:
            emit_json({"type": "mcp_server", "name": s.name, "transport": s.transport,
                       "target": s.target, "state": s.state, "error": s.error,
                       "tools": [{"name": t.name, "description": t.description,
                                  "input_schema": t.input_schema} for t in s.tools]})
        return 1 if any(s.state == "failed" for s in statuses) else 0
    if not statuses:
        print("No MCP servers configured. Add one to config.toml, e.g.\n\n"
              "[mcp.servers.files]\ncommand = \"npx\"\n"
              "args = [\"-y\", \"@modelcontextprotocol/server-filesystem\", \"/tmp\"]")
        return 0
    for s in statuses:
        print(f"{s.name}  [{s.transport}] {s.target}  {s.state}"
              + (f": {s.error}" if s.error else f", {len(s.tools)} tool(s)" if s.state == "ready" else ""))
        width = max((len(t.name) for t in s.tools), default=0)
        for tool in s.tools:
            signature = argument_summary(tool.input_schema)
            print(f"  {tool.name.ljust(width)}  {_one_line(tool.description)}  ({signature})")
    return 1 if any(s.state == "failed" for s in statuses) else 0


def _call(args: argparse.Namespace) -> int:
    try:
        arguments = json.loads(args.arguments)
    except json.JSONDecodeError as exc:
        raise GlassboxError(f"The arguments are not JSON: {exc.msg}.",
                            hint='Give a JSON object, e.g. \'{"a": 1}\'.') from None
    if not isinstance(arguments, dict):
        raise GlassboxError("The arguments must be a JSON object.", hint='e.g. \'{"a": 1}\'')

    async def body() -> Any:
        async with _manager() as manager:
            return await manager.call(args.server, args.tool, arguments)

    result = run(body())
    print(result.text)
    return 1 if result.is_error else 0


def _one_line(text: str, limit: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
