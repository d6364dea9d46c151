"""Unit tests of the eval's answer checker (bench/eval_check.py)."""

from __future__ import annotations

import pytest

from bench.eval_check import is_correct, numbers_in

BIG = "1267650600228229401496703205376"


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        (BIG, BIG),
        (f"2**100 = {BIG}.", BIG),
        ("The answer is 1,234.", "1234"),
        ("It is 1234.0", "1234"),
        ("**42**", "42"),
        ("x = 5, y = 10, so x + y = 15", "15"),
        ("The result is -8000 (ops minus eng).", "-8000"),
        ("About 3.14159", "3.14"),
        ("271.7391304", "271.74"),
        ("0.7745967", "0.7746"),
        ("The mean is 5333.33 dollars", "5333.33"),
        ("That is 92.0 euros.", "92"),
        ("50.0%", "50"),
        ("9.463529460", "9.46352946"),
        ("The answer is 832040 (3 of 3 agree)", "832040"),
        ("3\n\n(1 program ran; the other drafts were the same code.)", "3"),
        ("(3, 4)", "4"),  # the answer itself in parentheses is read
        ("1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610", "610"),
        ("It costs $60.50 in total", "60.5"),
        ("x = 6/2", "3"),
        ("1/4 of it", "0.25"),
        ("154 is the gcd of 4620 and 1078.", "154"),
    ],
)
def test_number_check_accepts(reply: str, answer: str) -> None:
    assert is_correct(reply, answer, "number")


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("1267,650.", BIG),
        ("1267650600228229401496703205377", BIG),  # last digit garbled: an integer must be exact
        ("1.2676506002282294e+30", BIG),
        ("420", "42"),
        ("4.2", "42"),
        ("The answer is 43", "42"),
        ("", "42"),
        ("I cannot compute that.", "42"),
        ("3.1", "3.14"),
        ("3.15", "3.14"),
        ("version v42 of x1", "42"),
        ("Candidates: 1 2 3 4 5 6 7 8 9 10 11 12, I pick 12", "7"),
        ("2024-07-04", "-7"),
        ("the slope is -1/3", "3"),
        ("the slope is 1/3", "1"),
        ("[3, 7, 19, 42, 56, 88]", "19"),  # the sorted list, not its third number
        # The engine's notes say how the answer was reached; their numbers are not the answer.
        ("1\n\n(1 of 3 candidate programs agree: check it.)", "3"),
        ("3.98\n\n(Worked out by a library example's program, run with this task's values; it printed "
         "3.9833, rounded here to 2 places as the task asks: see Activity.)", "2"),
        ("mean 4, median 5, mode 2, range 9", "5"),
    ],
)
def test_number_check_rejects(reply: str, answer: str) -> None:
    assert not is_correct(reply, answer, "number")


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("delta gamma beta alpha", "delta gamma beta alpha"),
        ("The reversed words are: Delta  Gamma Beta Alpha.", "delta gamma beta alpha"),
        ('"xobssalg"', "xobssalg"),
        ("Output:\n`xobssalg`\n", "xobssalg"),
        ("[3, 7, 19, 23, 42, 88]", "3, 7, 19, 23, 42, 88"),
        ("3,7,19,23,42,88", "3, 7, 19, 23, 42, 88"),
        ("{'blue': 2, 'green': 1, 'red': 3}", '{"blue": 2, "green": 1, "red": 3}'),
        ("It was a sunday.", "Sunday"),
        ("helloWorldExample", "helloWorldExample"),
        ("MAKE IT COUNT", "MAKE IT COUNT"),
    ],
)
def test_exact_check_accepts(reply: str, answer: str) -> None:
    assert is_correct(reply, answer, "exact")


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("interstellar", "inter"),
        ("abcde", "cde"),
        ("alpha beta gamma delta", "delta gamma beta alpha"),
        ("3, 7, 19, 23, 88, 42", "3, 7, 19, 23, 42, 88"),
        ("{'blue': 2, 'green': 1, 'red': 2}", '{"blue": 2, "green": 1, "red": 3}'),
        ("", "sunday"),
        ("Sundays are nice", "Sunday"),
        ("make it count", "Make It Count"),  # the task asked for title case
        ("helloworldexample", "helloWorldExample"),
        ("Hello", "HELLO"),
    ],
)
def test_exact_check_rejects(reply: str, answer: str) -> None:
    assert not is_correct(reply, answer, "exact")


def test_contains_check_is_case_insensitive_and_rejects_absence() -> None:
    assert is_correct("The date is 2025-04-25.", "2025-04-25", "contains")
    assert is_correct("digest: 19F9C9702B8B...", "19f9c9702b8b", "contains")
    assert not is_correct("The date is 2025-04-24.", "2025-04-25", "contains")


def test_unknown_check_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="Unknown check 'fuzzy'"):
        is_correct("42", "42", "fuzzy")


def test_numbers_in_reads_separators_and_skips_vote_notes() -> None:
    assert numbers_in("1,234 and 1267,650. (2 of 4 agree)") == ["1,234", "1267", "650"]
    assert numbers_in("slope -1/3, on 2024-05-17") == ["-1/3", "2024", "05", "17"]


def test_a_run_that_gave_up_is_not_solved_by_a_number_in_its_message() -> None:
    from bench.agent_eval import Reply, score

    task = {"id": "t", "kind": "pandas", "answer": "3", "check": "number"}
    gave_up = Reply("I could not complete the task: still failing after 3 tries (agent.max_retries).",
                    status="failed")
    answered = Reply("3", status="completed", clean_runs=1)
    assert is_correct(gave_up.text, "3", "number"), "the text alone would pass the number check"
    assert not score("agent", task, gave_up, 1.0).solved
    assert score("agent", task, answered, 1.0).solved


def test_saved_replies_are_scored_again_with_todays_checker() -> None:
    from bench.eval_report import TaskResult
    from bench.eval_rescore import rescored

    def saved(id_: str, reply: str, label: str) -> TaskResult:
        return TaskResult("agent-vote", id_, "dicts_json", True, 1.0, 10, 5, reply, "3", label=label)

    results = [saved("vote", "1\n\n(1 of 3 candidate programs agree: check it.)", "check it"),
               saved("right", "3\n\n(3 of 3 candidate programs agree.)", "all agree"),
               saved("gave-up", "I could not complete the task: still failing after 3 tries.", "gave up")]
    checks = {"vote": "number", "right": "number", "gave-up": "number"}
    assert [r.solved for r in rescored(results, checks)] == [False, True, False]
