"""A similar question asking for another place ("the third largest" for "the second largest")."""

from __future__ import annotations

import subprocess
import sys

import pytest

from engine.agent.adapt_ordinal import reindexed, with_tasks_ordinal
from engine.agent.adapt_similar import similar_programs
from engine.run import WorkedExample


def printed(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          timeout=30).stdout.strip()


def example(task: str, code: str) -> WorkedExample:
    return WorkedExample(task, "python", code, "", "", "library:test", 0.8)


SECOND_LARGEST = example("What is the second largest distinct value in [10, 40, 40, 25, 35, 5]?",
                         "print(sorted(set([10, 40, 40, 25, 35, 5]))[-2])")


def test_the_programs_one_index_takes_the_tasks_place() -> None:
    task = "What's the fourth largest distinct value in [12, 45, 7, 45, 33, 19, 33, 28]?"
    found = similar_programs([SECOND_LARGEST], task)
    assert [printed(a.code) for a in found] == ["19"]
    assert found[0].template is SECOND_LARGEST  # the answer quotes the example's own question
    smallest = example("Find the second smallest distinct number in [8, 3, 5, 3, 9, 12].",
                       "print(sorted(set([8, 3, 5, 3, 9, 12]))[1])")
    found = similar_programs([smallest], "Find the fifth smallest distinct number in [4, 1, 9, 7, 1, 3, 8].")
    assert [printed(a.code) for a in found] == ["8"]  # 1, 3, 4, 7, 8


@pytest.mark.parametrize(("code", "expected"), [
    ("xs = [5, 1, 4]\nprint(sorted(xs)[-2])", "xs = [5, 1, 4]\nprint(sorted(xs)[-3])"),
    ('print(data["items"][1]["name"])', 'print(data["items"][2]["name"])'),
    ("print(xs[1], ys[1])", None),  # two indexes for the place: which is which is a guess
    ("print(xs[::2])", None),  # a step, not an index
    ("print(max(xs))", None),
])
def test_only_one_index_for_the_place_is_rewritten(code: str, expected: str | None) -> None:
    assert reindexed(code, 2, 3) == expected


def test_no_place_or_the_same_place_is_left_to_the_other_routes() -> None:
    assert with_tasks_ordinal(SECOND_LARGEST, "What is the largest value in [1, 2]?") is None
    assert with_tasks_ordinal(SECOND_LARGEST, "What is the second largest value in [1, 2, 3]?") is None
    # the other direction is still refused by the similar route's own test (largest is not smallest)
    assert similar_programs([SECOND_LARGEST], "What's the third smallest distinct value in [4, 1, 9]?") == []
