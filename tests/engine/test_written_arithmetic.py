"""Arithmetic a task writes out is worked out by Python, exactly, without the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.agent.given import given_action
from engine.agent.written_arithmetic import LIMIT, written_arithmetic
from engine.events import CodeExecStarted, MessageDone
from engine.llm.scripted import ScriptedModel
from tests.engine.test_adapt_similar import ask_with_the_real_library


@pytest.mark.parametrize(("task", "expression"), [
    ("What is 98765 multiplied by 4321, minus 17?", "(98765 * 4321) - 17"),
    ("I need the exact value of 2^100 minus 3^50.", "2 ** 100 - 3 ** 50"),
    ("Evaluate (4821 - 379) * 56 / 8 + 1234.", "(4821 - 379) * 56 / 8 + 1234"),
    ("hey, quick one: what is 48,271 times 3,917?", "48271 * 3917"),
    ("What's 12 squared plus 5 squared?", "12 ** 2 + 5 ** 2"),
    ("Compute 7^222 mod 1001.", "7 ** 222 % 1001"),
    ("Calculate 100 divided by 7, then times 3.", "(100 / 7) * 3"),
    ("What does 17 x 23 equal?", "17 * 23"),
    # In steps, asked as a question: each step works on the result so far.
    ("hey, quick one: if I multiply 48,271 by 3,917 and then subtract 1,000,003 from the result, what do"
     " I get?", "(48271 * 3917) - 1000003"),
    ("What do I get if I divide 100 by 8 and then add 3?", "(100 / 8) + 3"),
    ("If I subtract 7 from 50, then multiply by 3 and square it, what do I get?", "((50 - 7) * 3) ** 2"),
])
def test_arithmetic_in_symbols_or_words_becomes_a_python_expression(task: str, expression: str) -> None:
    assert written_arithmetic(task) == expression
    action = given_action(task)
    assert action is not None and (action.language, action.code) == ("python", f"print({expression})")


@pytest.mark.parametrize("task", [
    "What is 5 plus 3 times 2?",  # words of two precedences, no comma: people read it either way
    "What is 15% of 80?",  # a percentage
    "What is 2024-01-05?",  # a date
    "What is 10/2/2024 plus 3 days?",
    "What is 3?",  # no operator
    "What is 4, 5, 6?",
    "What is 2 ** 3 ** 4?",  # a power of a power: too big to print
    "What is 2 ** 99999?",
    "What is 7 km plus 3 miles?",  # units
    "What is the sum of 3 and 4?",  # said otherwise: the library's and the model's
    "Multiply 17 by 23.",  # told, not asked: the library's and the model's
    "If I multiply 2 by 3 and then paint it, what do I get?",
])
def test_anything_besides_plain_arithmetic_is_not_read_as_it(task: str) -> None:
    assert written_arithmetic(task) is None


def test_a_long_text_is_not_read() -> None:
    assert written_arithmetic("What is " + " + ".join(["1"] * LIMIT) + "?") is None


@pytest.mark.docker
@pytest.mark.model
async def test_the_agent_prints_the_arithmetic_exactly_in_the_real_sandbox(gb_home: Path) -> None:
    """30 digits, right to the last: the model is not asked and re-types nothing."""
    model = ScriptedModel([])
    events = await ask_with_the_real_library("What is 123456789 multiplied by 987654321, minus 2^90?", model)
    assert [e.code for e in events if isinstance(e, CodeExecStarted)] == [
        "print((123456789 * 987654321) - 2 ** 90)"]
    answer = next(e for e in events if isinstance(e, MessageDone)).text
    assert answer.splitlines()[0] == str(123456789 * 987654321 - 2 ** 90)
    assert model.prompts == []
