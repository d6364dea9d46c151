"""Unit and currency conversions are read whole into Python with exact factors, or not at all."""

from __future__ import annotations

import pytest

from engine.agent.conversion_question import conversion_question
from engine.agent.given import read_given
from tests.engine.readers import printed


@pytest.mark.parametrize(("task", "answer"), [
    ("Convert 5 miles to km", "8.04672 km"),
    ("How many ounces in 2.5 pounds?", "40 oz"),
    ("what is 98.6 F in Celsius", "37 °C"),
    ("Convert -40 °C to Fahrenheit.", "-40 °F"),
    ("72 km/h in m/s", "20 m/s"),
    ("How many feet in a mile?", "5280 ft"),
    ("Convert 100 km to miles, rounded to 2 decimal places.", "62.14 mi"),
    ("How many bytes are in 1.5 GiB?", "1610612736 B"),
    ("How many square feet is 1 acre?", "43560 sq ft"),
    ("Convert 250 USD to EUR if 1 USD = 0.92 EUR", "230.00 EUR"),
    ("At 1 EUR = 1.08 USD, how many euros is 540 dollars?", "500.00 EUR"),
    ("How many US dollars do I get for 1,500 euros if 1 EUR = 1.08 USD?", "1620.00 USD"),
])
def test_a_conversion_read_whole_prints_its_answer(task: str, answer: str) -> None:
    program = conversion_question(task)
    assert program is not None
    assert printed(program) == answer


@pytest.mark.parametrize("task", [
    "Convert 100 USD to EUR at a rate of 0.92.",  # which way does the rate go?
    "Convert 16 megabytes to bytes.",  # 10^6 or 2^20?
    "Convert 5 miles to kg.",  # another dimension
    "Convert 5 miles to km and then to meters.",
    "How many calories are in a banana?",
])
def test_anything_else_is_not_read(task: str) -> None:
    assert conversion_question(task) is None


def test_a_conversion_is_given_code_titled_for_the_activity_pane() -> None:
    given = read_given("Convert 3 feet to centimeters.")
    assert given is not None and given.title == "Convert with exact factors"
