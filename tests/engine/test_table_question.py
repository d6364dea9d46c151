"""A question asked of a pasted CSV table is read whole as pandas code, or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.agent.given import read_given
from engine.agent.table_question import LIMIT, table_question
from engine.events import CodeExecStarted, MessageDone, StepStarted
from engine.llm.scripted import ScriptedModel
from tests.engine.test_adapt_similar import ask_with_the_real_library

STAFF = "name,dept,salary,age\nAnn,Sales,52000,34\nBo,IT,71000,29\nCal,Sales,49000,41\nDee,HR,60000,38"
ORDERS = "order,region,price,qty\n1,north,2.5,4\n2,west,10.0,1\n3,north,4.0,3"


@pytest.mark.parametrize(("question", "table", "lines"), [
    ("Using pandas, what's the average salary in the Sales department?", STAFF,
     ["df = df[(df['dept'].astype(str) == 'Sales')]", "value = df['salary'].mean()", "print(value)"]),
    ("How many people are older than 30?", STAFF, ["df = df[(df['age'] > 30)]", "print(len(df))"]),
    ("Which employee has the lowest salary?", STAFF, ["top = df[df['salary'] == ranked.iloc[0]]"]),
    ("What is the population standard deviation of the salary column, rounded to 2 decimals?", STAFF,
     ["value = df['salary'].std(ddof=0)", "print(round(value, 2))"]),
    ("Which region has the highest total price?", ORDERS,
     ["per_label = df.groupby('region')['price'].sum()"]),
    ("How many units were sold in total for the region 'north'?", ORDERS, None),  # no units column
    ("Save this to /workspace/orders.csv and give the total qty.", ORDERS,
     ["df = pd.read_csv('/workspace/orders.csv')", "value = df['qty'].sum()"]),
])
def test_a_question_read_whole_becomes_pandas_code(question: str, table: str,
                                                   lines: list[str] | None) -> None:
    program = table_question(f"{question}\n{table}")
    if lines is None:
        assert program is None
        return
    assert program is not None
    assert program.startswith("import io\nimport pandas as pd\n")
    for line in lines:
        assert line in program.splitlines(), program


@pytest.mark.parametrize("question", [
    "How many orders are in the north region or have a price over 5?",  # "or": not read
    "How many orders are not in the north region?",  # negation
    "What is the total price of every region except west?",
    "What is the total price per region?",  # a table of groups, not one value
    "What is the total value of the orders (price times qty)?",  # two columns combined
    "List the top 2 orders by price.",  # a number that is no comparison
    "What is the cumulative sum of the qty column?",
    "How many columns does this table have?",  # not the rows
    "What is the average price and the average qty?",  # two columns asked
    "What is the median price, weighted by qty?",  # a weighted mean only
    "Plot the price column as a bar chart.",
])
def test_anything_else_is_not_read(question: str) -> None:
    assert table_question(f"{question}\n{ORDERS}") is None


def test_no_table_or_a_long_paste_is_not_read() -> None:
    assert table_question("What is the average price of 2.5, 10 and 4?") is None
    assert table_question("What is the average price?\n" + ORDERS + "\n4,north,1.0,1" * LIMIT) is None


def test_a_table_question_is_given_code_titled_for_the_activity_pane() -> None:
    given = read_given(f"Which region has the highest total price?\n{ORDERS}")
    assert given is not None and given.title == "Answer from the table with pandas"
    assert given.action.language == "python"


@pytest.mark.docker
@pytest.mark.model
async def test_a_table_question_is_answered_in_the_real_sandbox_without_the_model(gb_home: Path) -> None:
    model = ScriptedModel([])
    task = ("Using pandas, what is the average salary of the people older than 30? Round to 1 decimal.\n"
            + STAFF)
    events = await ask_with_the_real_library(task, model)
    assert next(e.title for e in events if isinstance(e, StepStarted)) == "Answer from the table with pandas"
    assert [e.code for e in events if isinstance(e, CodeExecStarted)] == [table_question(task)]
    answer = next(e for e in events if isinstance(e, MessageDone)).text
    assert answer.splitlines()[0] == "53666.7"  # Ann, Cal, Dee: (52000 + 49000 + 60000) / 3
    assert model.prompts == []
