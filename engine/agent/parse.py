"""Parses a model reply into plain text and at most one action (a code block or a tool call)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

ActionKind = Literal["code", "tool"]

_FENCE_RE = re.compile(r"```[ \t]*([A-Za-z0-9_+.-]*)[ \t]*\n(.*?)(?:\n[ \t]*```|\Z)", re.DOTALL)
_CLOSED_FENCE_RE = re.compile(r"```[ \t]*([A-Za-z0-9_+.-]*)[ \t]*\n(.*?)\n[ \t]*```", re.DOTALL)
_LANGUAGES = {
    "python": "python", "py": "python", "python3": "python", "": "python",
    "bash": "bash", "sh": "bash", "shell": "bash", "console": "bash",
}
_TOOL_TAGS = {"tool", "tool_call", "json"}


@dataclass(frozen=True, slots=True)
class Action:
    """One thing the model asked to do."""

    kind: ActionKind
    language: str
    code: str
    """The code to run, or the tool call's JSON text as written."""
    tool: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    """Why a tool block could not be read (the model sees this as the observation)."""

    @property
    def signature(self) -> str:
        """Identity of the action, to notice a model repeating itself."""
        return f"{self.kind}:{self.language}:{' '.join(self.code.split())}"


@dataclass(frozen=True, slots=True)
class ParsedReply:
    """A reply split at its first action."""

    text: str
    """Everything the model wrote, cut after the first action block."""
    prose: str
    """The reply without any code block (what remains as a direct answer)."""
    action: Action | None


def parse_reply(reply: str) -> ParsedReply:
    """Find the first runnable block; unterminated final blocks count (generation may stop)."""
    for match in _FENCE_RE.finditer(reply):
        tag = match.group(1).lower()
        body = match.group(2).strip("\n")
        action = _action_from_block(tag, body)
        if action is None:
            continue
        closing = "" if match.group(0).endswith("```") else "\n```"
        return ParsedReply(reply[: match.end()].rstrip() + closing, _prose(reply), action)
    return ParsedReply(reply, reply.strip(), None)


def has_complete_action(text: str) -> bool:
    """True once a closed action block is in the text (generation can stop there)."""
    for match in _CLOSED_FENCE_RE.finditer(text):
        if _action_from_block(match.group(1).lower(), match.group(2)) is not None:
            return True
    return False


def _action_from_block(tag: str, body: str) -> Action | None:
    if not body.strip():
        return None
    if tag in _TOOL_TAGS or (tag == "" and body.lstrip().startswith("{")):
        return _tool_action(body, strict=tag in ("tool", "tool_call"))
    language = _LANGUAGES.get(tag)
    if language is None:
        return None
    return Action(kind="code", language=language, code=body)


def _tool_action(body: str, *, strict: bool) -> Action | None:
    text = body.strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if not strict:
            return None
        return Action(kind="tool", language="tool", code=text,
                      error=f"The tool call is not valid JSON: {exc.msg}.")
    if not isinstance(data, dict):
        if not strict:
            return None
        return Action(kind="tool", language="tool", code=text,
                      error='A tool call must be a JSON object: {"name": ..., "arguments": {...}}.')
    # Small models often rename the keys; accept the common variants.
    name = data.get("name") or data.get("tool") or data.get("function")
    if not isinstance(name, str) or not name:
        if not strict:
            return None
        return Action(kind="tool", language="tool", code=text, error='The tool call has no "name".')
    arguments = data.get("arguments", data.get("args", data.get("parameters", {})))
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except json.JSONDecodeError:
            arguments = {"value": arguments}
    if not isinstance(arguments, dict):
        return Action(kind="tool", language="tool", code=text, tool=name,
                      error='"arguments" must be a JSON object.')
    return Action(kind="tool", language="tool", code=text, tool=name, arguments=arguments)


def _prose(reply: str) -> str:
    return _FENCE_RE.sub("", reply).strip()


def prose_of(reply: str) -> str:
    """The reply without any code block (for a turn in which nothing may run)."""
    return _prose(reply)
