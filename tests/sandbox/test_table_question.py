"""Questions asked of a pasted table, read as pandas code, answered right in the real sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from engine.agent.table_question import table_question
from tests.sandbox.helpers import run

pytestmark = [pytest.mark.docker, pytest.mark.asyncio(loop_scope="module")]

STAFF = "name,dept,salary,age\nAnn,Sales,52000,34\nBo,IT,71000,29\nCal,Sales,49000,41\nDee,HR,60000,38\n" \
        "Eve,Sales,60000,27\nFay,IT,66000,45"
TEMPS = "city,day,temp_c\nLima,1,19.5\nQuito,1,14.0\nLima,2,21.0\nQuito,2,15.5\nOslo,1,4.0\nOslo,2,6.5"
ORDERS = "order,price,qty\n1,2.5,4\n2,10.0,5\n3,4.0,1"
SCORES = "id,score\n1,88\n2,\n3,72\n4,"
READINGS = [
    ("Using pandas, what's the average salary in the Sales department? Round to the nearest whole number.",
     STAFF, "53667"),
    ("How many people are older than 30 in this table? Use pandas.", STAFF, "4"),
    ("Which employee has the highest salary?", STAFF, "Bo"),
    ("which city has the highest mean temperature?", TEMPS, "Lima"),
    ("What is the sample standard deviation of the salary column, rounded to 2 decimals?", STAFF,
     "8262.36"),
    ("How many rows have a salary between 55000 and 70000?", STAFF, "3"),
    ("What percentage of the staff are older than 35? Round to 1 decimal.", STAFF, "50.0%"),
    ("What is the salary of 'Dee'?", STAFF, "60000"),
    ("Which names have a salary above 60000 and an age under 40?", STAFF, "Bo"),
    ("What is the second highest salary?", STAFF, "66000"),
    ("What is the most common dept?", STAFF, "Sales"),
    ("Sort this table by age, descending. Who is in 2nd place?", STAFF, "Cal"),
    ("What is the difference between the highest and lowest temp_c?", TEMPS, "17.0"),
    ("Write this table to /workspace/staff.csv, read it back and count the rows where dept is 'IT'.",
     STAFF, "2"),
    ("Compute total revenue (price times qty, summed over all rows). Round to 2 decimals.", ORDERS, "64.0"),
    ("What is the mean price weighted by qty?", ORDERS, "6.4"),
    ("In pandas, count the missing values in the score column.", SCORES, "2"),
    ("What is the average score, ignoring missing values?", SCORES, "80.0"),
    ("How many orders are over 1,000?", "order,amount\n1,999\n2,1500\n3,2000", "2"),
    ("What standard deviation does pandas give for column x? Round to 3 decimals.",
     "x\n4.2\n5.9\n3.3\n6.8", "1.589"),
]


@pytest.mark.parametrize(("question", "table", "answer"), READINGS, ids=[r[0][:40] for r in READINGS])
async def test_a_table_question_read_whole_prints_the_right_answer(
        analysis_runner: Any, question: str, table: str, answer: str) -> None:
    program = table_question(f"{question}\n{table}")
    assert program is not None
    result = await run(analysis_runner, program, session="tables")
    assert result.finished.exit_code == 0, result.stderr
    assert result.stdout.strip() == answer
