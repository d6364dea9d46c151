"""String questions read into Python run in the real sandbox, their answers exact."""

from __future__ import annotations

from typing import Any

import pytest

from engine.agent.string_question import string_question
from tests.sandbox.helpers import run

pytestmark = [pytest.mark.docker, pytest.mark.asyncio(loop_scope="module")]

STRINGS = [
    ("How many consonants are in 'rhythm and blues'?", "11"),
    ("What is the ROT13 of 'Glassbox'?", "Tynffobk"),
    ("What is the MD5 hash of 'hello'?", "5d41402abc4b2a76b9719d911017c592"),
    ("Remove duplicate characters from 'programming', keeping only the first occurrence of each.",
     "progamin"),
]


@pytest.mark.parametrize(("task", "answer"), STRINGS, ids=[f"string-{n}" for n in range(len(STRINGS))])
async def test_a_string_question_is_answered_in_the_sandbox(
        analysis_runner: Any, task: str, answer: str) -> None:
    program = string_question(task)
    assert program is not None
    result = await run(analysis_runner, program, session="strings")
    assert result.finished.exit_code == 0, result.stderr
    assert result.stdout.strip() == answer
