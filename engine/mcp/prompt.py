"""MCP tools as compact prompt lines, kept within a character budget for small models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.mcp.types import McpToolSpec

_DESCRIPTION_CHARS = 120


def tool_line(spec: McpToolSpec) -> str:
    """`server.tool(a: integer, b?: string) - what it does`: one line a small model can follow."""
    description = " ".join(spec.description.split())
    if len(description) > _DESCRIPTION_CHARS:
        description = description[: _DESCRIPTION_CHARS - 1] + "…"
    line = f"{spec.qualified_name}({argument_summary(spec.input_schema)})"
    return f"{line} - {description}" if description else line


def argument_summary(schema: dict[str, Any]) -> str:
    """Argument names and JSON types from a tool's input schema; `?` marks optional ones."""
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    parts = []
    for name, spec in properties.items():
        kind = spec.get("type", "any") if isinstance(spec, dict) else "any"
        if isinstance(kind, list):
            kind = "|".join(str(k) for k in kind)
        parts.append(f"{name}{'' if name in required else '?'}: {kind}")
    return ", ".join(parts)


def tools_within_budget(
    specs: Sequence[McpToolSpec], max_chars: int, *, per_server: int | None = None
) -> tuple[str, list[McpToolSpec]]:
    """Prompt lines for as many tools as fit in `max_chars`, servers taking turns.

    Taking one tool from each server in turn keeps one server with many tools from
    crowding out the others; `per_server` caps each server. Returns the text and the tools
    it describes (the ones the agent should accept calls for); a last line says how many
    were left out, so the model is not told the list is complete when it is not.
    """
    queues: dict[str, list[McpToolSpec]] = {}
    for spec in specs:
        queue = queues.setdefault(spec.server, [])
        if per_server is None or len(queue) < per_server:
            queue.append(spec)
    order: list[McpToolSpec] = []
    while any(queues.values()):
        for queue in queues.values():
            if queue:
                order.append(queue.pop(0))
    lines: list[str] = []
    chosen: list[McpToolSpec] = []
    used = 0
    for spec in order:
        line = tool_line(spec)
        if used + len(line) + 1 > max_chars:
            continue
        lines.append(line)
        chosen.append(spec)
        used += len(line) + 1
    left_out = len(specs) - len(chosen)
    if left_out:
        lines.append(f"({left_out} more MCP tool(s) not listed, to keep this prompt short.)")
    return "\n".join(lines), chosen
