"""Conversions read into Python run in the real sandbox, their answers exact."""

from __future__ import annotations

from typing import Any

import pytest

from engine.agent.conversion_question import conversion_question
from tests.sandbox.helpers import run

pytestmark = [pytest.mark.docker, pytest.mark.asyncio(loop_scope="module")]

CONVERSIONS = [
    ("Convert 26.2 miles to kilometers, rounded to 3 decimal places.", "42.165 km"),
    ("What's 300 kelvin in Fahrenheit? Round to 2 decimals.", "80.33 °F"),
    ("Convert hex 0xDEADBEEF to decimal.", "3735928559"),
    ("Convert 1,250 GBP to EUR if 1 GBP = 1.17 EUR.", "1462.50 EUR"),
]


@pytest.mark.parametrize(("task", "answer"), CONVERSIONS,
                         ids=[f"conv-{n}" for n in range(len(CONVERSIONS))])
async def test_a_conversion_is_answered_in_the_sandbox(
        analysis_runner: Any, task: str, answer: str) -> None:
    program = conversion_question(task)
    assert program is not None
    result = await run(analysis_runner, program, session="conversions")
    assert result.finished.exit_code == 0, result.stderr
    assert result.stdout.strip() == answer
