"""Adapting across currencies named alike, range() stops one past a value, and requests put as questions."""

from __future__ import annotations

import subprocess
import sys

import pytest

from engine.agent.adapt import adapt_program
from engine.agent.adapt_similar import similar_pairs, similar_programs
from engine.agent.task_values import asks_yes_or_no, values_and_words
from engine.run import WorkedExample


def printed(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          timeout=30).stdout.strip()


def example(task: str, code: str) -> WorkedExample:
    return WorkedExample(task, "python", code, "", "", "library:test", 0.8)


def test_a_rate_given_in_the_task_makes_one_currencys_program_anothers() -> None:
    found = similar_programs([example("Convert 250 dollars to euros at 0.92 euros per dollar.",
                                      'euros = 250 * 0.92\nprint(f"{euros:.2f}")')],
                             "Convert 250 euros to yen at a rate of 162.5 yen per euro.")
    assert [a.route for a in found] == ["similar question"]
    assert printed(found[0].code) == "40625.00"


@pytest.mark.parametrize(("example_task", "task"), [
    # 1 USD = 149.5 JPY divides yen into dollars; 1 EUR = 0.85 GBP multiplies euros into pounds
    ("Convert 10,000 yen to dollars when 1 USD = 149.5 JPY.",
     "Convert 900 euros to pounds when 1 EUR = 0.85 GBP."),
    ("Convert 250 dollars to euros at 0.92 euros per dollar.",
     "Convert 250 euros to yen at 0.0061 euros per yen."),
    ("How many bytes are in 5 MiB?", "How many bytes are in 2 GiB?"),  # units, not currencies: still apart
])
def test_currencies_written_in_another_order_are_not_renamed(example_task: str, task: str) -> None:
    assert similar_pairs(example_task, task) is None


def test_a_range_stop_one_past_the_examples_value_becomes_one_past_the_tasks() -> None:
    code = adapt_program("What is the sum of the integers from 1 to 20?", "print(sum(range(1, 21)))",
                         "What is the sum of the integers from 1 to 50?")
    assert code is not None
    assert printed(code) == "1275"
    single = adapt_program("What is the sum of n squared for n up to 10?",
                           "print(sum(n * n for n in range(11)))",
                           "What is the sum of n squared for n up to 4?")
    assert single is not None
    assert printed(single) == "30"


def test_one_past_a_value_outside_a_range_call_is_still_refused() -> None:
    """n * (n + 1) // 2 written as 20 * 21 // 2: the 21 is derived, but not a stop that says so."""
    assert adapt_program("What is the sum of the integers from 1 to 20?", "print(20 * 21 // 2)",
                         "What is the sum of the integers from 1 to 50?") is None


@pytest.mark.parametrize(("task", "yes_no"), [
    ("Could you make a pie chart of rent 1450, food 620 and fun 340?", False),
    ("Can you write 'open source software' backwards?", False),
    ("Would you sort 3, 1, 2 for me?", False),
    ("Can you tell me if 2024 is a leap year?", True),
    ("Could you check whether 97 is prime?", True),
    ("Can 97 be written as a sum of two squares?", True),
    ("Is 97 prime?", True),
])
def test_a_request_put_as_a_question_asks_for_the_work_not_a_yes_or_no(task: str, yes_no: bool) -> None:
    assert asks_yes_or_no(task) is yes_no


def test_how_many_of_a_currency_asks_for_a_conversion_not_a_count() -> None:
    code = 'usd, eur = 1, 0.93\neuros = 640 * eur / usd\nprint(f"{euros:.2f}")'
    task = "I'm paying 347.50 USD and the rate is 1 USD = 0.9213 EUR. How many euros is that?"
    found = similar_programs([example("Convert 640 dollars to euros if 1 USD = 0.93 EUR.", code)], task)
    assert [printed(a.code) for a in found] == ["320.15"]


