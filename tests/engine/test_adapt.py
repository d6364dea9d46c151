"""Adapting a worked example's program to a task that asks the same with other values."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.agent.adapt import adapt_program
from engine.config import load_settings
from engine.events import MessageDone, StepFinished, StepStarted
from engine.llm.scripted import ScriptedModel
from engine.run import SubmitOptions
from engine.service import Engine
from tests.conftest import require
from tests.fakes import docker_ready

AGENT = SubmitOptions(mode="agent", plan="never")


def printed(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          timeout=30).stdout.strip()


@pytest.mark.parametrize(("example", "code", "task", "expected"), [
    ("Find the greatest common divisor of 462 and 1071.", "import math\nprint(math.gcd(462, 1071))",
     "What is the greatest common divisor of 4620 and 1078?", "154"),
    ("What is the median of 3, 9, 4, 1, 7?", "import statistics\nprint(statistics.median([3, 9, 4, 1, 7]))",
     "What is the median of 12, 5, 9, 21, 14, 7, 30?", "12"),
    ("How many primes are there below 10,000?",
     "limit = 10_000\nprint(sum(all(n % d for d in range(2, int(n ** 0.5) + 1)) for n in range(2, limit)))",
     "How many prime numbers are there below 500?", "95"),
    ("Convert 'the quick brown fox' to title case.", 'print("the quick brown fox".title())',
     "Convert 'it\"s \\ here' to title case.", 'It"S \\ Here'),
    ("How many days are there between 2023-01-15 and 2024-03-01?",
     "from datetime import date\nprint((date(2024, 3, 1) - date(2023, 1, 15)).days)",
     "How many days are there from February 10, 2024 to 2024-06-01?", "112"),
    ("What is 2 to the power of 100?", "print(2 ** 100)", "What is 3 to the power of 41?",
     "36472996377170786403"),
    # a unit's own exponent (GiB is 1024 ** 3) is no value of the task
    ("How many bytes are in 1.5 GiB?", "print(int(1.5 * 1024 ** 3))", "How many bytes are in 3.5 GiB?",
     "3758096384"),
    # Words that ask the same thing; a JSON object of another size, as a dict and as a string.
    ("Which key has the highest value in {'mon': 12, 'tue': 30, 'wed': 18, 'thu': 25}?",
     "d = {'mon': 12, 'tue': 30, 'wed': 18, 'thu': 25}\nprint(max(d, key=d.get))",
     'In the JSON {"tom": 31, "ann": 45, "joe": 28}, which key has the largest value?', "ann"),
    ("Given the JSON {\"a\": 3, \"b\": 11}, sum its values.",
     "import json\nprint(sum(json.loads('{\"a\": 3, \"b\": 11}').values()))",
     "Given the JSON {\"x\": 5, \"y\": 7, \"z\": 10}, sum its values.", "22"),
    # A task value holding the example's other value ('Cool cats' holds 'a') is not rewritten again.
    ("In 'banana', how many times does 'a' occur?", "print('banana'.count('a'))",
     "In 'Cool cats', how many times does 'c' occur?", "1"),
    # A table pasted below the question, with the same columns.
    ("What is the total of qty in this table?\nitem,qty\npen,3\ncup,4",
     'import csv, io\nrows = csv.DictReader(io.StringIO("""item,qty\npen,3\ncup,4\n"""))\n'
     "print(sum(int(r['qty']) for r in rows))",
     "What is the total of qty in this table?\nitem,qty\nbook,30\nlamp,5\nmug,7\n", "42"),
    ("What is the total of qty in this table?\nitem,qty\npen,3\ncup,4",
     'import csv, io\nrows = csv.DictReader(io.StringIO("""item,qty\npen,3\ncup,4\n"""))\n'
     "print(sum(int(r['qty']) for r in rows))",
     "What is the total of qty in this table?\nItem, Qty\nbook,30\nlamp,5\n", "35"),
    # Spellings of one question: "upper case" and "uppercase", "%" and "percent".
    ("Convert 'abc' to upper case.", "print('abc'.upper())", "Convert 'glass box' to uppercase.",
     "GLASS BOX"),
    ("What is 15% of 200?", "print(15 * 200 * 0.01)", "What is 12 percent of 50?", "6.0"),
    # The task's list may hold the example's other number (a 4 in the list, "to 4 decimals").
    ("What is the mean of 3, 9 and 5, to 3 decimals?", "xs = [3, 9, 5]\nprint(round(sum(xs) / len(xs), 3))",
     "What is the mean of 3, 7 and 1, to 2 decimals?", "3.67"),
    # A task's \n, which the program wrote as an escape, stays one.
    ("How many lines has the text 'a\\nb\\nc'?", "print(len('a\\nb\\nc'.splitlines()))",
     "How many lines has the text 'x\\ny'?", "2"),
    # A character named without quotes is a text value.
    ("How many times does the letter 'a' appear in 'banana'?", "print('banana'.count('a'))",
     "How many times does the letter s appear in 'mississippi suns'?", "6"),
    # An ordinal is a number; an apostrophe is not a quote.
    ("What's the 30th Fibonacci number?", "a, b = 0, 1\nfor _ in range(30):\n    a, b = b, a + b\nprint(a)",
     "What's the 45th Fibonacci number?", "1134903170"),
    ("What's the length of 'hello world'?", "print(len('hello world'))",
     "What's the length of 'glass'?", "5"),
    # Negative numbers: the program's "-7" is a minus and a 7.
    ("Sort [-7, 3, -2, 5, 1] by absolute value.", "print(sorted([-7, 3, -2, 5, 1], key=abs))",
     "Sort [4, -9, 0, -3] by absolute value.", "[0, -3, 4, -9]"),
    ("What is -15 plus 4?", "print(-15 + 4)", "What is 20 plus -8?", "12"),
    ("Sort ['pear', 'fig'] alphabetically.", "print(sorted(['pear', 'fig']))",
     "Sort [\"kiwi\", \"apple\", \"lime\"] alphabetically.", "['apple', 'kiwi', 'lime']"),
    # "Which" asks what "what" asks; "day of the week" is "weekday"; "appears" is "occurs".
    ("Which weekday was January 1, 2000?",
     "from datetime import date\nprint(date(2000, 1, 1).strftime('%A'))",
     "What day of the week was 1999-12-31?", "Friday"),
    ("How many times does the letter 's' occur in 'mississippi'?", "print('mississippi'.count('s'))",
     "How many times does the letter s appear in 'mississippi sunset'?", "6"),
    # "How many", "the number of" and "count" ask the same.
    ("How many prime numbers are there below 100?",
     "print(sum(all(n % d for d in range(2, n)) for n in range(2, 100)))",
     "Count the prime numbers below 50.", "15"),
    ("What is the number of factors of 840?", "n = 840\nprint(sum(1 for d in range(1, n + 1) if n % d == 0))",
     "How many factors of 36?", "9"),
    # A known constant (Fahrenheit's 32 and 1.8, percent's 100) stays as the program has it.
    ("Convert 212 Fahrenheit to Celsius.", "print(round((212 - 32) / 1.8, 2))",
     "Convert 50 Fahrenheit to Celsius.", "10.0"),
    ("What percent of 80 is 20?", "print(20 / 80 * 100)", "What percent of 40 is 10?", "25.0"),
    # Talk around the question ("hey, so I need") does not change it.
    ("What is the ROT13 of 'Python'?", "import codecs\nprint(codecs.encode('Python', 'rot13'))",
     "hey, so I need the ROT13 of 'Glass Box' -- what is it?", "Tynff Obk"),
])
def test_the_tasks_values_replace_the_examples(example: str, code: str, task: str, expected: str) -> None:
    adapted = adapt_program(example, code, task)
    assert adapted is not None
    assert printed(adapted) == expected


@pytest.mark.parametrize(("example", "code", "task", "expected"), [
    ("Using bash, what is the output of: echo $((12 * 3 + 5))?", "echo $((12 * 3 + 5))",
     "Using bash, what is the output of: echo $((17 * 19 + 4))?", "327"),
    ("In the shell, count the words in 'a b c'.", "echo 'a b c' | wc -w",
     'In the shell, count the words in "it\'s a $HOME".', "3"),
    ("With bash, add the numbers from 1 to 100.", "seq 1 100 | awk '{ s += $1 } END { print s }'",
     "With bash, add the numbers from 1 to 250.", "31375"),
    ("With bash, what date is 30 days after 2024-01-01?", "date -d '2024-01-01 + 30 days' +%F",
     "With bash, what date is 45 days after 2023-11-20?", "2024-01-04"),
    ("Sort 5, 3, 9 in bash, smallest first.", "printf '%s\\n' 5 3 9 | sort -n | paste -sd ' '",
     "Sort 8, 1, 40, 7 in bash, smallest first.", "1 7 8 40"),
    ('How long is "hello" in bash?', 'w="hello"\necho ${#w}', "How long is 'a $b`c`' in bash?", "7"),
    # Text is replaced as a quoted or whole word: not the a of awk or of a-z.
    ("In bash, count the 'a' characters in 'banana'.", "echo 'banana' | tr -cd 'a' | wc -c",
     "In bash, count the 'c' characters in 'Cool cats'.", "1"),
    ("In bash, print 'a' in upper case.", "echo a | awk '{print toupper($0)}' | tr a-z A-Z",
     "In bash, print 'q' in upper case.", "Q"),
])
def test_a_shell_scripts_values_are_replaced_where_it_writes_them(example: str, code: str, task: str,
                                                                  expected: str) -> None:
    adapted = adapt_program(example, code, task, "bash")
    assert adapted is not None
    result = subprocess.run(["bash", "-c", adapted], capture_output=True, text=True, check=True, timeout=30)
    assert result.stdout.strip() == expected


def test_a_file_the_task_names_is_a_value_like_quoted_text() -> None:
    example = "Save 'the quick brown fox' to /workspace/fox.txt, then count the words in the file."
    code = ("with open('/workspace/fox.txt', 'w') as f:\n    f.write('the quick brown fox')\n"
            "print(len(open('/workspace/fox.txt').read().split()))")
    adapted = adapt_program(example, code, "Save 'alpha beta' to /workspace/notes.txt, then count the words "
                            "in the file.")
    assert adapted is not None and "/workspace/fox.txt" not in adapted
    assert adapted.count("'/workspace/notes.txt'") == 2 and "'alpha beta'" in adapted
    # Another kind of file in another place is still a file; other words are another question.
    assert adapt_program(example, code, "Save 'a b' to /workspace/out/x.csv, then count the words in the "
                         "file.") is not None
    assert adapt_program(example, code, "Save 'a b' to /workspace/x.txt, then count the lines in the "
                         "file.") is None


@pytest.mark.parametrize(("example", "code", "task"), [
    # Another question about the same values: the words differ.
    ("Find the greatest common divisor of 462 and 1071.", "import math\nprint(math.gcd(462, 1071))",
     "What is the least common multiple of 4620 and 1078?"),
    ("How many vowels are in 'the lazy dog'?", "print(sum(c in 'aeiou' for c in 'the lazy dog'))",
     "How many words are in the sentence 'the lazy dog'?"),
    # A number the program derived from the task (1001 for 1000) cannot be substituted, but as the
    # stop of a range() (test_adapt_currencies_ranges.py).
    ("What's the sum of all whole numbers from 1 to 1000?", "print(1000 * 1001 // 2)",
     "What's the sum of all whole numbers from 1 to 2500?"),
    # Values of other kinds, or in another order.
    ("What is the median of 3, 9, 4?", "import statistics\nprint(statistics.median([3, 9, 4]))",
     "What is the median of 12?"),
    # A value of the example task that the program does not write out as given.
    ("What is 15% of 2,480?", 'print(f"{2480 * 15 / 100:g}")', "What is 20% of 3,100?"),
    # The program's own 1 (range(1, n + 1)) is not the task's 1.
    ("What is the sum of the first 1 squares up to 10?", "print(sum(i * i for i in range(1, 10 + 1)))",
     "What is the sum of the first 3 squares up to 10?"),
    # One value of the example stands for two of the task's.
    ("What is 7 times 7?", "print(7 * 7)", "What is 7 times 8?"),
    # A value inside an f-string's expression, which Python 3.11 reads as one token.
    ("How many of 50, 80, 90 are below 72?",
     "xs = [50, 80, 90]\nlimit = 72\nprint(f'{sum(x < 72 for x in xs)} below {limit}')",
     "How many of 10, 70, 65 are below 60?"),
    # The 5 of UTC-5 is not a number the program may take as its own.
    ("What time is 9 in UTC-5?", "print((9 + 5) % 24)", "What time is 7 in UTC-5?"),
    # Repeated text that the task does not repeat in the same pattern.
    ("Count 'A' in 'A', 'B', 'A'.", "print(['A', 'B', 'A'].count('A'))", "Count 'X' in 'X', 'Y', 'Z'."),
    # No values at all: nothing to substitute, the example is not this task.
    ("What is the answer?", "print(42)", "What is the answer?"),
    # A table with other columns: the program names the example's.
    ("What is the total of qty in this table?\nitem,qty\npen,3\ncup,4",
     "import csv, io\nrows = csv.DictReader(io.StringIO('item,qty\\npen,3\\ncup,4'))\n"
     "print(sum(int(r['qty']) for r in rows))",
     "What is the total of qty in this table?\nname,count\nbook,30\nlamp,5"),
    # Two values of a kind in other places: which is which differs.
    ("In 'pizzazz', how many times does the letter 'z' occur?", "print('pizzazz'.count('z'))",
     "How many times does the letter 's' occur in 'mississippi'?"),
    ("What percent of 180 is 45?", "print(f'{45 / 180:.2%}')", "What is 17 percent of 350?"),
    # A yes-or-no question, or an ordinal, is not a "what is" about a number.
    ("What is the 100th prime number?",
     "n, count = 1, 0\nwhile count < 100:\n    n += 1\n"
     "    count += all(n % d for d in range(2, n))\nprint(n)",
     "Is 97 a prime number?"),
    # 100! is not 100.
    ("What is the sum of the digits of 987654321?", "print(sum(int(c) for c in str(987654321)))",
     "What is the sum of the digits of 100!?"),
    # Two questions are not one ("and how many sentences").
    ("How many words are in 'Hi there. Go.', and how many sentences?",
     "text = 'Hi there. Go.'\nprint(len(text.split()), text.count('.'))",
     "How many words are in the sentence 'the quick brown fox'?"),
    # The same words in another order, or other operators: another question.
    ("Convert 6 feet to meters.", "print(6 * 0.3048)", "Convert 5 meters to feet."),
    ("Evaluate (3.5 + 2.25) * 4 - 7 / 2.", "print((3.5 + 2.25) * 4 - 7 / 2)",
     "Evaluate (1 - 2) / 3 + 4 * 5."),
    # A count is not a list, and a ratio asked for is not a percentage given.
    ("Count the prime numbers less than 100.",
     "print(sum(all(n % d for d in range(2, n)) for n in range(2, 100)))", "List the primes less than 60."),
    ("What is the number of factors of 840?", "n = 840\nprint(sum(1 for d in range(1, n + 1) if n % d == 0))",
     "What are the factors of 96?"),
    ("What is 15% of 240?", "print(240 * 15 / 100)", "18 is what percent of 240?"),
    # The program's own 100 is also the task's: which is which is a guess.
    ("What percent of 100 is 25?", "print(25 / 100 * 100)", "What percent of 4 is 3?"),
    # Largest is not smallest; a dict the program does not write out once.
    ("What is the largest of 4, 8 and 2?", "print(max([4, 8, 2]))", "What is the smallest of 4, 9 and 2?"),
    ("Which key has the highest value in {'a': 5, 'b': 9}?",
     "print(max({'a': 5, 'b': 9}, key={'a': 5, 'b': 9}.get))",
     "Which key has the highest value in {'c': 1}?"),
])
def test_a_program_that_does_not_fit_is_not_adapted(example: str, code: str, task: str) -> None:
    assert adapt_program(example, code, task) is None


@pytest.mark.parametrize(("example", "code", "task"), [
    # The script's own number (5 lines) is not the task's.
    ("Using bash, show the first lines of 'a b'.", "printf 'a b' | head -n 5",
     "Using bash, show the first lines of 'c'."),
    ("With bash, add the numbers from 1 to 100.", "seq 1 101 | awk '{ s += $1 } END { print s }'",
     "With bash, add the numbers from 1 to 250."),
    # Text the script leaves unquoted cannot take a value that needs quoting.
    ("Using bash, print 'abc' in upper case.", "echo abc | tr a-z A-Z",
     "Using bash, print 'a; rm x' in upper case."),
])
def test_a_shell_script_that_does_not_fit_is_not_adapted(example: str, code: str, task: str) -> None:
    assert adapt_program(example, code, task, "bash") is None


def test_a_task_that_names_its_language_is_answered_in_it() -> None:
    python = ("What is the sum of 3, 4 and 5?", "print(sum([3, 4, 5]))")
    shell = ("What is the sum of 3, 4 and 5?", "echo $((3 + 4 + 5))")
    assert adapt_program(*python, "Using bash, what is the sum of 6, 7 and 8?") is None
    assert adapt_program(*shell, "Using Python, what is the sum of 6, 7 and 8?", "bash") is None
    assert adapt_program(*python, "Using Python, what is the sum of 6, 7 and 8?") == "print(sum([6, 7, 8]))"
    # A task that names no language is answered by Python: the shell's -17 % 5 is -2.
    assert adapt_program("Using bash, calculate 12345 mod 97.", "echo $((12345 % 97))",
                         "Calculate -17 mod 5.", "bash") is None


@pytest.mark.docker
@pytest.mark.model
async def test_an_adapted_library_program_answers_in_the_real_sandbox(gb_home: Path) -> None:
    """The real library, embedding model and Docker: the task is answered by numth-003's program with
    the task's values, and the model is not asked (the scripted model has no reply to give)."""
    settings = load_settings()
    require(docker_ready(settings.sandbox.image),
            f"Docker with the {settings.sandbox.image} image (run `glassbox sandbox build`)")
    model = ScriptedModel([])
    engine = await Engine.open(settings, model=model)
    try:
        session = await engine.new_session()
        events = await engine.submit(session.id, "What is the greatest common divisor of 4620 and 1078?",
                                     AGENT).wait()
    finally:
        await engine.close()
    started = [e for e in events if isinstance(e, StepStarted) and e.title.startswith("Adapt library:")]
    assert len(started) == 1, [getattr(e, "title", "") for e in events]
    assert started[0].title.endswith(", same words)"), started[0].title  # the route, for the user
    finished = [e for e in events if isinstance(e, StepFinished) and e.step_id == started[0].step_id]
    assert finished[0].status == "success" and "math.gcd(4620, 1078)" in (started[0].input or "")
    answers = [e.text for e in events if isinstance(e, MessageDone)]
    assert answers and answers[-1].splitlines()[0] == "154", answers
    assert model.prompts == []


