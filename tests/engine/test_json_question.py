"""Questions about a dict or JSON document are read whole into Python, or not at all."""

from __future__ import annotations

import pytest

from engine.agent.given import read_given
from engine.agent.json_question import json_question
from tests.engine.readers import printed


@pytest.mark.parametrize(("task", "answer"), [
    ('Given {"a": {"b": {"c": 42}}}, what is the value at a.b.c?', "42"),
    ('Given this JSON, what is data.users[1].email?\n{"data": {"users": [{"name": "ana", "email": '
     '"a@x.org"}, {"name": "ben", "email": "b@y.io"}]}}', "b@y.io"),
    ('In {"matrix": [[1, 2, 3], [4, 5, 6], [7, 8, 9]]}, what is matrix[2][0]?', "7"),
    ("How many keys does this dict have: {'x': 1, 'y': 2, 'z': 3}", "3"),
    ('sum of the values in {"apples": 12, "pears": 7, "plums": 30}', "49"),
    ('Which key has the largest value in {"red": 31, "green": 47, "blue": 29}? Give the key only.', "green"),
    ("inventory = {'bolts': 420, 'nuts': 385, 'washers': 512} -- which item has the highest count?",
     "washers"),
    ('Invert the dict {"a": 1, "b": 2} so the values become keys.', "{1: 'a', 2: 'b'}"),
    ('orders = [{"id": 1, "total": 19.99}, {"id": 2, "total": 5.01}]. what is the sum of total?',
     "25.0"),
    ('Average price across [{"name": "A", "price": 10}, {"name": "B", "price": 25}]?', "17.5"),
    ('What is the sum of "price" across [{"name": "A", "price": 10}, {"name": "B", "price": 25}]?', "35"),
    ('Sum all the numbers in {"q1": {"jan": 100, "feb": 120}, "q2": {"apr": 110}}', "330"),
    ('What is the nesting depth of {"a": {"b": {"c": 1}}}? Count the outer dict as depth 1.', "3"),
    ('Does the key "email" exist in {"name": "Sam", "age": 40}? Answer True or False.', "False"),
])
def test_a_json_question_read_whole_prints_its_answer(task: str, answer: str) -> None:
    program = json_question(task)
    assert program is not None
    assert printed(program) == answer


@pytest.mark.parametrize("task", [
    'Which key has the largest value in {"a": 5, "b": 5}?',  # a tie
    'What is the maximum nesting depth of {"a": {"b": [1, {"c": 2}]}}?',  # does a list count as a level?
    'What is the value at a.x in {"a": {"b": 1}}?',  # no such path
    'Merge {"a": 1} with {"a": 2}: what is a?',  # two documents
    'How many records in [{"n": 1}, {"n": 2}] are not active?',
])
def test_anything_else_is_not_read(task: str) -> None:
    assert json_question(task) is None


def test_a_json_question_is_given_code_titled_for_the_activity_pane() -> None:
    given = read_given('How many keys does {"a": 1, "b": 2} have?')
    assert given is not None and given.title == "Work on the JSON in Python"
