"""A question about a number sequence read whole (the 20th Fibonacci number, primes below 100, the next term
of 3, 7, 11, 15), and the Python answering it."""

from __future__ import annotations

import re

from engine.agent.phrase_table import all_read, compile_phrases, first_reading, lowered
from engine.agent.sequence_builders import (
    Build,
    collatz_steps,
    even_sum,
    factorial,
    fibonacci,
    fibonacci_of,
    figurate,
    first_figurates,
    largest_prime_below,
    next_term,
    nth_prime,
    odd_sum,
    power_sum,
    primes_below,
    primes_between,
    primes_inclusive,
    progression,
    triangular_sum,
)
from engine.agent.task_values import values_and_words

__all__ = ["LIMIT", "sequence_question"]

LIMIT = 300
"""Longest task (characters) read: a sequence question is a sentence."""
# In _PHRASES a space stands for any run of whitespace; K is a place (20th, twentieth), N a number, L the
# terms the task lists.

_UNITS = ["zero", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
          "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
          "eighteenth", "nineteenth"]
_TENS = {"twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70,
         "eightieth": 80, "ninetieth": 90, "hundredth": 100}
_TENS_PREFIX = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
                "eighty": 80, "ninety": 90}
_ORDINAL_WORD = re.compile(r"\b(?:(?P<tens>twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[- ])?"
                           r"(?P<unit>" + "|".join(_UNITS[1:]) + "|" + "|".join(_TENS) + r")\b"
                           r"(?=\s+(?:fibonacci|prime|triangular|square|cube|pentagonal|hexagonal|perfect)\b)",
                           re.IGNORECASE)
_FILLER = frozenset(str.split("""
    what what's whats is the a an of in please tell me give find calculate compute work out i you can could
    would do does it to for my this that just only get show return answer output value how given following
    here we if so let's lets i'd like know want need quick question hey and python using with as are number
    numbers term sequence series list
"""))

# A convention the task states that is the one these readings use (F(1) = F(2) = 1, F(0) = 0)
_STANDARD_FIBONACCI = (r"[.,;(]?\s*(?:use|using|with|indexing|where|counting from|taking|and)?\s*"
                       r"(?:(?:f|fib)\(0\)\s*=\s*0\s*,?\s*(?:and\s+)?(?:f|fib)\(1\)\s*=\s*1"
                       r"|(?:f|fib)\(1\)\s*=\s*(?:(?:f|fib)\(2\)\s*=\s*1|1\s*,?\s*(?:and\s+)?(?:f|fib)\(2\)\s*=\s*1))"
                       r"\s*\)?")
_ASIDES = (r"\s*\(each application of the [^)]*? rule is one step\)|\s*\(halve if even,? 3n ?\+ ?1 if odd\)"
           r"|[.,]?\s*don'?t count the start(?:ing)? number as a step\.?")

