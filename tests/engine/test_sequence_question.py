"""Sequence questions are read whole into Python, or not at all; the Python prints the answer."""

from __future__ import annotations

import pytest

from engine.agent.given import read_given
from engine.agent.sequence_question import sequence_question
from tests.engine.readers import printed


@pytest.mark.parametrize(("task", "answer"), [
    ("What is the 20th Fibonacci number?", "6765"),
    ("What is the 20th Fibonacci number? Use F(1) = 1, F(2) = 1.", "6765"),
    ("fib(50) = ? (fib(0)=0, fib(1)=1)", "12586269025"),
    ("What is the twenty-fifth prime?", "97"),
    ("How many primes are there below 100?", "25"),
    ("sum of the primes below 1000", "76127"),
    ("How many primes between 10 and 20?", "4"),
    ("What comes next: 2, 6, 18, 54?", "162"),
    ("What number comes next: 1, 1, 2, 3, 5, 8?", "13"),
    ("Next term: 1, 1, 2, 6, 24, 120, ?", "720"),
    ("the 10th triangular number", "55"),
    ("What is the 15th term of the sequence 3, 7, 11, ...?", "59"),
    ("What is the sum of the first 40 terms of the arithmetic sequence 3, 8, 13, 18, ...?", "4020"),
    ("An arithmetic sequence has first term 7 and common difference 4. What is its 50th term?", "203"),
    ("What is the 7th term of a geometric sequence with first term 1000 and common ratio 2?", "64000"),
    ("Calculate 20!", "2432902008176640000"),
    ("What is the sum of the first 100 odd numbers?", "10000"),
    ("How many steps does the Collatz sequence starting at 27 take to reach 1?", "111"),
])
def test_a_sequence_question_read_whole_prints_its_answer(task: str, answer: str) -> None:
    program = sequence_question(task)
    assert program is not None
    assert printed(program) == answer


@pytest.mark.parametrize("task", [
    "What is the 10th Fibonacci number if the sequence starts 0, 1?",  # counted another way
    "What comes next: 2, 4, 8?",  # three terms: doubling or +2, +4, +6 both fit
    "How many primes are there between 11 and 20?",  # is 11 counted?
    "What is the first Fibonacci number with 10 digits?",
    "Which primes between 100 and 200 end in 3?",
])
def test_anything_else_is_not_read(task: str) -> None:
    assert sequence_question(task) is None


def test_a_sequence_question_is_given_code_titled_for_the_activity_pane() -> None:
    given = read_given("What is the 12th Fibonacci number?")
    assert given is not None and given.title == "Work out the sequence in Python"
