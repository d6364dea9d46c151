"""Host tools the model can call: a registry of functions whose arguments pydantic validates."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.agent.calc import CalcError, evaluate
from engine.paths import app_paths

if TYPE_CHECKING:
    from engine.service import Engine

_READ_LIMIT = 20_000
_LIST_LIMIT = 200


class ToolError(Exception):
    """A tool refused or failed; the message goes back to the model as the observation."""


@dataclass(frozen=True, slots=True)
class ToolContext:
    """What a tool may touch: the session's workspace and the engine (for search)."""

    engine: Engine
    session_id: str

    @property
    def workspace(self) -> Path:
        """The session's host workspace (mounted as /workspace in the sandbox)."""
        return app_paths().workspaces_dir / self.session_id


ToolFn = Callable[[ToolContext, Any], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class Tool:
    """One host tool: `args` validates the arguments before `fn` runs."""

    name: str
    description: str
    args: type[BaseModel]
    fn: ToolFn

    def signature(self) -> str:
        """`name(arg, arg)`, for the system prompt."""
        return f"{self.name}({', '.join(self.args.model_fields)})"


@dataclass(frozen=True, slots=True)
class ToolResult:
    """The outcome of a tool call; `failure` is None on success, else a recovery category."""

    output: str
    failure: str | None = None


class ToolRegistry:
    """Named tools; call() validates arguments and turns every problem into an observation."""

    def __init__(self, tools: list[Tool] | None = None) -> None:
        self._tools: dict[str, Tool] = {}
        for tool in tools or []:
            self.register(tool)

    def register(self, tool: Tool) -> None:
        """Add or replace a tool."""
        self._tools[tool.name] = tool

    def get(self, name: str) -> Tool | None:
        """The tool of that name, if any."""
        return self._tools.get(name)

    @property
    def names(self) -> list[str]:
        """Registered tool names."""
        return list(self._tools)

    def describe(self) -> str:
        """One line per tool for the system prompt."""
        return "\n".join(f"- {t.signature()}: {t.description}" for t in self._tools.values())

    async def call(self, name: str, arguments: dict[str, Any], context: ToolContext) -> ToolResult:
        """Run a tool; unknown names, bad arguments and tool errors come back as failures."""
        tool = self._tools.get(name)
        if tool is None:
            return ToolResult(f"There is no tool named {name!r}. Tools: {', '.join(self._tools)}.",
                              "unknown_tool")
        try:
            args = tool.args.model_validate(arguments)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.errors()
            )
            example = json.dumps({k: "..." for k in tool.args.model_fields})
            return ToolResult(f"Bad arguments for {name}: {problems}. Expected arguments: {example}.",
                              "bad_arguments")
        try:
            return ToolResult(await tool.fn(context, args))
        except ToolError as exc:
            return ToolResult(f"{name} failed: {exc}", "error")


# --- the built-in tools ------------------------------------------------------------------


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReadFileArgs(_Args):
    path: str = Field(min_length=1, max_length=300, description="File path in the workspace")


class WriteFileArgs(_Args):
    path: str = Field(min_length=1, max_length=300, description="File path in the workspace")
    content: str = Field(max_length=200_000, description="Text to write")


class ListFilesArgs(_Args):
    path: str = Field(".", max_length=300, description="Folder in the workspace")


class CalcArgs(_Args):
    expression: str = Field(min_length=1, max_length=300, description="Arithmetic, e.g. 17*23+4")


class SearchArgs(_Args):
    query: str = Field(min_length=1, max_length=200, description="Words to look for")


def workspace_path(context: ToolContext, path: str) -> Path:
    """Resolve a path inside the workspace; anything outside it is refused."""
    base = context.workspace.resolve()
    relative = path.strip()
    # The model sees the sandbox's /workspace; map that prefix to the host folder.
    if relative == "/workspace" or relative.startswith("/workspace/"):
        relative = relative[len("/workspace"):].lstrip("/") or "."
    candidate = Path(relative)
    target = (candidate if candidate.is_absolute() else base / candidate).resolve()
    if target != base and not target.is_relative_to(base):
        raise ToolError(f"{path!r} is outside the workspace; only files under /workspace are allowed.")
    return target


async def _read_file(context: ToolContext, args: ReadFileArgs) -> str:
    target = workspace_path(context, args.path)

    def read() -> str:
        if not target.is_file():
            raise ToolError(f"No file {args.path!r} in the workspace.")
        with target.open("r", encoding="utf-8", errors="replace") as handle:
            text = handle.read(_READ_LIMIT + 1)
        return text if len(text) <= _READ_LIMIT else text[:_READ_LIMIT] + "\n[... file cut ...]"

    return await asyncio.to_thread(read)


async def _write_file(context: ToolContext, args: WriteFileArgs) -> str:
    target = workspace_path(context, args.path)
    if target == context.workspace.resolve():
        raise ToolError("Give a file name, not the workspace folder.")

    def write() -> str:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(args.content, encoding="utf-8")
        return f"Wrote {len(args.content)} characters to {target.relative_to(context.workspace.resolve())}."

    return await asyncio.to_thread(write)


async def _list_files(context: ToolContext, args: ListFilesArgs) -> str:
    target = workspace_path(context, args.path)

    def listing() -> str:
        if not target.exists():
            return "The folder is empty." if target == context.workspace.resolve() else (
                f"No folder {args.path!r} in the workspace.")
        if not target.is_dir():
            raise ToolError(f"{args.path!r} is a file, not a folder.")
        entries = sorted(target.iterdir())[:_LIST_LIMIT]
        lines = [f"{e.name}/" if e.is_dir() else f"{e.name} ({e.stat().st_size} bytes)" for e in entries]
        return "\n".join(lines) or "The folder is empty."

    return await asyncio.to_thread(listing)


async def _calc(context: ToolContext, args: CalcArgs) -> str:
    try:
        return str(evaluate(args.expression))
    except CalcError as exc:
        raise ToolError(str(exc)) from None


async def _search(context: ToolContext, args: SearchArgs) -> str:
    hits = await context.engine.search(args.query, limit=5)
    if not hits:
        return "Nothing found."
    return "\n".join(f"- [{h.kind} in session {h.session_id[:8]}] {' '.join(h.text.split())[:200]}"
                     for h in hits)


def default_tools() -> ToolRegistry:
    """The built-in tools every run gets."""
    return ToolRegistry([
        Tool("calc", "exact arithmetic, e.g. 17*23+4", CalcArgs, _calc),
        Tool("read_file", "read a text file from the workspace", ReadFileArgs, _read_file),
        Tool("write_file", "write a text file to the workspace", WriteFileArgs, _write_file),
        Tool("list_files", "list files in the workspace", ListFilesArgs, _list_files),
        Tool("search", "search past conversations", SearchArgs, _search),
    ])
