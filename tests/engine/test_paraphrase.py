"""Paraphrase adaptation: a task asked in other words the library has used for the same program."""

from __future__ import annotations

import subprocess
import sys

from engine.agent.adapt import adapted_programs
from engine.agent.paraphrase import KnownWords, known_words, paraphrase_pairs, read_task, skeleton
from engine.agent.task_values import values_and_words
from engine.run import WorkedExample

PRIME_FACTOR = ("n = 600851475143\nf = 2\nwhile f * f <= n:\n    if n % f:\n        f += 1\n    else:\n"
                "        n //= f\nprint(n)")
PRIME_FACTOR_TASKS = ("What is the largest prime factor of 600851475143?",
                      "Give the greatest prime factor of 9991.",
                      "Find the biggest prime factor of 13195.")


def example(task: str, code: str, number: int) -> WorkedExample:
    return WorkedExample(task, "python", code, "", "", f"library:t-{number}", 0.9)


def printed(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          timeout=30).stdout.strip()


def test_masked_values_leave_the_same_operations_and_units() -> None:
    feet = read_task("Convert 5 feet to meters.")
    also_feet = read_task("What is 12 feet in meters?")
    other_way = read_task("What is 12 meters in feet?")
    assert feet is not None and also_feet is not None and other_way is not None
    assert feet.signature == also_feet.signature
    assert feet.signature != other_way.signature


def test_values_of_one_kind_pair_by_place_when_the_operations_keep_it() -> None:
    known = KnownWords(frozenset({"modular", "inverse"}), frozenset({"modular", "inverse", "modulo"}))
    template = "What is the modular inverse of 17 modulo 3120?"
    pairs = paraphrase_pairs(template, "Give me the modular inverse of 23 modulo 3016.", known)
    assert pairs is not None
    assert [(old.text, new.text) for old, new in pairs] == [("17", "23"), ("3120", "3016")]
    # the same two numbers in the other order of the text: the masked operations differ, so no pairing
    assert paraphrase_pairs(template, "Modulo 3016, what is the modular inverse of 23?", known) is None
    minus, subtract = read_task("What is 100 minus 37?"), read_task("Subtract 37 from 100.")
    assert minus is not None and subtract is not None and minus.signature != subtract.signature


def test_adapted_programs_pair_two_numbers_by_place_and_it_runs() -> None:
    code = "a = 17\nm = 3120\nprint(pow(a, -1, m))"
    templates = [example("Find the modular inverse of 17 modulo 3120.", code, 1),
                 example("Compute the modular inverse of 3 modulo 11, quickly.",
                         code.replace("17", "3").replace("3120", "11"), 2)]
    found = adapted_programs(templates, "Quickly, the modular inverse of 29 modulo 1000?")
    assert found, "no template adapted"
    assert found[0].route == "other words"
    assert printed(found[0].code) == "69"  # 29 * 69 = 2001


def test_the_words_a_program_is_asked_in_bound_what_a_task_may_say() -> None:
    known = known_words(PRIME_FACTOR_TASKS)
    assert known.required == {"prime", "factor", "max"}
    assert paraphrase_pairs(PRIME_FACTOR_TASKS[1], "Tell me the highest prime factor of 8051.", known)
    # "smallest" is another question; "distinct" a word no task of this program used
    assert paraphrase_pairs(PRIME_FACTOR_TASKS[1], "Give the smallest prime factor of 8051.", known) is None
    assert paraphrase_pairs(PRIME_FACTOR_TASKS[1], "Give the largest distinct prime factor of 8051.",
                            known) is None
    # a word every task of the program used is required
    assert paraphrase_pairs(PRIME_FACTOR_TASKS[1], "Give the greatest factor of 8051.", known) is None


def test_programs_with_nothing_in_common_teach_nothing() -> None:
    known = known_words(["Take the cube root of 29791.", "What number cubed gives 42875?"])
    assert known.required == frozenset()
    assert paraphrase_pairs("What number cubed gives 42875?", "What is 47 cubed?", known) is None


def test_a_yes_no_question_is_not_a_lookup() -> None:
    known = known_words(["Is 97 a prime number?", "Is 221 prime?"])
    assert paraphrase_pairs("Is 97 a prime number?", "Which prime is number 97?", known) is None
    # "whether" asks yes or no wherever it stands, as the answer's "Yes (the program printed True)" reads it.
    assert values_and_words("Check whether 97 is prime.")[1][0] == "<yes-no>"
    assert "<yes-no>" not in values_and_words("Which prime is number 97?")[1]


def test_skeleton_ignores_values_only() -> None:
    assert skeleton("print(2 ** 10)") == skeleton("print(3 ** 41)")
    assert skeleton("print(2 ** 10)") != skeleton("print(2 * 10)")
    assert skeleton("print('abc'[::-1])") == skeleton("print('xyz'[::-1])")


def test_adapted_programs_fall_back_to_a_paraphrase_and_it_runs() -> None:
    numbers = ("600851475143", "9991", "13195")
    templates = [example(task, PRIME_FACTOR.replace(numbers[0], number), index)
                 for index, (task, number) in enumerate(zip(PRIME_FACTOR_TASKS, numbers, strict=True))]
    found = adapted_programs(templates, "Which prime factor of 8051 is the largest?")
    assert found, "no template adapted"
    _, language, code, route, _ = found[0]
    assert language == "python" and route == "other words"
    assert printed(code) == "97"  # 8051 = 83 * 97


def test_what_s_reads_as_what_is() -> None:
    assert values_and_words("What's the largest prime factor of 10?")[1] == \
        values_and_words("What is the largest prime factor of 10?")[1]


def test_a_week_number_is_not_a_week() -> None:
    assert values_and_words("Which ISO week number does 2026-12-31 fall in?")[1] != \
        values_and_words("Which ISO week does 2024-06-15 fall in?")[1]
