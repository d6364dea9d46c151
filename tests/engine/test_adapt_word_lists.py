"""Adapting for word lists ("pear, fig, banana and kiwi"): one value, a list of strings."""

from __future__ import annotations

import subprocess
import sys

import pytest

from engine.agent.adapt import adapt_program, adapted_programs
from engine.agent.adapt_similar import similar_programs
from engine.agent.task_values import values_and_words
from engine.run import WorkedExample


def printed(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          timeout=30).stdout.strip()


def example(task: str, code: str, similarity: float = 0.85) -> WorkedExample:
    return WorkedExample(task, "python", code, "", "", "library:test", similarity)


@pytest.mark.parametrize(("task", "words"), [
    ("Sort these words by length: pear, fig, banana, kiwi.", ["pear", "fig", "banana", "kiwi"]),
    ("Group plum, peach, and apricot by first letter.", ["plum", "peach", "apricot"]),
    ("Which of red, green or blue is longest?", ["red", "green", "blue"]),
])
def test_three_or_more_words_between_commas_are_one_list(task: str, words: list[str]) -> None:
    values, _ = values_and_words(task)
    assert [(v.kind, v.parsed) for v in values] == [("list", words)]


@pytest.mark.parametrize("task", [
    "Evaluate x + y * z for x, y and z all equal to 4.",  # single letters: variables
    "Remove every vowel (a, e, i, o, u, either case) from 'banana'.",
    "Sort apples and pears by price.",  # two words
    # commas in a sentence, around a preposition: not a list (it hid "case-insensitive")
    "How many times does the word 'the' appear, case-insensitive, in 'The cat saw the dog'?",
])
def test_letters_and_pairs_of_words_are_no_word_list(task: str) -> None:
    assert all(value.kind != "list" for value in values_and_words(task)[0])


SORT = example("Sort these words by length, then alphabetically: pear, fig, banana, kiwi, apple, date.",
               'words = ["pear", "fig", "banana", "kiwi", "apple", "date"]\n'
               "print(sorted(words, key=lambda w: (len(w), w)))")


def test_a_word_list_in_the_program_takes_the_tasks_words_whatever_their_number() -> None:
    task = "Sort these words by length, then alphabetically: melon, yam, lime, pea."
    code = adapt_program(SORT.task, SORT.code, task)
    assert code is not None
    assert printed(code) == "['pea', 'yam', 'lime', 'melon']"


def test_a_similar_question_with_a_word_list_adapts_too() -> None:
    found = similar_programs([SORT], "Order by length, ties alphabetically: cherry, kiwi, fig, apple, grape.")
    assert [a.route for a in found] == ["similar question"]
    assert printed(found[0].code) == "['fig', 'kiwi', 'apple', 'grape', 'cherry']"


def test_the_same_word_list_on_both_sides_is_no_value_to_put_in() -> None:
    """"days, hours, minutes and seconds" names the parts of the answer; the program writes none."""
    split = example("Convert 200000 seconds to days, hours, minutes and seconds.",
                    "from datetime import timedelta\nprint(timedelta(seconds=200000))")
    found = adapted_programs([split], "Convert 93784 seconds to days, hours, minutes and seconds.")
    assert [a.route for a in found] == ["same words"]
    assert printed(found[0].code) == "1 day, 2:03:04"


def test_a_word_list_the_program_does_not_write_is_not_adapted() -> None:
    stats = example("Find the mean, median and mode of 4, 7, 2, 7, 9.",
                    "from statistics import mean, median, mode\ndata = [4, 7, 2, 7, 9]\n"
                    "print(mean(data), median(data), mode(data))")
    assert adapted_programs([stats], "Find the range, variance and stdev of 4, 7, 2, 7, 9.") == []
    assert similar_programs([stats], "Find the range, variance and stdev of 4, 7, 2, 7, 9.") == []


def test_a_clause_between_commas_keeps_its_meaning_for_the_similar_route() -> None:
    code = "text = 'The cat and the hat'\nprint(sum(w.lower() == 'the' for w in text.split()))"
    asked = "How many times does the word 'the' appear (any case) in 'The cat and the hat'?"
    task = "How many times does the word 'the' appear, case-insensitive, in 'The cat saw THE dog'?"
    found = similar_programs([example(asked, code)], task)
    assert [printed(a.code) for a in found] == ["2"]
