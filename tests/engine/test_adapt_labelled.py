"""Adapting for labelled numbers ("Jan 120, Feb 95") and tables with other column names; pastes not read."""

from __future__ import annotations

import subprocess
import sys

import pytest

from engine.agent import adapt, paraphrase, solve
from engine.agent.adapt import adapt_program, adapted_programs
from engine.agent.adapt_similar import similar_programs
from engine.agent.task_values import values_and_words
from engine.run import WorkedExample


def printed(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          timeout=30).stdout.strip()


def test_labelled_numbers_are_one_value_a_dict() -> None:
    values, words = values_and_words("Make a bar chart of Jan 340, Feb 295, Mar 410 and Apr 388.")
    assert [(v.kind, v.parsed) for v in values] == [
        ("dict", {"Jan": 340, "Feb": 295, "Mar": 410, "Apr": 388})]
    assert "jan" not in words
    values, _ = values_and_words("Pie chart of apple=12, pear=7.5, fig=3, plum=9")
    assert [v.parsed for v in values] == [{"apple": 12, "pear": 7.5, "fig": 3, "plum": 9}]


@pytest.mark.parametrize("task", [
    "Evaluate 2x + y - z for x = 1, y = 2, z = 3.",  # variables, written one by one in programs
    "Total the sales per region: north 120, south 80, north 45.",  # a label twice is no dict
    "What is the sum of 4, 8 and 15?",
])
def test_other_numbers_are_not_labelled(task: str) -> None:
    assert all(value.kind != "dict" for value in values_and_words(task)[0])


BARS = ("Make a bar chart of monthly sales (Jan 120, Feb 95, Mar 143, Apr 110) and tell me the month of"
        " the tallest bar.")


@pytest.mark.parametrize(("code", "expected"), [
    # labels and numbers in two lists, as plotting calls take them
    ('labels = ["Jan", "Feb", "Mar", "Apr"]\nvalues = [120, 95, 143, 110]\n'
     "print(labels[values.index(max(values))])", "Tue"),
    # a dict, as the task reads them
    ('sales = {"Jan": 120, "Feb": 95, "Mar": 143, "Apr": 110}\nprint(max(sales, key=sales.get))', "Tue"),
])
def test_labelled_numbers_are_replaced_as_the_program_writes_them(code: str, expected: str) -> None:
    task = BARS.replace("Jan 120, Feb 95, Mar 143, Apr 110", "Mon 5, Tue 9, Wed 2")
    adapted = adapt_program(BARS, code, task)
    assert adapted is not None
    assert printed(adapted) == expected


def test_a_program_that_names_a_label_on_its_own_is_not_adapted() -> None:
    example = "Make a pie chart of rent 1200, food 450, fun 200 and print the rent slice's share."
    code = 'budget = {"rent": 1200, "food": 450, "fun": 200}\nprint(budget["rent"] / sum(budget.values()))'
    assert adapt_program(example, code, example.replace("rent 1200, food 450, fun 200",
                                                        "home 900, food 300, travel 100")) is None


def test_a_written_dict_answers_labelled_numbers_of_a_similar_question() -> None:
    code = 'data = {"apples": 10, "pears": 6, "plums": 14}\nprint(sum(data.values()))'
    template = WorkedExample(
        'What do the bars add up to in a bar chart of {"apples": 10, "pears": 6, "plums": 14}?',
        "python", code, "", "", "library:test", 0.8)
    found = similar_programs([template],
                             "Bar chart of fig=3, kiwi=8, lime=5, date=1: what is the sum of the bars?")
    assert [a.route for a in found] == ["similar question"]
    assert printed(found[0].code) == "17"


TABLE_CODE = ('import csv, io\n'
              'rows = list(csv.DictReader(io.StringIO("""product,price\npen,1.5\nlamp,24\nmug,8""")))\n'
              'print(sum(float(row["price"]) > 10 for row in rows))')
TABLE_TASK = "With pandas, count the rows where price is greater than 10.\n{}"


def test_a_table_whose_other_columns_are_named_otherwise_keeps_its_own_names() -> None:
    adapted = adapt_program(TABLE_TASK.format("product,price\npen,1.5\nlamp,24\nmug,8"), TABLE_CODE,
                            TABLE_TASK.format("item,price\na,4\nb,15\nc,22\nd,11"))
    assert adapted is not None
    assert printed(adapted) == "3"


def test_a_table_without_a_column_the_program_names_is_not_adapted() -> None:
    assert adapt_program(TABLE_TASK.format("product,price\npen,1.5\nlamp,24\nmug,8"), TABLE_CODE,
                         TABLE_TASK.format("product,cost\na,4\nb,15\nc,22")) is None


def test_a_paste_of_data_is_not_read_for_values(monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-line paste of 100,200,... takes minutes to split into values (the thousands separator
    makes the number pattern backtrack); no library question is that long, so none is read."""

    def never(text: str) -> None:
        raise AssertionError(f"values read from a {len(text):,}-character task")

    monkeypatch.setattr(adapt, "values_and_words", never)
    monkeypatch.setattr(paraphrase, "values_and_words", never)
    template = WorkedExample("What is the sum of 100,200,300?", "python", "print(sum([100, 200, 300]))",
                             "", "", "library:test", 0.9)
    paste = "What is the sum of " + ",".join(["100"] * 300_000) + "?"
    assert len(paste) > adapt.ADAPT_LIMIT
    assert adapted_programs([template], paste) == [] and similar_programs([template], paste) == []


def test_a_long_paste_gives_values_without_being_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """gives_values runs on the event loop: a 10 MB paste took 10 s to read."""
    monkeypatch.setattr(solve, "values_and_words", lambda text: pytest.fail("the paste was read"))
    assert solve.gives_values("0123456789" * 1_000_000)
