"""Loads the agent's prompts from data/prompts (shipped files, read once)."""

from __future__ import annotations

import re
from functools import lru_cache

from engine.llm.base import ChatMessage
from engine.resources import data_file

_TURN_RE = re.compile(r"^### (user|assistant)\s*$", re.MULTILINE)


@lru_cache(maxsize=16)
def load_prompt(name: str) -> str:
    """The text of data/prompts/NAME (.md or .txt), stripped."""
    for suffix in (".md", ".txt"):
        path = data_file("prompts", name + suffix)
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
    raise FileNotFoundError(f"Missing prompt file data/prompts/{name}.md")


def agent_system_prompt(tool_lines: str) -> str:
    """The coder's system prompt with the tool list; constant for a run, so the prefix cache holds."""
    # str.replace, not format: the prompt contains JSON braces.
    return load_prompt("agent_system").replace("{tools}", tool_lines)


@lru_cache(maxsize=4)
def example_turns(name: str = "agent_examples") -> tuple[ChatMessage, ...]:
    """Worked example turns (### user / ### assistant sections) placed right after the system prompt.

    A 135M model follows a shown exchange far better than an instruction; the examples are
    constant, so they stay in the cached prompt prefix.
    """
    text = load_prompt(name)
    parts = _TURN_RE.split(text)
    turns: list[ChatMessage] = []
    for role, content in zip(parts[1::2], parts[2::2], strict=True):
        turns.append(ChatMessage("user" if role == "user" else "assistant", content.strip()))
    return tuple(turns)
