"""Builders of the Python that answers a question about a number sequence, one per kind of question."""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from itertools import pairwise

__all__ = ["SIEVE", "Build", "collatz_steps", "even_sum", "factorial", "fibonacci", "fibonacci_of",
           "figurate",
           "first_figurates", "largest_prime_below", "next_term", "nth_prime", "odd_sum", "power_sum",
           "primes_below", "primes_between", "primes_inclusive", "progression", "triangular_sum"]

Build = Callable[[re.Match[str], list[int], list[list[int]]], "str | None"]

SIEVE = ("def primes_below(limit):\n    sieve = bytearray([1]) * max(limit, 2)\n"
         "    sieve[0:2] = b'\\x00\\x00'\n"
         "    for i in range(2, int(limit ** 0.5) + 1):\n        if sieve[i]:\n"
         "            sieve[i * i::i] = bytearray(len(sieve[i * i::i]))\n"
         "    return [i for i in range(limit) if sieve[i]]\n")


def _k(match: re.Match[str], numbers: list[int]) -> int:
    return numbers[int(match.group("k")[1:])]


def _n(match: re.Match[str], numbers: list[int], name: str = "n") -> int:
    return numbers[int(match.group(name)[1:])]


def fibonacci(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
    """F(k) with F(1) = F(2) = 1: the k-th Fibonacci number as people count them (F(10) = 55)."""
    k = _k(match, numbers)
    if not 1 <= k <= 10_000:
        return None
    return f"a, b = 0, 1\nfor _ in range({k}):\n    a, b = b, a + b\nprint(a)"


def fibonacci_of(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
    """F(n) written so, with F(0) = 0 and F(1) = 1."""
    n = _n(match, numbers)
    if not 0 <= n <= 10_000:
        return None
    return f"a, b = 0, 1\nfor _ in range({n}):\n    a, b = b, a + b\nprint(a)"


def nth_prime(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
    k = _k(match, numbers)
    if not 1 <= k <= 200_000:
        return None
    return SIEVE + (f"limit = 16\nwhile len(primes_below(limit)) < {k}:\n    limit *= 2\n"
                    f"print(primes_below(limit)[{k - 1}])")


def primes_below(kind: str, inclusive: bool) -> Build:
    """The primes below (or up to) N: how many, their sum, or the list."""
    def build(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
        limit = _n(match, numbers) + (1 if inclusive else 0)
        if not 2 <= limit <= 10_000_000:
            return None
        shown = {"count": "len(found)", "sum": "sum(found)", "list": "found"}[kind]
        return SIEVE + f"found = primes_below({limit})\nprint({shown})"
    return build


def primes_between(kind: str) -> Build:
    """The primes between A and B: answered when neither end is prime (so "between" cannot mislead)."""
    def build(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
        if match.groupdict().get("l"):
            pair = lists[int(match.group("l")[1:])]
            if len(pair) != 2:
                return None
            low, high = sorted(pair)
        else:
            low, high = sorted((_n(match, numbers), _n(match, numbers, "m")))
        if high > 10_000_000 or _is_prime(low) or _is_prime(high):
            return None
        shown = {"count": "len(found)", "sum": "sum(found)", "list": "found"}[kind]
        return SIEVE + f"found = [p for p in primes_below({high}) if p > {low}]\nprint({shown})"
    return build


def _is_prime(n: int) -> bool:
    return n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1))


def figurate(formula: str) -> Build:
    def build(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
        return f"n = {_k(match, numbers)}\nprint({formula})"
    return build


def next_term(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
    """The next term of listed terms, when exactly one of the simple rules fits them all (a constant
    difference, a constant ratio, a constant second difference, each the sum of the two before) and
    at least four terms are given."""
    terms = lists[int(match.group("l")[1:])]
    if len(terms) < 4:
        return None
    guesses = set()
    differences = [b - a for a, b in pairwise(terms)]
    if len(set(differences)) == 1:
        guesses.add(Fraction(terms[-1] + differences[0]))
    if all(t != 0 for t in terms):
        ratios = {Fraction(b, a) for a, b in pairwise(terms)}
        if len(ratios) == 1:
            guesses.add(terms[-1] * ratios.pop())
    second = [b - a for a, b in pairwise(differences)]
    if len(terms) >= 5 and len(set(second)) == 1:
        guesses.add(Fraction(terms[-1] + differences[-1] + second[0]))
    if all(t != 0 for t in terms):
        steps = [Fraction(b, a) for a, b in pairwise(terms)]
        growth = {b - a for a, b in pairwise(steps)}
        if len(growth) == 1 and growth != {0} and len(steps) >= 3:
            guesses.add(terms[-1] * (steps[-1] + growth.pop()))
    if all(c == a + b for a, b, c in zip(terms, terms[1:], terms[2:], strict=False)):
        guesses.add(Fraction(terms[-1] + terms[-2]))
    if len(guesses) != 1:
        return None
    guess = guesses.pop()
    if guess.denominator != 1:
        return None
    return f"terms = {terms!r}\n# the one simple rule all the terms follow gives\nprint({int(guess)})"


def progression(kind: str) -> Build:
    """The k-th term (or the sum of the first k terms) of an arithmetic or geometric sequence: its
    first terms listed (at least three, one rule fitting), or its first term and difference (a, d)
    or ratio (a, r) given."""
    def build(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
        k = _k(match, numbers)
        groups = match.groupdict()
        if groups.get("l"):
            terms = lists[int(match.group("l")[1:])]
            differences = {b - a for a, b in pairwise(terms)}
            ratios = {Fraction(b, a) for a, b in pairwise(terms)} if 0 not in terms else set()
            if len(terms) < 3 or (len(differences) == 1) == (len(ratios) == 1):
                return None
            first = terms[0]
            step: object = differences.pop() if differences and len(differences) == 1 else None
            ratio = ratios.pop() if step is None else None
        else:
            first = _n(match, numbers)
            step = _n(match, numbers, "d") if groups.get("d") else None
            ratio = Fraction(_n(match, numbers, "r")) if groups.get("r") else None
        if not 1 <= k <= 100_000:
            return None
        if step is not None:
            head = f"first, step, k = {first}, {step}, {k}\n"
            return head + ("print(first + (k - 1) * step)" if kind == "term"
                           else "print(sum(first + i * step for i in range(k)))")
        assert ratio is not None
        head = (f"from fractions import Fraction\nfirst, ratio, k = {first}, Fraction({ratio.numerator}, "
                f"{ratio.denominator}), {k}\n")
        value = "first * ratio ** (k - 1)" if kind == "term" else "sum(first * ratio ** i for i in range(k))"
        return head + f"value = {value}\nprint(int(value) if value.denominator == 1 else float(value))"
    return build


def factorial(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
    n = _n(match, numbers)
    return f"import math\nprint(math.factorial({n}))" if 0 <= n <= 5000 else None


def odd_sum(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
    """The sum of the first k odd numbers (1 + 3 + ...)."""
    return f"k = {_k(match, numbers)}\nprint(sum(2 * i + 1 for i in range(k)))"


def even_sum(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
    """The sum of the first k positive even numbers (2 + 4 + ...)."""
    return f"k = {_k(match, numbers)}\nprint(sum(2 * i for i in range(1, k + 1)))"


def power_sum(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
    """The sum of the squares (cubes) of 1 to k."""
    power = 2 if match.group("power") == "squares" else 3
    return f"k = {_k(match, numbers)}\nprint(sum(i ** {power} for i in range(1, k + 1)))"


_FIGURATE = {"triangular": "i * (i + 1) // 2", "square": "i * i", "cube": "i ** 3"}


def first_figurates(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
    """The first k triangular (square, cube) numbers, from the first (1)."""
    return f"k = {_k(match, numbers)}\nprint([{_FIGURATE[match.group('kind')]} for i in range(1, k + 1)])"


def triangular_sum(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
    return f"k = {_k(match, numbers)}\nprint(sum(i * (i + 1) // 2 for i in range(1, k + 1)))"


def collatz_steps(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
    """Steps (applications of n/2 or 3n + 1) from n to 1."""
    n = _n(match, numbers)
    if not 1 <= n <= 10**12:
        return None
    return (f"n, steps = {n}, 0\nwhile n != 1:\n    n = 3 * n + 1 if n % 2 else n // 2\n    steps += 1\n"
            "print(steps)")


def primes_inclusive(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
    """How many primes from a to b, both ends counted."""
    low, high = sorted((_n(match, numbers), _n(match, numbers, "m")))
    if high > 10_000_000:
        return None
    return SIEVE + f"print(len([p for p in primes_below({high + 1}) if p >= {low}]))"


def largest_prime_below(match: re.Match[str], numbers: list[int], lists: list[list[int]]) -> str | None:
    n = _n(match, numbers)
    return SIEVE + f"print(primes_below({n})[-1])" if 3 <= n <= 10_000_000 else None
