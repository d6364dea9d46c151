"""Tools the model can call: a registry of functions whose arguments pydantic validates."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.agent import workspace
from engine.agent.calc import CalcError, evaluate
from engine.agent.recovery import FailureKind
from engine.agent.tool_context import ToolContext


class ToolError(Exception):
    """A tool refused or failed; the message goes back to the model as the observation."""


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
    failure: FailureKind | None = None


@dataclass(frozen=True, slots=True)
class ExternalTool:
    """A tool served elsewhere (an MCP server): it validates its own arguments."""

    name: str
    line: str
    """Its line in the system prompt's tool list."""
    call: Callable[[dict[str, Any]], Awaitable[ToolResult]]


class ToolRegistry:
    """Named tools; call() validates arguments and turns every problem into an observation."""

    def __init__(self, tools: list[Tool] | None = None) -> None:
        self._tools: dict[str, Tool] = {}
        self._external: dict[str, ExternalTool] = {}
        self.footnote = ""
        """A last line for the tool list (e.g. how many MCP tools were left out)."""
        for tool in tools or []:
            self.register(tool)

    def add_external(self, tool: ExternalTool) -> None:
        """Add a tool served elsewhere (its name must not shadow a built-in)."""
        if tool.name not in self._tools:
            self._external[tool.name] = tool

    def register(self, tool: Tool) -> None:
        """Add or replace a tool."""
        self._tools[tool.name] = tool

    def get(self, name: str) -> Tool | None:
        """The tool of that name, if any."""
        return self._tools.get(name)

    @property
    def tools(self) -> list[Tool]:
        """The built-in (host) tools."""
        return list(self._tools.values())

    @property
    def names(self) -> list[str]:
        """Registered tool names."""
        return [*self._tools, *self._external]

    def describe(self) -> str:
        """One line per tool for the system prompt."""
        lines = [f"- {t.signature()}: {t.description}" for t in self._tools.values()]
        lines += [f"- {t.line}" for t in self._external.values()]
        if self.footnote:
            lines.append(self.footnote)
        return "\n".join(lines)

    async def call(self, name: str, arguments: dict[str, Any], context: ToolContext) -> ToolResult:
        """Run a tool; unknown names, bad arguments and tool errors come back as failures."""
        external = self._external.get(name)
        if external is not None:
            return await external.call(arguments)
        tool = self._tools.get(name)
        if tool is None:
            return ToolResult(f"There is no tool named {name!r}. Tools: {', '.join(self.names)}.",
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
        except workspace.WorkspaceUnavailable as exc:
            return ToolResult(f"{name} failed: {exc}", "unavailable")
        except (ToolError, workspace.WorkspaceError) as exc:
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


# The file tools work in the sandbox's /workspace, the folder the model's code sees.


async def _read_file(context: ToolContext, args: ReadFileArgs) -> str:
    return await workspace.read_text(context, args.path)


async def _write_file(context: ToolContext, args: WriteFileArgs) -> str:
    return await workspace.write_text(context, args.path, args.content)


async def _list_files(context: ToolContext, args: ListFilesArgs) -> str:
    return await workspace.list_folder(context, args.path)


async def _calc(context: ToolContext, args: CalcArgs) -> str:
    try:
        return str(evaluate(args.expression))
    except CalcError as exc:
        raise ToolError(str(exc)) from None


async def _search(context: ToolContext, args: SearchArgs) -> str:
    hits = await context.search(args.query, 5)
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
