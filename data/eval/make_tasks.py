"""Writes data/eval/tasks.jsonl: every answer is computed here by Python, never typed by hand.

Run with a Python that has pandas and matplotlib (the sandbox image's packages):
    python data/eval/make_tasks.py
The tasks were written for the eval alone, without looking at the worked-example library.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_tasks_tools import tool_tasks  # noqa: E402

Spec = tuple[str, str, Callable[[], object]]  # (task text, check, compute)


def fmt(value: object) -> str:
    """An answer as text: integral floats lose '.0'; floats keep at most 10 significant digits."""
    if isinstance(value, bool):
        raise TypeError("yes/no answers are too easy to guess")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.10g}"
    if isinstance(value, Fraction):
        return fmt(float(value))
    return str(value)


def primes_below(n: int) -> list[int]:
    sieve = bytearray([1]) * n
    sieve[0:2] = b"\x00\x00"
    for i in range(2, int(n**0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(sieve[i * i::i]))
    return [i for i in range(n) if sieve[i]]


def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def collatz_steps(n: int) -> int:
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def largest_prime_factor(n: int) -> int:
    factor, last = 2, 1
    while factor * factor <= n:
        while n % factor == 0:
            last, n = factor, n // factor
        factor += 1
    return n if n > 1 else last


def caesar(text: str, shift: int) -> str:
    return "".join(
        chr((ord(c) - 97 + shift) % 26 + 97) if c.islower() else c for c in text
    )


def run_length(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if out and out[-1][0] == ch:
            out[-1] = ch + str(int(out[-1][1:]) + 1)
        else:
            out.append(ch + "1")
    return "".join(out)


def pearson(x: list[float], y: list[float]) -> float:
    return statistics.correlation(x, y)


def percentile_linear(values: list[float], q: float) -> float:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def joined(items: list[object]) -> str:
    return ", ".join(str(i) for i in items)


def days_between(a: str, b: str) -> int:
    return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days


def flatten_sum(node: object) -> int:
    return sum(flatten_sum(n) for n in node) if isinstance(node, list) else int(node)


SENTENCE = "A small model can still do useful work when it runs code."
FRUITS = "apple banana cherry date elderberry fig grape"


def core_tasks() -> dict[str, list[Spec]]:
    """Kinds that need no files, tables or charts."""
    tasks: dict[str, list[Spec]] = {}
    tasks["arithmetic"] = [
        ("What is 2**100?", "number", lambda: 2**100),
        ("What is 348 * 27?", "number", lambda: 348 * 27),
        ("What is 7 to the power of 13?", "number", lambda: 7**13),
        ("Multiply 31415926 by 27182818 for me.", "number", lambda: 31415926 * 27182818),
        ("What is 1000 divided by 7, rounded to 4 decimal places?", "number", lambda: round(1000 / 7, 4)),
        ("What is the sum of all whole numbers from 1 to 2500?", "number", lambda: sum(range(1, 2501))),
        ("What is 15% of 2460?", "number", lambda: Fraction(15, 100) * 2460),
        ("What is 45! divided by 43!?", "number", lambda: math.factorial(45) // math.factorial(43)),
        ("What is (3.5 + 2.25) * 4 - 1.75?", "number", lambda: (3.5 + 2.25) * 4 - 1.75),
        ("What is the square root of 7569?", "number", lambda: math.isqrt(7569)),
        ("What is 2 to the 64th power minus 1?", "number", lambda: 2**64 - 1),
    ]
    tasks["number_theory"] = [
        ("Two boards are 462 cm and 1071 cm long. What is the longest whole-cm piece length that cuts both "
         "with nothing left over?", "number", lambda: math.gcd(462, 1071)),
        ("Three buses leave the depot together and come back every 14, 21 and 33 minutes. After how many "
         "minutes are all three back at the same time?", "number", lambda: math.lcm(14, 21, 33)),
        ("What is the 1000th prime number?", "number", lambda: primes_below(10000)[999]),
        ("Count the primes between 2000 and 3000.", "number",
         lambda: sum(2000 < p < 3000 for p in primes_below(3000))),
        ("What is the sum of the digits of 2**50?", "number", lambda: sum(map(int, str(2**50)))),
        ("Split 1234567890 into primes: which prime in that factorisation is biggest?", "number",
         lambda: largest_prime_factor(1234567890)),
        ("What is 7**222 mod 1000?", "number", lambda: pow(7, 222, 1000)),
        ("How many positive divisors does 360 have?", "number",
         lambda: sum(1 for d in range(1, 361) if 360 % d == 0)),
        ("Which prime comes right after 31337?", "number",
         lambda: next(p for p in primes_below(40000) if p > 31337)),
        ("What is the sum of all primes below 100?", "number", lambda: sum(primes_below(100))),
        ("How many trailing zeros does 100 factorial have?", "number",
         lambda: len(str(math.factorial(100))) - len(str(math.factorial(100)).rstrip("0"))),
    ]
    tasks["sequences"] = [
        ("Rabbit pairs grow as 1, 1, 2, 3, 5, 8, ... (each month the sum of the two before). How many pairs "
         "are there in month 35?", "number", lambda: fib(35)),
        ("What is the sum of the first 40 odd numbers?", "number", lambda: sum(range(1, 80, 2))),
        ("What is the 15th triangular number?", "number", lambda: 15 * 16 // 2),
        ("What is the 12th Catalan number, counting C0 = 1 as the zeroth?", "number",
         lambda: math.comb(24, 12) // 13),
        ("In the sequence 3, 7, 11, 15, ... what is the 100th term?", "number", lambda: 3 + 99 * 4),
        ("What is the sum of the first 20 terms of the geometric sequence 2, 6, 18, 54, ...?", "number",
         lambda: sum(2 * 3**k for k in range(20))),
        ("Starting from 27, how many steps of the Collatz rule (n/2 if even, 3n+1 if odd) reach 1?",
         "number", lambda: collatz_steps(27)),
        ("Lucas numbers start L0 = 2, L1 = 1, then each is the sum of the two before. What is L10?",
         "number", lambda: fib(9) + fib(11)),
        ("List the first 8 perfect squares starting from 1, separated by commas.", "exact",
         lambda: joined([k * k for k in range(1, 9)])),
        ("Add up k cubed for k = 1, 2, ..., 20.", "number", lambda: sum(k**3 for k in range(1, 21))),
    ]
    tasks["strings"] = [
        ("Reverse the words in 'alpha beta gamma delta'.", "exact",
         lambda: " ".join(reversed(["alpha", "beta", "gamma", "delta"]))),
        ("Reverse the characters of the word 'glassbox'.", "exact", lambda: "glassbox"[::-1]),
        ("Strip every a, e, i, o and u out of 'sandbox container runtime'.", "exact",
         lambda: "".join(c for c in "sandbox container runtime" if c not in "aeiou")),
        ("Replace every 'a' with '@' in 'banana bandana'.", "exact",
         lambda: "banana bandana".replace("a", "@")),
        ("What is the longest common prefix of 'interstellar', 'internet' and 'interval'?", "exact",
         lambda: __import__("os").path.commonprefix(["interstellar", "internet", "interval"])),
        ("Apply a Caesar shift of 3 to 'attack at dawn'.", "exact", lambda: caesar("attack at dawn", 3)),
        ("Sort the letters of 'mississippi' alphabetically and give the resulting string.", "exact",
         lambda: "".join(sorted("mississippi"))),
        ("Compress 'wwwwaaadexxxxxx' by writing each run as the letter and then its length.", "exact",
         lambda: run_length("wwwwaaadexxxxxx")),
        ("Convert 'hello_world_example' from snake_case to camelCase.", "exact",
         lambda: (lambda w: w[0] + "".join(p.title() for p in w[1:]))(["hello", "world", "example"])),
        ("Repeat the string 'abc' 4 times with '-' between the copies.", "exact",
         lambda: "-".join(["abc"] * 4)),
    ]
    tasks["text_counting"] = [
        ("Count the letters a, e, i, o and u in 'Glassbox keeps every execution local'.", "number",
         lambda: sum(c in "aeiou" for c in "Glassbox keeps every execution local".lower())),
        ("How many words are in this sentence: 'A small model can still do useful work when it runs code.'",
         "number", lambda: len(SENTENCE.split())),
        ("How many times does the letter 's' appear in 'she sells sea shells by the sea shore'?", "number",
         lambda: "she sells sea shells by the sea shore".count("s")),
        ("How many characters, spaces included, are in 'Glassbox runs locally'?", "number",
         lambda: len("Glassbox runs locally")),
        ("How many distinct words are in 'the cat and the hat and the bat'?", "number",
         lambda: len(set(["the", "cat", "and", "the", "hat", "and", "the", "bat"]))),
        ("My note reads 'Stop. Go now! Really? Fine. Done!' - if each . ! or ? ends one, how many sentences "
         "is that?", "number", lambda: sum("Stop. Go now! Really? Fine. Done!".count(p) for p in ".!?")),
        ("How many letters (not spaces or punctuation) are in 'Hello, World! How are you?'", "number",
         lambda: sum(c.isalpha() for c in "Hello, World! How are you?")),
        ("How many uppercase letters are in 'The NASA and ESA Joint Mission To Mars'?", "number",
         lambda: sum(c.isupper() for c in "The NASA and ESA Joint Mission To Mars")),
        ("How many words in 'apple banana cherry date elderberry fig grape' have more than 5 letters?",
         "number", lambda: sum(len(w) > 5 for w in FRUITS.split())),
        ("How many digit characters are in 'Order 66 shipped 3 items on 2024-05-17 for $129.99'?", "number",
         lambda: sum(c.isdigit() for c in "Order 66 shipped 3 items on 2024-05-17 for $129.99")),
    ]
    tasks["dates_times"] = [
        ("I leave on 2023-11-19 and come home on 2024-03-02. How many nights am I away?", "number",
         lambda: days_between("2023-11-19", "2024-03-02")),
        ("What day of the week was 1969-07-20?", "exact",
         lambda: calendar.day_name[dt.date(1969, 7, 20).weekday()]),
        ("What date is 100 days after 2025-01-15? Answer as YYYY-MM-DD.", "contains",
         lambda: (dt.date(2025, 1, 15) + dt.timedelta(days=100)).isoformat()),
        ("How many seconds are in 3 hours, 25 minutes and 40 seconds?", "number",
         lambda: 3 * 3600 + 25 * 60 + 40),
        ("Under Gregorian rules, count the years from 1600 through 2400 that have a February 29.", "number",
         lambda: sum(calendar.isleap(y) for y in range(1600, 2401))),
        ("What time is it 7 hours and 45 minutes after 21:30? Answer as HH:MM.", "contains",
         lambda: (dt.datetime(2000, 1, 1, 21, 30) + dt.timedelta(hours=7, minutes=45)).strftime("%H:%M")),
        ("In 2037, in how many months does the 13th land on a Friday?", "number",
         lambda: sum(dt.date(2037, m, 13).weekday() == 4 for m in range(1, 13))),
        ("How many full weeks are there between 2023-01-01 and 2023-12-25?", "number",
         lambda: days_between("2023-01-01", "2023-12-25") // 7),
        ("New Year's Eve 2026 (2026-12-31) falls in which ISO calendar week?", "number",
         lambda: dt.date(2026, 12, 31).isocalendar()[1]),
        ("How many seconds after the Unix epoch is 2011-03-11 05:46:24 UTC?", "number",
         lambda: int(dt.datetime(2011, 3, 11, 5, 46, 24, tzinfo=dt.UTC).timestamp())),
    ]
    tasks["lists_sorting"] = [
        ("Sort these numbers in ascending order: 42, 7, 19, 3, 88, 23.", "exact",
         lambda: joined(sorted([42, 7, 19, 3, 88, 23]))),
        ("Put kiwi, mango, apricot, lime and date in dictionary order.", "exact",
         lambda: joined(sorted(["kiwi", "mango", "apricot", "lime", "date"]))),
        ("What is the sum of the three largest numbers in [14, 92, 57, 92, 33, 71]?", "number",
         lambda: sum(sorted([14, 92, 57, 92, 33, 71])[-3:])),
        ("Deduplicate 7, 2, 7, 9, 2, 4, 9 but keep the values in the order they first show up.", "exact",
         lambda: joined(list(dict.fromkeys([7, 2, 7, 9, 2, 4, 9])))),
        ("Sort by length, shortest first (ties keep their order): banana, kiwi, apple, fig, cherry.", "exact",
         lambda: joined(sorted(["banana", "kiwi", "apple", "fig", "cherry"], key=len))),
        ("Combine [2, 5, 11] and [1, 6, 8, 12] into one list in increasing order.", "exact",
         lambda: joined(sorted([2, 5, 11, 1, 6, 8, 12]))),
        ("Shift [10, 20, 30, 40, 50] two places to the right, wrapping the end around to the front.",
         "exact", lambda: joined([40, 50, 10, 20, 30])),
        ("How many elements of [5, 12, 7, 3, 18, 9, 14, 1] are greater than 8?", "number",
         lambda: sum(x > 8 for x in [5, 12, 7, 3, 18, 9, 14, 1])),
        ("Flatten [[1, 2], [3], [4, 5, 6]] and give the product of all its elements.", "number",
         lambda: math.prod([1, 2, 3, 4, 5, 6])),
        ("What is the sum of the list [17, 24, 35, 46, 58, 61]?", "number",
         lambda: sum([17, 24, 35, 46, 58, 61])),
    ]
    tasks["statistics"] = [
        ("What is the mean of 4, 8, 15, 16, 23, 42?", "number",
         lambda: statistics.mean([4, 8, 15, 16, 23, 42])),
        ("Six deliveries took 12, 5, 9, 20, 7 and 14 minutes. What is the middle value of those times?",
         "number", lambda: statistics.median([12, 5, 9, 20, 7, 14])),
        ("For the sample 3, 8, 8, 10, 13, 14, what is s (the n-1 spread), to 3 decimal places?", "number",
         lambda: round(statistics.stdev([3, 8, 8, 10, 13, 14]), 3)),
        ("What is the range (maximum minus minimum) of 31, 7, 54, 19, 42?", "number", lambda: 54 - 7),
        ("What is the population variance of 1, 2, 3, 4, 5, 6, rounded to 3 decimals?", "number",
         lambda: round(statistics.pvariance([1, 2, 3, 4, 5, 6]), 3)),
        ("What is the weighted average of the scores 80, 90, 70 with weights 2, 3, 5?", "number",
         lambda: (80 * 2 + 90 * 3 + 70 * 5) / 10),
        ("What is the geometric mean of 4, 9 and 48?", "number",
         lambda: round(statistics.geometric_mean([4, 9, 48]), 9)),
        ("Hours studied 2, 4, 6, 8 against marks 3, 7, 5, 10: what is Pearson's r, to 3 decimals?", "number",
         lambda: round(pearson([2, 4, 6, 8], [3, 7, 5, 10]), 3)),
        ("What is the 90th percentile of the integers 1 to 20, with linear interpolation (numpy's default)?",
         "number", lambda: round(percentile_linear(list(range(1, 21)), 90), 9)),
        ("What is the z-score of 85 in data with mean 70 and standard deviation 6?", "number",
         lambda: (85 - 70) / 6),
    ]
    tasks["conversion"] = [
        ("Convert 100 US dollars to euros at a rate of 0.92 euros per dollar.", "number",
         lambda: round(100 * 0.92, 9)),
        ("I have 480 Swiss francs. At 1 CHF = 1.13 USD, how many dollars is that?", "number",
         lambda: round(480 * 1.13, 9)),
        ("Convert 98.6 degrees Fahrenheit to Celsius.", "number", lambda: round((98.6 - 32) * 5 / 9, 9)),
        ("How many kilometres is 26.2 miles (1 mile = 1.609344 km), rounded to 2 decimals?", "number",
         lambda: round(26.2 * 1.609344, 2)),
        ("Convert 5 feet 11 inches to centimetres (1 inch = 2.54 cm).", "number",
         lambda: round(71 * 2.54, 9)),
        ("How many 4 KiB blocks fit in a 3 GiB partition?", "number", lambda: 3 * 2**30 // (4 * 2**10)),
        ("Convert 1500 Japanese yen to British pounds at 1 GBP = 190 JPY, rounded to 2 decimals.", "number",
         lambda: round(1500 / 190, 2)),
        ("Convert 72 km/h to metres per second.", "number", lambda: 72 * 1000 / 3600),
        ("Convert 2.5 US gallons to litres (1 US gallon = 3.785411784 L).", "number",
         lambda: round(2.5 * 3.785411784, 9)),
        ("Convert 300 kelvin to degrees Fahrenheit, rounded to 2 decimals.", "number",
         lambda: round((300 - 273.15) * 9 / 5 + 32, 2)),
        ("How many feet are in 0.75 miles?", "number", lambda: round(0.75 * 5280, 9)),
    ]
    tasks["dicts_json"] = [
        ('Given the JSON {"a": 3, "b": 5, "c": 11}, what is the sum of its values?', "number",
         lambda: sum(json.loads('{"a": 3, "b": 5, "c": 11}').values())),
        ('In {"user": {"name": "Ada", "langs": ["python", "c", "lisp"]}}, how many languages are listed?',
         "number", lambda: len(json.loads('{"user": {"name": "Ada", "langs": ["python", "c", "lisp"]}}')
                               ["user"]["langs"])),
        ("Merge {'a': 1, 'b': 2} with {'b': 3, 'c': 4} (the second one wins) and sum the values.", "number",
         lambda: sum({**{"a": 1, "b": 2}, **{"b": 3, "c": 4}}.values())),
        ('From [{"name": "pen", "price": 1.5, "qty": 4}, {"name": "book", "price": 12.25, "qty": 2}, '
         '{"name": "bag", "price": 30, "qty": 1}], what is the total cost (price times qty, summed)?',
         "number",
         lambda: 1.5 * 4 + 12.25 * 2 + 30 * 1),
        ("Count the words in 'red blue red green blue red' and give the counts as JSON with sorted keys.",
         "exact",
          lambda: json.dumps(Counter(["red", "blue", "red", "green", "blue", "red"]), sort_keys=True)),
        ('What is the sum of all "id" values in {"data": {"items": [{"id": 17}, {"id": 29}, {"id": 43}]}}?',
         "number", lambda: 17 + 29 + 43),
        ('How many top-level keys does {"a": 10, "b": {"c": 20, "d": 30}, "e": [40, 50]} have?', "number",
         lambda: len(json.loads('{"a": 10, "b": {"c": 20, "d": 30}, "e": [40, 50]}'))),
        ('Given the scores {"alice": 82, "bob": 95, "carol": 78}, what is the average score, rounded to 2 '
         "decimals?", "number", lambda: round((82 + 95 + 78) / 3, 2)),
        ("Group ['apple', 'avocado', 'banana', 'blueberry', 'cherry'] by first letter. How many groups have "
         "more than one word?", "number",
         lambda: sum(v > 1 for v in Counter(w[0] for w in ["apple", "avocado", "banana", "blueberry",
                                                           "cherry"]).values())),
        ("Parse the JSON '[1, [2, 3], [4, [5, 6]]]' and add up all the numbers at any depth.", "number",
         lambda: flatten_sum(json.loads("[1, [2, 3], [4, [5, 6]]]"))),
    ]
    return tasks


SHORT = {
    "arithmetic": "arith", "number_theory": "numth", "sequences": "seq", "strings": "str",
    "text_counting": "count", "dates_times": "date", "lists_sorting": "list", "statistics": "stats",
    "conversion": "conv", "dicts_json": "json", "files": "files", "pandas": "pandas", "plots": "plot",
    "bash": "bash",
}


def main() -> None:
    kinds = core_tasks() | tool_tasks()
    out = HERE / "tasks.jsonl"
    lines = []
    for kind, specs in kinds.items():
        for index, (text, check, compute) in enumerate(specs, start=1):
            record = {"id": f"ev-{SHORT[kind]}-{index:02d}", "kind": kind, "task": text,
                      "answer": fmt(compute()), "check": check}
            lines.append(json.dumps(record, ensure_ascii=False))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} tasks in {len(kinds)} kinds to {out}")


if __name__ == "__main__":
    main()
