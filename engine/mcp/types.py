"""Plain data the MCP layer hands to the agent: tool specs, call results, server status."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from engine.errors import GlassboxError

ServerState = Literal["idle", "starting", "ready", "failed", "disabled"]


class McpError(GlassboxError):
    """An MCP server or tool that is not configured, or a server that cannot be used."""


@dataclass(frozen=True, slots=True)
class McpToolSpec:
    """One tool a server offers, with the JSON schema of its arguments."""

    server: str
    name: str
    description: str
    input_schema: dict[str, Any]

    @property
    def qualified_name(self) -> str:
        """`server.tool`: unique across servers, for a registry that mixes them."""
        return f"{self.server}.{self.name}"


@dataclass(frozen=True, slots=True)
class McpCallResult:
    """What a tool call gave: its text, and whether it is an error.

    `server_failed` tells a tool's own error (bad arguments, a failing operation) from a server
    that could not be reached, hung or crashed; either way `text` says what happened.
    """

    text: str
    is_error: bool
    server_failed: bool = False
    structured: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class McpServerStatus:
    """A configured server as `glassbox mcp list` shows it."""

    name: str
    transport: Literal["stdio", "http"]
    target: str
    state: ServerState
    error: str | None = None
    tools: tuple[McpToolSpec, ...] = field(default_factory=tuple)
