"""Worked examples as the model sees them: earlier turns of task, code, observation and answer."""

from __future__ import annotations

from collections.abc import Sequence

from engine.agent.prompts import example_turns
from engine.llm.base import ChatMessage
from engine.run import WorkedExample

OBSERVATION_PROMPT = "If this answers the task, reply with the answer only."


def observation_message(observation: str) -> ChatMessage:
    """The user turn that shows the model what its code printed."""
    return ChatMessage("user", f"Observation:\n{observation}\n\n{OBSERVATION_PROMPT}")


def example_messages(examples: Sequence[WorkedExample]) -> list[ChatMessage]:
    """Each example as four turns, most similar last (nearest to the task)."""
    messages: list[ChatMessage] = []
    for example in sorted(examples, key=lambda e: e.similarity):
        messages.append(ChatMessage("user", example.task))
        messages.append(ChatMessage("assistant", f"```{example.language}\n{example.code.strip()}\n```"))
        messages.append(observation_message(f"Output:\n{example.output.strip()}"))
        messages.append(ChatMessage("assistant", example.answer.strip()))
    return messages


def prompt_prefix(examples: Sequence[WorkedExample]) -> list[ChatMessage]:
    """The turns before the conversation: the constant demonstrations, then the chosen examples."""
    return [*example_turns(), *example_messages(examples)]