def test_a_plural_ordinal_is_a_value() -> None:
    """"Friday the 13ths in 2026" is not "Fridays in 2026" (52): its 13 is read, and no example pairs."""
    values, _ = values_and_words("How many Friday the 13ths are there in 2026?")
    assert [(v.kind, v.text) for v in values] == [("ordinal", "13"), ("number", "2026")]
    assert similar_pairs("How many Fridays are there in 2026?",
                         "How many Friday the 13ths are there in 2026?") is None


@pytest.mark.parametrize(("text", "numbers"), [
    ("Plot y = x^2 - 3x for the integers x from -4 to 8", ["2", "3", "-4", "8"]),
    ("Plot y = 2x + 1 for x from 0 to 5", ["2", "1", "0", "5"]),
    ("Plot sin(2x) over 0 to 6", ["0", "6"]),  # inside a call: not read apart from the function
    ("Collatz: 3n+1 if odd, from 27", ["1", "27"]),  # only x is read so: 3n+1 names a rule
    ("It is 3x faster than the 2 others", ["2"]),
    ("a 4x4 grid", []),
])
def test_a_coefficient_in_a_formula_is_a_value(text: str, numbers: list[str]) -> None:
    assert [v.text for v in values_and_words(text)[0]] == numbers


def test_a_formulas_program_runs_with_the_tasks_coefficient() -> None:
    code = "ys = [x**2 - 3*x for x in range(-2, 6 + 1)]\nprint(max(ys))"
    found = similar_programs([example("Plot y = x**2 - 3*x for the integers x from -2 to 6 and print the"
                                      " largest y value.", code)],
                             "Plot y = x^2 - 5x for the integers x from -4 to 8. What's the largest y?")
    assert [printed(a.code) for a in found] == [str(max(x * x - 5 * x for x in range(-4, 9)))]


def test_months_in_the_data_are_not_the_month_asked_about() -> None:
    """"May 452" labels a number in the sales given: it does not make the question one about May."""
    example_task = "Bar chart of monthly sales (Jan 120, Feb 95, Mar 143, Apr 110): which month is highest?"
    task = "Monthly sales: Jan 340, Feb 295, Mar 410, May 452. Which month is highest?"
    assert similar_pairs(example_task, task) is not None
    assert similar_pairs("How many days are in May 2025?", "How many days are in June 2025?") is None


def test_a_stated_factor_the_program_already_uses_is_no_value_to_pair() -> None:
    """"using 1 mile = 1.609344 km" states what the example's program already writes: read without it;
    a factor the program does not write (1.6) is still a value, and no program of the example fits."""
    code = "print(round(110 / 1.609344, 2))"
    converted = example("What is 110 km/h in miles per hour, to 2 decimals?", code)
    task = ("A sign says 90 km/h. What's that in miles per hour, using 1 mile = 1.609344 km? Round to 2"
            " decimals.")
    assert [printed(a.code) for a in similar_programs([converted], task)] == ["55.92"]
    assert similar_programs([converted], task.replace("1.609344", "1.6")) == []


@pytest.mark.parametrize(("example_task", "task"), [
    ("How many kilometers is a 26.2-mile marathon?",
     "A marathon is 26.2 miles. How many kilometres is that?"),
    ("Convert 26.2 miles to km.", "How many kilometers is a 26.2-mile marathon?"),
])
def test_a_unit_asked_for_at_the_end_or_hyphenated_reads_as_a_conversion(example_task: str,
                                                                         task: str) -> None:
    assert similar_pairs(example_task, task) is not None


def test_a_rounding_requests_places_never_pair_with_a_factor_left_out() -> None:
    """Without "1 lb = 0.4536 kg" the task's values are 165 and the 2 of "2 decimals", as many as the
    example's 150 and 0.4536: the library audit showed "165 * 2" (330). The request is read apart."""
    pounds = example("Convert 150 pounds to kilograms at 0.4536 kg per pound.", "r = 150 * 0.4536\nprint(r)")
    task = "How many kilograms is 165 lb if 1 lb = 0.4536 kg? Round to 2 decimals."
    found = similar_programs([pounds], task)
    assert "330" not in [printed(a.code) for a in found]
