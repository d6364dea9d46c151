"""Date questions read into datetime code run in the real sandbox (its Python, its clock and locale)."""

from __future__ import annotations

from typing import Any

import pytest

from engine.agent.date_question import date_question
from tests.sandbox.helpers import run

pytestmark = [pytest.mark.docker, pytest.mark.asyncio(loop_scope="module")]

DATES = [
    ("How many days are there between 2021-03-14 and 2024-11-02?", "1329"),
    ("What day of the week was July 20, 1969?", "Sunday"),
    ("What is the date 6 months after 2023-08-31?", "2024-02-29"),
    ("How many weekdays are in March 2024?", "21"),
    ("What is the Unix timestamp of 15 March 2024 at 12:00 UTC?", "1710504000"),
    ("What time is it 90 minutes before 00:15?", "22:45"),
]


@pytest.mark.parametrize(("task", "answer"), DATES, ids=[f"date-{n}" for n in range(len(DATES))])
async def test_a_date_question_is_answered_in_the_sandbox(
        analysis_runner: Any, task: str, answer: str) -> None:
    program = date_question(task)
    assert program is not None
    result = await run(analysis_runner, program, session="dates")
    assert result.finished.exit_code == 0, result.stderr
    assert result.stdout.strip() == answer