@pytest.mark.docker
@pytest.mark.model
async def test_when_the_first_adapted_program_fails_the_next_examples_runs(gb_home: Path,
                                                                          tmp_path: Path) -> None:
    """Two library examples ask the task's question; the nearer one's program fails on the task's
    values, so the next one's runs and answers, still with no model call."""
    from engine.memory.examples import ExampleLibrary

    settings = load_settings()
    require(docker_ready(settings.sandbox.image),
            f"Docker with the {settings.sandbox.image} image (run `glassbox sandbox build`)")
    library = tmp_path / "library.jsonl"
    library.write_text("\n".join(json.dumps(e) for e in [
        {"id": "strict-gcd", "kind": "number_theory", "language": "python",
         "task": "What is the greatest common divisor of 462 and 1071?",
         "code": "import math\na, b = 462, 1071\nassert a < b\nprint(math.gcd(a, b))",
         "output": "21\n", "answer": "21"},
        {"id": "plain-gcd", "kind": "number_theory", "language": "python",
         "task": "Find the greatest common divisor of 12 and 18.",
         "code": "import math\nprint(math.gcd(12, 18))", "output": "6\n", "answer": "6"},
    ]) + "\n", encoding="utf-8")
    model = ScriptedModel([])
    engine = await Engine.open(settings, model=model)
    try:
        await engine.open_memory()
        assert engine.memory is not None
        engine.memory.library = ExampleLibrary(engine.memory.embedder, library)
        session = await engine.new_session()
        events = await engine.submit(session.id, "What is the greatest common divisor of 4620 and 1078?",
                                     AGENT).wait()
    finally:
        await engine.close()
    tries = {e.step_id: e.title for e in events if isinstance(e, StepStarted) and e.title.startswith("Adapt")}
    ended = [(tries[e.step_id].split()[1], e.status) for e in events
             if isinstance(e, StepFinished) and e.step_id in tries]
    assert ended == [("library:strict-gcd", "failure"), ("library:plain-gcd", "success")]
    answers = [e.text for e in events if isinstance(e, MessageDone)]
    assert answers and answers[-1].splitlines()[0] == "154", answers
    assert model.prompts == []
