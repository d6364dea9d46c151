"""List questions read into Python run in the real sandbox, their answers exact."""

from __future__ import annotations

from typing import Any

import pytest

from engine.agent.list_question import list_question
from tests.sandbox.helpers import run

pytestmark = [pytest.mark.docker, pytest.mark.asyncio(loop_scope="module")]

LISTS = [
    ("What is the 2nd largest number in [12, 45, 7, 89, 23, 56]?", "56"),
    ("mode of [2, 3, 3, 5, 7, 3, 2, 8]", "3"),
    ("Zip [1, 2, 3] with ['a', 'b', 'c'] into pairs.", "[(1, 'a'), (2, 'b'), (3, 'c')]"),
    ("Move all the zeros in [0, 1, 0, 3, 12] to the end.", "[1, 3, 12, 0, 0]"),
]


@pytest.mark.parametrize(("task", "answer"), LISTS, ids=[f"list-{n}" for n in range(len(LISTS))])
async def test_a_list_question_is_answered_in_the_sandbox(
        analysis_runner: Any, task: str, answer: str) -> None:
    program = list_question(task)
    assert program is not None
    result = await run(analysis_runner, program, session="lists")
    assert result.finished.exit_code == 0, result.stderr
    assert result.stdout.strip() == answer
