"""Questions read whole into Python (dates, strings, lists, JSON, conversions, sequences) run in the real
sandbox (its Python, clock and locale), their answers exact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engine.agent.conversion_question import conversion_question
from engine.agent.date_question import date_question
from engine.agent.json_question import json_question
from engine.agent.list_question import list_question
from engine.agent.sequence_question import sequence_question
from engine.agent.string_question import string_question
from tests.sandbox.helpers import run

pytestmark = [pytest.mark.docker, pytest.mark.asyncio(loop_scope="module")]

READINGS: list[tuple[Callable[[str], str | None], str, str]] = [
    (date_question, "How many days are there between 2021-03-14 and 2024-11-02?", "1329"),
    (date_question, "What day of the week was July 20, 1969?", "Sunday"),
    (date_question, "What is the date 6 months after 2023-08-31?", "2024-02-29"),
    (date_question, "How many weekdays are in March 2024?", "21"),
    (date_question, "What is the Unix timestamp of 15 March 2024 at 12:00 UTC?", "1710504000"),
    (date_question, "What time is it 90 minutes before 00:15?", "22:45"),
    (string_question, "How many consonants are in 'rhythm and blues'?", "11"),
    (string_question, "What is the ROT13 of 'Glassbox'?", "Tynffobk"),
    (string_question, "What is the MD5 hash of 'hello'?", "5d41402abc4b2a76b9719d911017c592"),
    (string_question, "Remove duplicate characters from 'programming', keeping only the first occurrence of "
                      "each.", "progamin"),
    (list_question, "What is the 2nd largest number in [12, 45, 7, 89, 23, 56]?", "56"),
    (list_question, "mode of [2, 3, 3, 5, 7, 3, 2, 8]", "3"),
    (list_question, "Zip [1, 2, 3] with ['a', 'b', 'c'] into pairs.", "[(1, 'a'), (2, 'b'), (3, 'c')]"),
    (list_question, "Move all the zeros in [0, 1, 0, 3, 12] to the end.", "[1, 3, 12, 0, 0]"),
    (json_question, 'what is config.servers[1].port in {"config": {"servers": [{"port": 80}, '
                    '{"port": 8443}]}}?', "8443"),
    (json_question, 'What is the length of the compact JSON (no spaces at all) for the array '
                    '[1, "two", null, true]?', "19"),
    (json_question, 'Who has the highest score? [{"name": "Ann", "score": 71}, {"name": "Bo", "score": 93}]',
     "Bo"),
    (conversion_question, "Convert 26.2 miles to kilometers, rounded to 3 decimal places.", "42.165 km"),
    (conversion_question, "What's 300 kelvin in Fahrenheit? Round to 2 decimals.", "80.33 °F"),
    (conversion_question, "Convert hex 0xDEADBEEF to decimal.", "3735928559"),
    (conversion_question, "Convert 1,250 GBP to EUR if 1 GBP = 1.17 EUR.", "1462.50 EUR"),
    (sequence_question, "What is the 1000th prime?", "7919"),
    (sequence_question, "What is the 100th Fibonacci number?", "354224848179261915075"),
    (sequence_question, "Find the sum of the first 8 terms of the geometric sequence 5, 15, 45, 135.",
     "16400"),
]


@pytest.mark.parametrize(("reader", "task", "answer"), READINGS,
                         ids=[f"{reader.__name__}-{n}" for n, (reader, _, _) in enumerate(READINGS)])
async def test_a_question_read_whole_is_answered_in_the_sandbox(
        analysis_runner: Any, reader: Callable[[str], str | None], task: str, answer: str) -> None:
    program = reader(task)
    assert program is not None
    result = await run(analysis_runner, program, session="readers")
    assert result.finished.exit_code == 0, result.stderr
    assert result.stdout.strip() == answer
