"""Workspace file operations run inside the session's sandbox, on the same /workspace as its code."""

from __future__ import annotations

import base64
import json
import posixpath
import re
from typing import Any

from engine.agent.sandbox_call import ExecResult, run_in_sandbox
from engine.agent.tool_context import ToolContext
from engine.sandbox.base import ExecLimits

WORKSPACE = "/workspace"
READ_LIMIT = 20_000
"""Most characters read_file returns; the container reads no more than this (plus one)."""
LIST_LIMIT = 200
_TIMEOUT_S = 20.0
# The reply is ASCII JSON (\\uXXXX escapes, up to 12 bytes a character), so a capped read fits.
_OUTPUT_LIMIT = 12 * READ_LIMIT + 65_536
_MARK = "# glassbox workspace file tool\n"

# Runs in the container with the image's stdlib only, in a fresh globals dict (never the
# session's namespace, so the model's variables are untouched). It prints one JSON line.
_SCRIPT = r'''
import base64, json, os

def _reply(**fields):
    print(json.dumps(fields))

def _main(request):
    root = os.path.realpath(request["root"])
    target = os.path.realpath(os.path.join(root, request["path"]))
    # realpath, not the host's check alone: code may have left a symlink that points out.
    if target != root and not target.startswith(root + os.sep):
        return _reply(error="outside")
    op = request["op"]
    try:
        if op == "read":
            if not os.path.isfile(target):
                return _reply(error="not_dir" if os.path.isdir(target) else "missing")
            limit = request["limit"]
            with open(target, encoding="utf-8", errors="replace") as handle:
                text = handle.read(limit + 1)
            return _reply(text=text[:limit], cut=len(text) > limit)
        if op == "write":
            if os.path.isdir(target):
                return _reply(error="is_dir")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(base64.b64decode(request["data"]))
            return _reply(done=True)
        if op == "list":
            if not os.path.exists(target):
                return _reply(error="missing")
            if not os.path.isdir(target):
                return _reply(error="not_dir")
            entries = sorted(os.scandir(target), key=lambda e: e.name)
            limit = request["limit"]
            rows = [[e.name, e.is_dir(), 0 if e.is_dir() else e.stat().st_size] for e in entries[:limit]]
            return _reply(entries=rows, more=max(0, len(entries) - limit))
        return _reply(error="os", detail="unknown operation " + repr(op))
    except OSError as exc:
        return _reply(error="os", detail=exc.strerror or str(exc))

_main(json.loads(base64.b64decode(REQUEST)))

# The kernel keeps every cell's source for tracebacks; a write's cell holds the whole file.
import linecache
for _name, _entry in list(linecache.cache.items()):
    if _name.startswith("<cell") and _entry[2][:1] == [MARK]:
        del linecache.cache[_name]
'''
_SCRIPT_B64 = base64.b64encode(_SCRIPT.encode("utf-8")).decode("ascii")
_REQUEST_RE = re.compile(r'"REQUEST": "([A-Za-z0-9+/=]*)"')


class WorkspaceError(Exception):
    """A file operation refused or failed; the message is meant for the model."""


class WorkspaceUnavailable(WorkspaceError):
    """The sandbox (and so the workspace) cannot be reached."""


def relative_path(path: str) -> str:
    """`path` relative to /workspace ("" for the folder itself); anything outside is refused."""
    text = path.strip()
    absolute = posixpath.normpath(text if text.startswith("/") else posixpath.join(WORKSPACE, text))
    if absolute == WORKSPACE:
        return ""
    if not absolute.startswith(WORKSPACE + "/"):
        raise WorkspaceError(f"{path!r} is outside the workspace; only files under /workspace are allowed.")
    return absolute[len(WORKSPACE) + 1:]


def file_op_code(request: dict[str, Any]) -> str:
    """The Python snippet that performs `request` in the container."""
    # Both parts travel base64-encoded: no quoting of paths or contents can break the code.
    payload = base64.b64encode(json.dumps(request).encode("ascii")).decode("ascii")
    return (f'{_MARK}exec(__import__("base64").b64decode("{_SCRIPT_B64}").decode(), '
            f'{{"__name__": "_glassbox_tool", "MARK": {_MARK!r}, "REQUEST": "{payload}"}})\n')


