"""McpManager: every configured MCP server, their tools as specs, and calls routed to them."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.config import McpSettings
from engine.mcp.types import McpCallResult, McpError, McpServerStatus, McpToolSpec

if TYPE_CHECKING:
    from engine.mcp.connection import ServerConnection


class McpManager:
    """The servers of `[mcp.servers]`. Nothing starts until tools are listed or called.

    A server that fails to start, hangs or crashes is marked failed with the reason; the
    others go on. Use one manager per event loop and `await close()` it on the way out.
    """

    def __init__(self, settings: McpSettings, *, log_dir: Path | None = None) -> None:
        self.settings = settings
        self._servers: dict[str, ServerConnection] = {}
        self._reported: set[str] = set()
        if not settings.servers:
            return
        # The SDK takes seconds to import (it brings its HTTP server stack): only when needed.
        from engine.mcp.connection import ServerConnection

        self._servers = {
            name: ServerConnection(name, server, startup_timeout_s=settings.startup_timeout_s,
                                   log_dir=log_dir)
            for name, server in settings.servers.items()
        }

    @property
    def server_names(self) -> list[str]:
        """Configured servers, enabled or not, in config order."""
        return list(self._servers)

    async def tools(self) -> list[McpToolSpec]:
        """Tools of every enabled server that starts; servers start concurrently.

        Failed servers contribute nothing: `statuses()` (or `failures()`) says why.
        """
        await self._start_all()
        return [tool for server in self._servers.values() if server.state == "ready"
                for tool in server.tools]

    async def statuses(self) -> list[McpServerStatus]:
        """Every configured server after an attempt to start the enabled ones."""
        await self._start_all()
        return [self.status(name) for name in self._servers]

    def status(self, server: str) -> McpServerStatus:
        """A server's state as known now (no connection attempt)."""
        connection = self._get(server)
        error = None
        if connection.state == "failed":
            error = connection.error
        return McpServerStatus(server, "stdio" if connection.settings.command else "http",
                               connection.target, connection.state, error, connection.tools)

    def new_failures(self) -> dict[str, str]:
        """Failures not reported by an earlier call of this method (one notice per failure)."""
        fresh = {name: why for name, why in self.failures().items() if name not in self._reported}
        self._reported.update(fresh)
        return fresh

    def failures(self) -> dict[str, str]:
        """Servers that failed, with a user-facing sentence each (for a notice)."""
        return {name: str(c.failure()) for name, c in self._servers.items() if c.state == "failed"}

    async def call(self, server: str, name: str, arguments: dict[str, Any] | None = None) -> McpCallResult:
        """Call `name` on `server` (starting it if needed) within mcp.call_timeout_s.

        Raises McpError only for a server that is not configured; everything else (a server
        that will not start, hangs or crashes; a tool's own error) is an error result.
        """
        return await self._get(server).call(name, dict(arguments or {}), self.settings.call_timeout_s)

    async def reset(self, server: str) -> None:
        """Let a failed server be started again on its next use."""
        await self._get(server).reset()

    async def close(self) -> None:
        """Stop every server process and close every connection."""
        await asyncio.gather(*(c.close() for c in self._servers.values()))

    async def __aenter__(self) -> McpManager:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    def _get(self, server: str) -> ServerConnection:
        try:
            return self._servers[server]
        except KeyError:
            known = ", ".join(self._servers) or "none"
            raise McpError(f"No MCP server named '{server}' is configured (configured: {known}).",
                           hint="Add it as [mcp.servers.NAME] in config.toml.") from None

    async def _start_all(self) -> None:
        async def start(connection: ServerConnection) -> None:
            if connection.state in ("idle", "starting"):
                # A failure is recorded on the connection; statuses() and failures() report it.
                with contextlib.suppress(McpError):
                    await connection.start()

        await asyncio.gather(*(start(c) for c in self._servers.values()))
