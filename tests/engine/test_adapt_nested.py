"""Adapting for nested JSON and lists ({"users": [{...}]}, [[1, 2], [3]]), pasted or in quotes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from engine.agent.adapt import adapted_programs
from engine.agent.task_values import values_and_words
from engine.run import WorkedExample


def printed(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          timeout=30).stdout.strip()


@pytest.mark.parametrize(("task", "kind", "parsed"), [
    ('How many users: {"users": [{"id": 1}, {"id": 2}]}', "dict", {"users": [{"id": 1}, {"id": 2}]}),
    ("Flatten [[1, 2], [3, [4, 5]], 6].", "list", [[1, 2], [3, [4, 5]], 6]),
    ("""From the JSON '{"a": {"b": true}}', get a.b.""", "dict", {"a": {"b": True}}),
    ("Sort the dict {'x': 3, 'y': 1} by value.", "dict", {"x": 3, "y": 1}),
])
def test_a_nested_or_quoted_collection_is_one_value(task: str, kind: str, parsed: object) -> None:
    values, _ = values_and_words(task)
    assert [(v.kind, v.parsed) for v in values] == [(kind, parsed)]


@pytest.mark.parametrize("task", [
    "Sort [34, 7, 23] in descending order.",  # a run of numbers, as before
    "It's {broken and [open, never closed",
])
def test_other_brackets_are_no_collection(task: str) -> None:
    assert all(v.kind not in ("dict", "list") for v in values_and_words(task)[0])


ACTIVE = WorkedExample(
    """From the JSON '{"users": [{"name": "Ana", "active": true}, {"name": "Ben", "active": false}]}',"""
    " list the names of the active users.", "python",
    "import json\ndata = json.loads('{\"users\": [{\"name\": \"Ana\", \"active\": true}, "
    "{\"name\": \"Ben\", \"active\": false}]}')\n"
    "print([u[\"name\"] for u in data[\"users\"] if u[\"active\"]])",
    "", "", "library:test", 0.9)


def test_json_pasted_without_quotes_takes_the_place_of_the_examples_quoted_json() -> None:
    task = ('From the JSON {"users": [{"name": "Cy", "active": true}, {"name": "Di", "active": true},'
            ' {"name": "Ed", "active": false}]}, list the names of the active users.')
    found = adapted_programs([ACTIVE], task)
    assert [a.route for a in found] == ["same words"]
    assert printed(found[0].code) == "['Cy', 'Di']"
