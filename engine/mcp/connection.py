"""One MCP server's session through the official SDK: started on first use, owned by one task."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, TextIO

from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError
from mcp_types import CONNECTION_CLOSED, REQUEST_TIMEOUT

from engine.config import McpServerSettings
from engine.mcp.types import McpCallResult, McpError, McpToolSpec, ServerState

# How long a server may take to shut down cleanly before its task is cancelled.
_CLOSE_GRACE_S = 5.0


class ServerConnection:
    """A configured server: connects lazily; a failure is kept and reported, not raised at random.

    The SDK's transports are anyio context managers that must be entered and left by the same
    task, so one owner task holds them open while any task may send requests through them.
    """

    def __init__(self, name: str, settings: McpServerSettings, *, startup_timeout_s: float,
                 log_dir: Path | None = None) -> None:
        self.name = name
        self.settings = settings
        self.startup_timeout_s = startup_timeout_s
        self.log_path = log_dir / f"mcp-{name}.log" if log_dir and settings.command else None
        self.state: ServerState = "idle" if settings.enabled else "disabled"
        self.error: str | None = None
        self.tools: tuple[McpToolSpec, ...] = ()
        self._client: Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._stop = asyncio.Event()
        self._lock = asyncio.Lock()

    @property
    def transport(self) -> str:
        return "stdio" if self.settings.command else "http"

    @property
    def target(self) -> str:
        if self.settings.command:
            return " ".join([self.settings.command, *self.settings.args])
        return self.settings.url or ""

    async def start(self) -> tuple[McpToolSpec, ...]:
        """Connect (once) and list the tools; raises McpError saying why the server is unusable."""
        async with self._lock:
            if self.state == "ready":
                return self.tools
            if self.state == "disabled":
                raise McpError(f"MCP server '{self.name}' is disabled (mcp.servers.{self.name}.enabled).")
            if self.state == "failed":
                raise self.failure()
            self.state = "starting"
            self._ready.clear()
            self._stop.clear()
            self._task = asyncio.create_task(self._own(), name=f"mcp-server-{self.name}")
            try:
                await asyncio.wait_for(self._ready.wait(), self.startup_timeout_s)
            except TimeoutError:
                self.error = (f"it did not start and list its tools within {self.startup_timeout_s:g} s "
                              "(mcp.startup_timeout_s)")
            if self._client is None:
                self.state = "failed"
                await self._shutdown(grace_s=0.0)  # nothing to close cleanly: stop it now
                raise self.failure()
            self.state = "ready"
            return self.tools

    async def call(self, tool: str, arguments: dict[str, Any], timeout_s: float) -> McpCallResult:
        """Call one tool; every failure comes back as an error result that says what happened."""
        try:
            await self.start()
        except McpError as exc:
            return McpCallResult(str(exc), is_error=True, server_failed=True)
        client = self._client
        if client is None or tool not in {t.name for t in self.tools}:
            offered = ", ".join(t.name for t in self.tools) or "none"
            return McpCallResult(f"MCP server '{self.name}' has no tool '{tool}' (it offers: {offered}).",
                                 is_error=True)
        try:
            # The SDK's own timeout cancels the request on the server; wait_for is the backstop.
            result = await asyncio.wait_for(
                client.call_tool(tool, arguments, read_timeout_seconds=timeout_s), timeout_s + 5.0)
        except (TimeoutError, MCPError) as exc:
            if isinstance(exc, TimeoutError) or exc.code == REQUEST_TIMEOUT:
                return McpCallResult(
                    f"The MCP tool {self.name}.{tool} did not answer within {timeout_s:g} s "
                    "(mcp.call_timeout_s); the call was abandoned.", is_error=True, server_failed=True)
            if exc.code != CONNECTION_CLOSED and not self._owner_done():
                return McpCallResult(f"The MCP tool {self.name}.{tool} failed: {exc.message}",
                                     is_error=True)
            await self._mark_failed(f"it stopped during a call to {tool} (connection closed)")
            return McpCallResult(str(self.failure()), is_error=True, server_failed=True)
        except Exception as exc:
            await self._mark_failed(f"a call to {tool} broke the connection: {_describe(exc)}")
            return McpCallResult(str(self.failure()), is_error=True, server_failed=True)
        return _as_result(result)

    async def close(self) -> None:
        """Stop the server (or disconnect); a later start() connects again."""
        async with self._lock:
            await self._shutdown()
            if self.state in ("ready", "starting"):
                self.state = "idle"

    async def reset(self) -> None:
        """Forget a failure so that the next use tries to start the server again."""
        await self.close()
        if self.state == "failed":
            self.state, self.error = "idle", None

    def failure(self) -> McpError:
        """Why the server is unusable, as an error a user can act on."""
        where = f" Its stderr is in {self.log_path}." if self.log_path else ""
        return McpError(f"MCP server '{self.name}' ({self.target}) is unavailable: {self.error}.{where}",
                        hint="Check its [mcp.servers] entry in config.toml; `glassbox mcp list` tries it.")

    def _owner_done(self) -> bool:
        return self._task is None or self._task.done()

    async def _mark_failed(self, why: str) -> None:
        self.state, self.error = "failed", why
        await self._shutdown(grace_s=0.0)

    async def _shutdown(self, grace_s: float = _CLOSE_GRACE_S) -> None:
        task, self._task = self._task, None
        self._client = None
        if task is None:
            return
        self._stop.set()
        done = (await asyncio.wait({task}, timeout=grace_s))[0] if grace_s > 0 else set()
        if not done:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    async def _own(self) -> None:
        try:
            async with AsyncExitStack() as stack:
                transport = await self._transport(stack)
                client = await stack.enter_async_context(
                    Client(transport, read_timeout_seconds=self.startup_timeout_s))
                self.tools = await self._list_tools(client)
                self._client = client
                self._ready.set()
                await self._stop.wait()
        except Exception as exc:
            if self.error is None:
                self.error = _describe(exc)
        finally:
            self._client = None
            self._ready.set()

    async def _transport(self, stack: AsyncExitStack) -> Any:
        settings = self.settings
        if settings.command:
            params = StdioServerParameters(command=settings.command, args=settings.args,
                                           env=settings.env or None, cwd=settings.cwd)
            errlog = await self._open_log(stack)
            return stdio_client(params, errlog=errlog)
        http = create_mcp_http_client(headers=settings.headers or None)
        await stack.enter_async_context(http)
        assert settings.url is not None
        return streamable_http_client(settings.url, http_client=http)

    async def _open_log(self, stack: AsyncExitStack) -> TextIO:
        path = self.log_path
        if path is None:
            handle: TextIO = await asyncio.to_thread(open, os.devnull, "w", encoding="utf-8")
        else:
            await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
            handle = await asyncio.to_thread(path.open, "a", encoding="utf-8")
        stack.callback(handle.close)
        return handle

    async def _list_tools(self, client: Client) -> tuple[McpToolSpec, ...]:
        allowed = set(self.settings.tools) if self.settings.tools else None
        specs: list[McpToolSpec] = []
        cursor: str | None = None
        while True:
            page = await client.list_tools(cursor=cursor)
            for tool in page.tools:
                if allowed is None or tool.name in allowed:
                    specs.append(McpToolSpec(self.name, tool.name, tool.description or "",
                                             dict(tool.input_schema or {})))
            cursor = page.next_cursor
            if not cursor:
                return tuple(specs)


def _as_result(result: Any) -> McpCallResult:
    parts: list[str] = []
    for item in result.content or []:
        kind = getattr(item, "type", "")
        if kind == "text":
            parts.append(item.text)
        elif kind in ("image", "audio"):
            parts.append(f"[{kind} {getattr(item, 'mime_type', '')}, {len(item.data) * 3 // 4} bytes]")
        elif kind == "resource_link":
            parts.append(f"[resource {item.uri}]")
        elif kind == "resource":
            resource = item.resource
            parts.append(getattr(resource, "text", None) or f"[resource {resource.uri}]")
    structured = result.structured_content if isinstance(result.structured_content, dict) else None
    if not parts and structured is not None:
        parts.append(json.dumps(structured, ensure_ascii=False))
    return McpCallResult("\n".join(parts), is_error=bool(result.is_error), structured=structured)


def _describe(exc: BaseException) -> str:
    """The innermost, most telling message of an error that may be wrapped in exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, FileNotFoundError):
        return f"its command was not found ({exc.filename or exc})"
    if isinstance(exc, MCPError):
        return f"{exc.message} (MCP error {exc.code})"
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text
