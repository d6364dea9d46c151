"""Sequence questions read into Python run in the real sandbox, their answers exact."""

from __future__ import annotations

from typing import Any

import pytest

from engine.agent.sequence_question import sequence_question
from tests.sandbox.helpers import run

pytestmark = [pytest.mark.docker, pytest.mark.asyncio(loop_scope="module")]

SEQUENCES = [
    ("What is the 1000th prime?", "7919"),
    ("What is the 100th Fibonacci number?", "354224848179261915075"),
    ("Find the sum of the first 8 terms of the geometric sequence 5, 15, 45, 135.", "16400"),
]


@pytest.mark.parametrize(("task", "answer"), SEQUENCES, ids=[f"seq-{n}" for n in range(len(SEQUENCES))])
async def test_a_sequence_question_is_answered_in_the_sandbox(
        analysis_runner: Any, task: str, answer: str) -> None:
    program = sequence_question(task)
    assert program is not None
    result = await run(analysis_runner, program, session="sequences")
    assert result.finished.exit_code == 0, result.stderr
    assert result.stdout.strip() == answer
