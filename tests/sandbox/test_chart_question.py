"""Charts of numbers a task gives, drawn and saved in the real sandbox, their question answered right."""

from __future__ import annotations

from typing import Any

import pytest

from engine.agent.chart_question import chart_question
from tests.sandbox.helpers import run

pytestmark = [pytest.mark.docker, pytest.mark.asyncio(loop_scope="module")]

CHARTS = [
    ("Make a bar chart of monthly sales (Jan 120, Feb 95, Mar 143, Apr 110), save it to "
     "/workspace/out/sales.png and tell me how many bars it has.", "/workspace/out/sales.png", "4"),
    ("could you make a pie chart of my monthly budget -- rent 1450, food 620, transport 210, fun 340, "
     "savings 880 -- and save it to /workspace/out/budget.png? what percentage does the biggest slice show,"
     " to 1 decimal?", "/workspace/out/budget.png", "41.4%"),
    ("Monthly sales: Jan 340, Feb 295, Mar 410, Apr 388. Make a bar chart and save it at "
     "/workspace/out/m.png. Which month has the shortest bar?", "/workspace/out/m.png", "Feb"),
    ("Plot the values 15, 42, 27 and 33 as bars in /workspace/out/tall.png. What is the tallest bar's "
     "height?", "/workspace/out/tall.png", "42"),
    ('Draw a pie chart of {"cats": 45, "dogs": 35, "birds": 20} to /workspace/charts/pets.png and print '
     "the percentage of the 'dogs' slice.", "/workspace/charts/pets.png", "35.0%"),
    ("Make a bar chart of ['mon', 'tue', 'wed'] with the values 30, 45 and 28, save it as "
     "/workspace/out/days.png and print the sum of the bar heights.", "/workspace/out/days.png", "103"),
]


@pytest.mark.parametrize(("task", "path", "answer"), CHARTS, ids=[c[1].rsplit("/", 1)[1] for c in CHARTS])
async def test_a_chart_is_saved_where_asked_and_its_question_answered(
        analysis_runner: Any, task: str, path: str, answer: str) -> None:
    program = chart_question(task)
    assert program is not None
    result = await run(analysis_runner, program + f"\nprint(open({path!r}, 'rb').read(8))",
                       session="charts")
    assert result.finished.exit_code == 0, result.stderr
    printed = result.stdout.strip().splitlines()
    assert printed == [answer, repr(b"\x89PNG\r\n\x1a\n")]
