"""MCP servers' tools for the agent: configured servers, started lazily, listed and called."""

from __future__ import annotations

from engine.mcp.manager import McpManager
from engine.mcp.prompt import tool_line, tools_within_budget
from engine.mcp.types import McpCallResult, McpError, McpServerStatus, McpToolSpec

__all__ = [
    "McpCallResult",
    "McpError",
    "McpManager",
    "McpServerStatus",
    "McpToolSpec",
    "tool_line",
    "tools_within_budget",
]
