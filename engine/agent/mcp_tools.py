"""MCP servers' tools in the agent's registry, listed within a prompt budget for small models."""

from __future__ import annotations

from engine.agent.tools import ExternalTool, ToolRegistry, ToolResult
from engine.mcp.manager import McpManager
from engine.mcp.prompt import tool_line, tools_within_budget
from engine.mcp.types import McpToolSpec

MCP_PROMPT_CHARS = 600
"""Most characters of MCP tool lines in the system prompt: a 135M model drowns in a long list."""
MCP_TOOLS_PER_SERVER = 6


def _caller(mcp: McpManager, spec: McpToolSpec) -> ExternalTool:
    async def call(arguments: dict[str, object]) -> ToolResult:
        result = await mcp.call(spec.server, spec.name, dict(arguments))
        if not result.is_error:
            return ToolResult(result.text)
        # A server that died or hung is infrastructure (retried once); a tool's own error is fixable.
        return ToolResult(result.text, "infra" if result.server_failed else "error")

    return ExternalTool(spec.qualified_name, tool_line(spec), call)


async def add_mcp_tools(registry: ToolRegistry, mcp: McpManager | None) -> list[str]:
    """Register the tools of every MCP server that starts; a sentence for each that did not."""
    if mcp is None:
        return []
    specs = await mcp.tools()
    text, offered = tools_within_budget(specs, MCP_PROMPT_CHARS, per_server=MCP_TOOLS_PER_SERVER)
    for spec in offered:
        registry.add_external(_caller(mcp, spec))
    if len(offered) < len(specs):
        registry.footnote = text.splitlines()[-1]
    return [f"MCP server {name} is not available, so its tools are left out: {why}"
            for name, why in mcp.new_failures().items()]