_PHRASES: tuple[tuple[str, Build, bool], ...] = (
    (r"(?:the )?K fibonacci(?: number)?|fibonacci number (?:number )?K|f\(K\)", fibonacci, False),
    (r"(?:the )?K prime(?: number)?", nth_prime, False),
    (r"how many primes? (?:numbers )?(?:are there )?(?:below|under|less than|smaller than) N",
     primes_below("count", False), False),
    (r"how many primes? (?:numbers )?(?:are there )?(?:up to|up to and including|not exceeding|at "
     r"most) N", primes_below("count", True), False),
    (r"(?:the )?sum of (?:all )?(?:the )?primes? (?:numbers )?(?:below|under|less than|smaller than) N",
     primes_below("sum", False), False),
    (r"(?:the )?sum of (?:all )?(?:the )?primes? (?:numbers )?(?:up to|up to and including|not "
     r"exceeding) N", primes_below("sum", True), False),
    (r"(?:list )?(?:all )?(?:the )?primes? (?:numbers )?(?:below|under|less than|smaller than) N",
     primes_below("list", False), False),
    (r"how many primes? (?:numbers )?(?:are there )?between (?:N and M|L)", primes_between("count"), False),
    (r"(?:the )?sum of (?:all )?(?:the )?primes? (?:numbers )?between (?:N and M|L)",
     primes_between("sum"), False),
    (r"(?:the )?K triangular number", figurate("n * (n + 1) // 2"), False),
    (r"(?:the )?K (?:square|perfect square) number", figurate("n * n"), False),
    (r"(?:the )?K pentagonal number", figurate("n * (3 * n - 1) // 2"), False),
    (r"(?:the )?K hexagonal number", figurate("n * (2 * n - 1)"), False),
    (r"(?:what (?:number |term )?(?:comes |is )?next|(?:the )?next (?:number|term|one))(?: in)?(?: the "
     r"(?:sequence|series|pattern))?:? L(?:,? ?(?:\?|__+|_))?|L,? (?:what|which) (?:number |term "
     r")?(?:comes )?next|(?:what|which) number continues L|fill in the next one:? L(?:,? ?(?:\?|__+"
     r"|_))?", next_term, False),
    (r"(?:the )?K term of (?:the )?(?:(?:arithmetic|geometric) )?(?:(?:sequence|series|progression) )?L",
     progression("term"), False),
    (r"(?:the )?sum of the first C terms of (?:the )?(?:(?:arithmetic|geometric) )?(?:(?:sequence"
     r"|series|progression) )?L", progression("sum"), False),
    (r"(?:an? |the )?arithmetic (?:sequence|progression),? (?:has |with )?(?:a )?first term N,? (?:and "
     r")?(?:a )?(?:common )?difference D[.,]? (?:what is |what's |whats |find )?(?:its |the )?K term",
     progression("term"), False),
    (r"(?:an? |the )?geometric (?:sequence|progression|series),? (?:has |with )?(?:a )?first term N,? "
     r"(?:and )?(?:a )?(?:common )?ratio R[.,]? (?:what is |what's |whats |find )?(?:its |the )?K term",
     progression("term"), False),
    (r"(?:the )?K term of (?:an? |the )?arithmetic (?:sequence|progression) with (?:a )?first term N,? and "
     r"(?:a )?(?:common )?difference D", progression("term"), False),
    (r"(?:the )?K term of (?:an? |the )?geometric (?:sequence|progression) with (?:a )?first term N,? and "
     r"(?:a )?(?:common )?ratio R", progression("term"), False),
    (r"f(?:ib)?\(N\)(?: ?= ?\?)?|fibonacci f\(N\)", fibonacci_of, False),
    (r"N factorial|N!|(?:the )?factorial of N", factorial, False),
    (r"(?:the )?sum of the first C (?:positive )?odd (?:numbers|integers)", odd_sum, False),
    (r"(?:the )?sum of the first C (?:positive )?even (?:numbers|integers)", even_sum, False),
    (r"(?:the )?sum of the (?P<power>squares|cubes) of the first C (?:positive )?(?:integers|whole "
     r"numbers|natural numbers|numbers)", power_sum, False),
    (r"(?:give me |list )?the first C (?P<kind>triangular|square|cube) numbers", first_figurates, False),
    (r"how many steps does the collatz sequence (?:starting (?:at|from|with) |from |of )N take to "
     r"reach one|how many collatz steps (?:does it take )?(?:from|starting (?:at|from)) N(?: until "
     r"(?:you hit|it reaches|reaching) one)?|starting from N,? how many collatz steps (?:until (?:you "
     r"hit|it reaches) |to reach )one", collatz_steps, False),
    (r"(?:the )?sum of the first C triangular numbers", triangular_sum, False),
    (r"how many primes? (?:numbers )?(?:are there )?between N and M,? inclusive|how many primes? "
     r"(?:numbers )?(?:are there )?from N to M(?:,? inclusive)?", primes_inclusive, False),
    (r"(?:the )?(?:largest|biggest|greatest) prime (?:number )?(?:below|under|less than|smaller than) N",
     largest_prime_below, False),
)
_COMPILED = compile_phrases(_PHRASES, {"K": r"(?P<k>K\d)", "N": r"(?P<n>N\d)", "M": r"(?P<m>N\d)",
                                       "L": r"(?P<l>L\d)", "C": r"(?P<k>[KN]\d)", "D": r"(?P<d>N\d)",
                                       "R": r"(?P<r>N\d)"})


