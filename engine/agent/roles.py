"""Roles that carry out plan steps: each has its own system prompt and optionally its own model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.agent.prompts import load_prompt
from engine.llm.base import ChatModel

if TYPE_CHECKING:
    from engine.agent.runtime import AgentRuntime

@dataclass(frozen=True, slots=True)
class Role:
    """How a plan step is carried out."""

    name: str
    system_prompt: str
    can_act: bool
    model: ChatModel | None = None


def role_for(name: str, runtime: AgentRuntime) -> Role:
    """The role of that name (unknown names act as coder)."""
    model = runtime.ctx.role_models.get(name)
    if name == "writer":
        return Role("writer", load_prompt("writer"), can_act=False, model=model)
    # The coder shares the direct loop's system prompt, so its prefix is already cached.
    return Role("coder", runtime.system_prompt, can_act=True, model=model)
