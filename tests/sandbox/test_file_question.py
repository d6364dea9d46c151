"""Files written under /workspace as a task says, in the real sandbox, and its question answered right."""

from __future__ import annotations

from typing import Any

import pytest

from engine.agent.file_question import file_question
from tests.sandbox.helpers import run

pytestmark = [pytest.mark.docker, pytest.mark.asyncio(loop_scope="module")]

FILES = [
    ("Write the integers 1 to 300, one per line, to /workspace/nums.txt. Then read the file back and tell "
     "me the sum of the numbers that are divisible by 7.", "6321"),
    ("Make /workspace/data/n.txt holding the integers 1 through 250, one per line, with a newline after "
     "every line including the last. How many bytes is the file?", "892"),
    ("Write 'café ☕ naïve' (no trailing newline) to /workspace/unicode.txt. What is the file's size in "
     "bytes?", "16"),
    ("Write the multiples of 12 from 12 to 1200 (inclusive) to /workspace/dozens.txt, one per line. How "
     "many of those numbers have exactly 4 digits?", "17"),
    ("Create /workspace/log.txt with the lines ['INFO start', 'ERROR disk', 'INFO retry', 'ERROR time'], "
     "one per line. How many lines contain the word 'ERROR'?", "2"),
]


@pytest.mark.parametrize(("task", "answer"), FILES, ids=[f"file-{n}" for n in range(len(FILES))])
async def test_a_file_is_written_as_asked_and_its_question_answered(
        analysis_runner: Any, task: str, answer: str) -> None:
    program = file_question(task)
    assert program is not None
    result = await run(analysis_runner, program, session="files")
    assert result.finished.exit_code == 0, result.stderr
    assert result.stdout.strip() == answer