def sequence_question(task: str) -> str | None:
    """Python printing the answer to one question about a number sequence: the k-th Fibonacci number
    (F(1) = F(2) = 1) or prime, how many primes below (up to) n or between two numbers that are not
    prime, their sum or list, the k-th triangular, square, pentagonal or hexagonal number, the next
    term of at least four listed terms when one simple rule fits, the k-th term or the sum of the
    first k terms of a listed arithmetic sequence. None for anything else (a Fibonacci sequence said
    to start with 0, a recurrence in words)."""
    if len(task) > LIMIT:
        return None
    text = re.sub(_STANDARD_FIBONACCI, " ", task, flags=re.IGNORECASE)
    if re.search(r"fibonacci|\bfib\b|\bf\(", text, re.IGNORECASE) and re.search(
            r"\bstart|\bbegin|\b(?:f|fib)\(0\)|\bindex|\bzeroth", text, re.IGNORECASE):
        return None  # a Fibonacci sequence counted some other way
    text = re.sub(_ASIDES, " ", text, flags=re.IGNORECASE)
    text = _ORDINAL_WORD.sub(_ordinal_digits, text)
    text = re.sub(r"\b(reach|reaches|reaching|hit|hits)\s+1\b", r"\1 one", text, flags=re.IGNORECASE)
    values, _ = values_and_words(text)
    numbers: list[int] = []
    lists: list[list[int]] = []
    spans: list[tuple[tuple[int, int], str]] = []
    for value in values:
        if value.kind in ("number", "ordinal"):
            if "." in value.text:
                return None
            spans.append((value.span, f"{'N' if value.kind == 'number' else 'K'}{len(numbers)}"))
            numbers.append(int(value.text))
        elif value.kind in ("run", "list") and all(re.fullmatch(r"-?\d+", str(n)) for n in _terms(value)):
            spans.append((value.span, f"L{len(lists)}"))
            lists.append([int(str(n)) for n in _terms(value)])
        else:
            return None
    masked = text
    for (start, end), mark in sorted(spans, reverse=True):
        masked = f"{masked[:start]} {mark} {masked[end:]}"
    masked = re.sub(r"(K\d)\s*(?:st|nd|rd|th)\b", r"\1", masked)
    masked = re.sub(r"\[\s*(L\d)\s*(?:,\s*\.\.\.)?\s*\]|\b(L\d)\s*,?\s*(?:\.\.\.|\u2026)",
                    lambda m: m.group(1) or m.group(2), masked)
    masked = lowered(masked, "KNL")
    masked = re.sub(r"\(\s*([KNL]\d)\s*\)", r"(\1)", masked)
    reading = first_reading(masked, _COMPILED, _all_read)
    if reading is None:
        return None
    match, build, _ = reading
    return build(match, numbers, lists)


def _terms(value: object) -> list[object]:
    parsed = getattr(value, "parsed", None)
    return list(parsed) if isinstance(parsed, list) else list(getattr(value, "numbers", ()))


def _ordinal_digits(found: re.Match[str]) -> str:
    """ "twenty-fifth" -> "25th": a place written in words, as digits the readings know."""
    unit = found.group("unit").lower()
    value = _TENS.get(unit) or _UNITS.index(unit)
    if found.group("tens"):
        if unit in _TENS:
            return found.group()
        value += _TENS_PREFIX[found.group("tens").lower()]
    return f"{value}th"


def _all_read(left: str) -> bool:
    return all_read(left, "KNL", _FILLER)
