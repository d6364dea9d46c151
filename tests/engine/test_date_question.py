"""Date and clock questions are read whole into datetime code, or not at all; the code prints the answer."""

from __future__ import annotations

import pytest

from engine.agent.date_question import date_question
from engine.agent.given import read_given
from tests.engine.readers import printed


@pytest.mark.parametrize(("task", "answer"), [
    ("How many days are there between 2024-01-15 and March 1, 2024?", "46"),
    ("how many days from 2023-12-30 to 2024-01-02 inclusive?", "4"),
    ("How many weeks are there between 2024-01-01 and 2024-02-26?", "8"),
    ("How many Mondays are there from 2024-01-02 to 2024-01-31?", "4"),
    ("What day of the week was 4 July 1776?", "Thursday"),
    ("What day of the year is 2024-03-01?", "61"),
    ("What is the ISO week number of December 31, 2024?", "1 (2025-W01)"),
    ("What date is 90 days after 2024-03-15?", "2024-06-13"),
    ("What date is 100 days after February 10, 2025?", "2025-05-21 (May 21, 2025)"),
    ("What was the date 3 weeks and 2 days before 2024-03-01? Answer as DD/MM/YYYY.", "07/02/2024"),
    ("What is the date one month after 2024-01-31?", "2024-02-29"),
    ("What day of the week will it be 10 days after 2024-12-25?", "Saturday"),
    ("How old is someone born on 1990-06-15 on 2024-06-14?", "33"),
    ("What is the age on 2030-01-01 of someone born on 2001-07-20?", "28"),
    ("How many days are in February 2100?", "28"),
    ("How many Fridays are there in March 2024?", "5"),
    ("What is the date of the last Friday of November 2024? (YYYY-MM-DD)", "2024-11-29"),
    ("Is 1900 a leap year?", "No: calendar.isleap(1900) is False"),
    ("Is 2000 a leap year? True or False.", "True"),
    ("How many leap years are there from 1900 to 2000 inclusive?", "25"),
    ("How many minutes from 9:15 am to 5:40 PM?", "505"),
    ("My shift starts at 22:30 and ends at 06:15. How many hours is that?", "7.75"),
    ("What time will it be 2 hours 45 minutes after 11:30 PM?", "2:15 AM"),
    ("Convert 7:45 PM to 24-hour time.", "19:45"),
    ("What is 00:30 in 12-hour format?", "12:30 AM"),
    ("Convert 3725 seconds to HH:MM:SS.", "01:02:05"),
    ("What is the Unix timestamp of 2024-01-01 00:00 UTC?", "1704067200"),
    ("What UTC date and time is Unix timestamp 1700000000?", "2023-11-14 22:13:20 UTC"),
    ("Which quarter is 2024-08-19 in? Answer like Q1.", "Q3"),
    ("What is the 256th day of 2024?", "2024-09-12"),
    ("How many hours are there between 2024-03-01 08:00 and 2024-03-03 20:00?", "60"),
])
def test_a_date_question_read_whole_prints_its_answer(task: str, answer: str) -> None:
    program = date_question(task)
    assert program is not None
    assert printed(program) == answer


@pytest.mark.parametrize("task", [
    "How many business days are there between 2024-05-01 and 2024-05-31, not counting holidays?",
    "How many Mondays are there between 2024-01-01 and 2024-01-31?",  # both ends Mondays-or-not unclear
    "How many days are there between 2024-01-01 and today?",
    "What day of the week is 03/04/2024?",  # which is the month?
    "How many days until Christmas 2030 from 2030-12-01?",
    "Which years from 2010 to 2030 are leap years?",
    "How many weeks are there between 2024-01-01 and 2024-02-20?",  # not whole weeks
    "What time is it in UTC-5 when it is 15:00 at UTC+2?",
    "What date is 10 business days after 2024-03-01?",
    "How many days are there between 2024-03-03 and 2024-04-02, and what weekday is 2024-04-02?",
    "What is February 30, 2024 plus 1 day?",
])
def test_anything_else_is_not_read(task: str) -> None:
    assert date_question(task) is None


def test_a_date_question_is_given_code_titled_for_the_activity_pane() -> None:
    given = read_given("What day of the week was 1999-12-31?")
    assert given is not None and given.title == "Work out the dates with datetime"
    assert given.action.language == "python"
