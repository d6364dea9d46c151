"""Questions about JSON read into Python run in the real sandbox, their answers exact."""

from __future__ import annotations

from typing import Any

import pytest

from engine.agent.json_question import json_question
from tests.sandbox.helpers import run

pytestmark = [pytest.mark.docker, pytest.mark.asyncio(loop_scope="module")]

DOCUMENTS = [
    ('what is config.servers[1].port in {"config": {"servers": [{"port": 80}, {"port": 8443}]}}?', "8443"),
    ("What is the length of the compact JSON (no spaces at all) for the array [1, \"two\", null, true]?",
     "19"),
    ('Who has the highest score? [{"name": "Ann", "score": 71}, {"name": "Bo", "score": 93}]', "Bo"),
]


@pytest.mark.parametrize(("task", "answer"), DOCUMENTS, ids=[f"json-{n}" for n in range(len(DOCUMENTS))])
async def test_a_json_question_is_answered_in_the_sandbox(
        analysis_runner: Any, task: str, answer: str) -> None:
    program = json_question(task)
    assert program is not None
    result = await run(analysis_runner, program, session="json")
    assert result.finished.exit_code == 0, result.stderr
    assert result.stdout.strip() == answer