def file_op_request(code: str) -> dict[str, Any] | None:
    """The request inside a file-tool snippet, or None for any other code (for test runners)."""
    if not code.startswith(_MARK) or (match := _REQUEST_RE.search(code)) is None:
        return None
    request: dict[str, Any] = json.loads(base64.b64decode(match.group(1)))
    return request


async def read_text(context: ToolContext, path: str) -> str:
    """The text of a workspace file, cut at READ_LIMIT characters."""
    reply = await _run(context, {"op": "read", "path": relative_path(path), "limit": READ_LIMIT}, path)
    text = str(reply.get("text", ""))
    return text + "\n[... file cut ...]" if reply.get("cut") else text


async def write_text(context: ToolContext, path: str, content: str) -> str:
    """Write a workspace file (folders are created); a confirmation for the model."""
    relative = relative_path(path)
    if not relative:
        raise WorkspaceError("Give a file name, not the workspace folder.")
    # replace: a lone surrogate (valid in JSON, not in utf-8) becomes '?' rather than failing.
    data = base64.b64encode(content.encode("utf-8", "replace")).decode("ascii")
    await _run(context, {"op": "write", "path": relative, "data": data}, path)
    return f"Wrote {len(content)} characters to {posixpath.join(WORKSPACE, relative)}."


async def list_folder(context: ToolContext, path: str) -> str:
    """One line per entry of a workspace folder."""
    relative = relative_path(path)
    reply = await _run(context, {"op": "list", "path": relative, "limit": LIST_LIMIT}, path,
                       empty_if_missing=not relative)
    rows = reply.get("entries") or []
    lines = [f"{name}/" if is_dir else f"{name} ({size} bytes)" for name, is_dir, size in rows]
    if reply.get("more"):
        lines.append(f"[... {reply['more']} more entries ...]")
    return "\n".join(lines) or "The folder is empty."


_ERRORS = {
    "outside": "{path!r} is outside the workspace; only files under /workspace are allowed.",
    "is_dir": "{path!r} is a folder, not a file.",
}


async def _run(
    context: ToolContext, request: dict[str, Any], path: str, *, empty_if_missing: bool = False
) -> dict[str, Any]:
    # The events stay inside the tool: the step shows the tool call and its result, not the
    # helper snippet, and no execution record is stored for it.
    result = ExecResult()
    async for item in run_in_sandbox(
        context.sandbox, context.session_id, file_op_code({"root": WORKSPACE, **request}), language="python",
        run_id=context.run_id, step_id=context.step_id, cancel=context.cancel,
        limits=ExecLimits(timeout_s=min(_TIMEOUT_S, context.timeout_s), output_limit_bytes=_OUTPUT_LIMIT),
    ):
        if isinstance(item, ExecResult):
            result = item
    if result.unavailable:
        # Docker down or the image missing, as for code: the model should go on without files.
        raise WorkspaceUnavailable(
            f"the sandbox is not available ({result.error}), so there is no workspace; answer without files"
        )
    if result.error is not None:
        raise WorkspaceError(f"the sandbox failed: {result.error}")
    finished = result.finished
    if finished is None or finished.cancelled:
        raise WorkspaceError("the file operation was stopped")
    if finished.timed_out:
        raise WorkspaceError("the file operation timed out")
    lines = result.stdout.strip().splitlines()
    try:
        reply: dict[str, Any] = json.loads(lines[-1]) if finished.exit_code == 0 and lines else {}
    except json.JSONDecodeError:
        reply = {}
    if not reply:
        raise WorkspaceError(f"the sandbox gave no result (exit code {finished.exit_code})")
    error = reply.get("error")
    if error is None:
        return reply
    if error == "missing":
        if empty_if_missing:
            return {"entries": []}
        what = "folder" if request["op"] == "list" else "file"
        raise WorkspaceError(f"No {what} {path!r} in the workspace.")
    if error == "not_dir":
        kind = "a file, not a folder" if request["op"] == "list" else "a folder, not a file"
        raise WorkspaceError(f"{path!r} is {kind}.")
    raise WorkspaceError(_ERRORS.get(error, "{detail}").format(path=path, detail=reply.get("detail", error)))
