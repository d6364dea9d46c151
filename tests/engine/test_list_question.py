"""List questions are read whole into Python, or not at all; the Python prints the answer."""

from __future__ import annotations

import pytest

from engine.agent.given import read_given
from engine.agent.list_question import list_question
from tests.engine.readers import printed


@pytest.mark.parametrize(("task", "answer"), [
    ("Sort these numbers in ascending order: [34, 7, 23, 32, 5, 62]", "[5, 7, 23, 32, 34, 62]"),
    ("sort 9, 2, 14, 3 and 11 from biggest to smallest", "[14, 11, 9, 3, 2]"),
    ("Put these fruits in alphabetical order: pear, apple, mango, cherry, banana.",
     "['apple', 'banana', 'cherry', 'mango', 'pear']"),
    ("What is the 3rd largest number in [12, 45, 7, 89, 23, 56]?", "45"),
    ("whats the second smallest of 8, 3, 15, 1, 9", "3"),
    ("Remove duplicates from [3, 1, 3, 2, 1, 5, 2], keeping the order of first appearance.", "[3, 1, 2, 5]"),
    ("How many times does 4 appear in [4, 2, 4, 7, 4, 1]?", "3"),
    ("What's the 0-based index of 'cat' in ['dog', 'bird', 'cat', 'fish']?", "2"),
    ("reverse [1, 4, 9, 16, 25]", "[25, 16, 9, 4, 1]"),
    ("product of all the numbers in [2, 3, 5, 7, 11]", "2310"),
    ("median of [7, 1, 9, 3]", "5.0"),
    ("Add up only the even numbers in [1, 2, 3, 4, 5, 6].", "12"),
    ("Merge the two sorted lists [1, 4, 7] and [2, 3, 8] into one sorted list.", "[1, 2, 3, 4, 7, 8]"),
    ("What is the intersection of [1, 2, 3, 4] and [3, 4, 5]?", "[3, 4]"),
    ("Flatten [[1, 2], [3, 4, 5], [6]] into one flat list.", "[1, 2, 3, 4, 5, 6]"),
    ("Split [1, 2, 3, 4, 5, 6, 7, 8] into chunks of 3.", "[[1, 2, 3], [4, 5, 6], [7, 8]]"),
    ("Rotate [1, 2, 3, 4, 5] to the right by 2 positions.", "[4, 5, 1, 2, 3]"),
    ("What are the running totals of [3, 1, 4, 1, 5]?", "[3, 4, 8, 9, 14]"),
    ("Is [1, 2, 2, 5, 9] sorted? Answer True or False.", "True"),
    ("Which word is longest: elephant, cat, hippopotamus, giraffe?", "hippopotamus"),
])
def test_a_list_question_read_whole_prints_its_answer(task: str, answer: str) -> None:
    program = list_question(task)
    assert program is not None
    assert printed(program) == answer


@pytest.mark.parametrize("task", [
    "Sort [14, 3, 27, 9] in descending order and tell me the third element.",  # two steps
    "Which numbers in [3, 5, 9, 10] are not multiples of 3?",
    "What is the second largest number in [10, 20, 20, 15]?",  # repeats change it, the task is silent
    "Sort the names Zoe, adam, Bob alphabetically.",  # case changes the order, the task is silent
    "Flatten [[1, 2], [3, [4, 5]]] into a single list.",  # deeper than one level
    "Which numbers in [14, 3, 9, 21, 6] are greater than 8, sorted?",  # sorted, asked of a filter
    "Which word is longest: cat, dog, emu?",  # a tie
    "What is the weather like in [1, 2, 3]?",
])
def test_anything_else_is_not_read(task: str) -> None:
    assert list_question(task) is None


def test_a_list_question_is_given_code_titled_for_the_activity_pane() -> None:
    given = read_given("What is the median of [3, 1, 2]?")
    assert given is not None and given.title == "Work on the list in Python"
