"""Loads the agent's prompts from data/prompts (shipped files, read once)."""

from __future__ import annotations

from functools import lru_cache

from engine.resources import data_file


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
