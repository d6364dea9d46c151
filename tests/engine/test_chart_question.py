"""A bar or pie chart of numbers the task gives, with one question, is read whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.agent.chart_question import chart_question
from engine.agent.given import read_given
from engine.events import ExecFinished, MessageDone, StepStarted
from engine.llm.scripted import ScriptedModel
from tests.engine.test_adapt_similar import ask_with_the_real_library

DATA = "rent 900, food 400, games 150"


@pytest.mark.parametrize(("task", "last_line"), [
    (f"Make a pie chart of {DATA} and save it to /workspace/out/s.png. What percentage does the biggest"
     " slice show?", "print(f'{share:.1f}%')"),
    (f"Draw a bar chart of {DATA} in /workspace/out/s.png and print the label of the shortest bar.",
     "print(', '.join(labels))"),
    (f"Bar chart of {DATA}, saved to /workspace/out/s.png: how many bars are there?", "print(len(data))"),
    (f"Draw a bar chart of {DATA} to /workspace/out/s.png and print the average bar height, to 2 decimals.",
     "print(round(sum(data.values()) / len(data), 2))"),
])
def test_a_chart_question_read_whole_becomes_matplotlib_code(task: str, last_line: str) -> None:
    program = chart_question(task)
    assert program is not None
    assert "matplotlib.use('Agg')" in program and "fig.savefig('/workspace/out/s.png')" in program
    assert "data = {'rent': 900, 'food': 400, 'games': 150}" in program
    assert program.splitlines()[-1] == last_line


@pytest.mark.parametrize("task", [
    f"Draw a stacked bar chart of {DATA} to /workspace/out/s.png and print the number of bars.",
    f"Draw a bar chart of {DATA} to /workspace/out/s.png and print the second tallest bar's label.",
    f"Draw a bar chart of {DATA} to /workspace/out/s.png; how many bars, and which is tallest?",
    f"Draw a line chart of {DATA} to /workspace/out/s.png and print the number of points.",
    f"Draw a bar chart of {DATA} to /workspace/out/s.png and print what percentage the tallest bar is.",
    f"Draw a bar chart of {DATA} in red to /workspace/out/s.png and print the number of bars.",
    f"Draw a bar chart of {DATA} and print the number of bars.",  # no file to save to
    "Draw a bar chart of a -5, b 3 to /workspace/out/s.png and print the tallest bar.",  # below zero
])
def test_anything_else_is_not_read(task: str) -> None:
    assert chart_question(task) is None


def test_a_chart_question_is_given_code_titled_for_the_activity_pane() -> None:
    given = read_given(f"Make a bar chart of {DATA} in /workspace/out/s.png. How many bars does it have?")
    assert given is not None and given.title == "Draw the chart with matplotlib and answer"


def test_a_slice_named_without_quotes_is_the_one_asked_about() -> None:
    program = chart_question("pie of drinks sold: coffee 45, tea 30, juice 15, water 60. file "
                             "/workspace/out/drinks.png. what % is the coffee slice? 1 decimal.")
    assert program is not None and "best = data['coffee']" in program
    assert program.splitlines()[-1] == "print(f'{share:.1f}%')"


@pytest.mark.docker
@pytest.mark.model
async def test_the_chart_is_the_one_artifact_and_the_answer_its_biggest_slice(gb_home: Path) -> None:
    task = ("Draw a pie chart of my spending -- rent 900, food 400, games 150, books 50 -- and save it as"
            " /workspace/out/spend.png. What are the label and percentage of the biggest slice?")
    model = ScriptedModel([])
    events = await ask_with_the_real_library(task, model)
    assert next(e.title for e in events if isinstance(e, StepStarted)) == \
        "Draw the chart with matplotlib and answer"
    assert next(e for e in events if isinstance(e, MessageDone)).text.splitlines()[0] == "rent 60.0%"
    assert [a.name for e in events if isinstance(e, ExecFinished) for a in e.artifacts] == ["spend.png"]
    assert model.prompts == []
