"""is_correct: whether a reply holds an eval task's answer (number, exact or contains check).

number   The answer is a number. The reply's numbers are read with thousands separators
         (1,234 -> 1234; "1267,650" is two numbers, 1267 and 650, never 1267650; -1/3 is one
         number, a third, not 1 and 3). An integer
         answer needs an exactly equal number (a 31-digit result must be right to the last
         digit; 1234.0 counts); a decimal answer accepts a relative difference up to 1e-6, or
         a longer decimal that rounds to it (3.14159 for 3.14). The matching number must be
         the reply's last number, or the reply must hold at most MAX_NUMBERS numbers, so a
         reply that lists numbers ("[3, 7, 19, 42]" for "the third smallest") is not
         rewarded. Vote notes such as "3 of 3 agree" are not counted as numbers.
exact    Normalised equality (whitespace collapsed, surrounding quotes, backticks, asterisks
         and a final period stripped) of the answer against any line of the reply, or the
         answer's tokens (words and single punctuation marks, with ' " ` treated alike) appear
         as a contiguous run of the reply's tokens ("inter" does not match "interstellar").
         Case is ignored unless the answer's case is the point of it: an answer with capitals
         beyond its first letter ("Make It Count", "HELLO", "helloWorld") must match in case;
         "Sunday" or "paris" need not.
contains The answer appears in the reply, case-insensitively.

Every check reads the reply without the engine's notes: paragraphs after the first that are wholly
in parentheses ("(1 of 3 candidate programs agree: check it.)", "(Worked out by ... it printed
3.9833, rounded here to 2 places ...)"). They say how the answer was reached; their numbers are not it.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation

CHECKS = ("number", "exact", "contains")
MAX_NUMBERS = 3
RELATIVE_TOLERANCE = Decimal("1e-6")

# A number not glued to a word or a decimal point before it: "x1" and "v2.0" hold no number.
_NUMBER = re.compile(
    r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+(?![\d])|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?:/\d+)?(?![\w])"
)
_VOTE_NOTE = re.compile(r"\b\d+\s+of\s+\d+\s+(?:candidate\s+programs?\s+|candidates?\s+|runs?\s+)?agree",
                        re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_QUOTES = str.maketrans({'"': "'", "`": "'", "\u2018": "'", "\u2019": "'", "\u201c": "'", "\u201d": "'"})
_EDGE = "'\"`*_ \t"


def is_correct(reply: str, answer: str, check: str) -> bool:
    """True when `reply` holds `answer` under the named check (see the module docstring)."""
    reply = without_notes(reply)
    if check == "number":
        return _number_matches(reply, answer)
    if check == "exact":
        return _exact_matches(reply, answer)
    if check == "contains":
        return answer.strip().casefold() in reply.casefold()
    raise ValueError(f"Unknown check {check!r}; expected one of {', '.join(CHECKS)}.")


def without_notes(reply: str) -> str:
    """The reply without the paragraphs after its first that are wholly in parentheses."""
    first, *rest = _PARAGRAPH_BREAK.split(reply.strip())
    kept = [part for part in rest if not (part.strip().startswith("(") and part.strip().endswith(")"))]
    return "\n\n".join([first, *kept])


def parse_number(text: str) -> Decimal:
    """A number written with optional thousands separators (or a fraction a/b), as a Decimal."""
    numerator, slash, denominator = text.replace(",", "").strip().partition("/")
    try:
        if slash:
            return Decimal(numerator) / Decimal(denominator)
        return Decimal(numerator)
    except (InvalidOperation, ZeroDivisionError):
        raise ValueError(f"{text!r} is not a number.") from None


def numbers_in(text: str) -> list[str]:
    """The numbers written in `text`, in order, vote notes left out."""
    return _NUMBER.findall(_VOTE_NOTE.sub(" ", text))


def _decimals(text: str) -> int:
    plain = text.replace(",", "")
    if "e" in plain.lower() or "/" in plain or "." not in plain:
        return 0
    return len(plain.split(".", 1)[1])


def _same_number(found: str, answer: str) -> bool:
    want = parse_number(answer)
    got = parse_number(found)
    places = _decimals(answer)
    if places == 0 and "e" not in answer.lower():
        return got == want
    if abs(got - want) <= RELATIVE_TOLERANCE * max(abs(want), Decimal("1e-12")):
        return True
    if _decimals(found) > places:
        quantum = Decimal(1).scaleb(-places)
        return want in (got.quantize(quantum, ROUND_HALF_UP), got.quantize(quantum, ROUND_HALF_EVEN))
    return False


def _number_matches(reply: str, answer: str) -> bool:
    found = numbers_in(reply)
    if not found:
        return False
    if _same_number(found[-1], answer):
        return True
    return len(found) <= MAX_NUMBERS and any(_same_number(f, answer) for f in found)


def case_matters(answer: str) -> bool:
    """True when an answer's capitals are part of it: any beyond its first letter."""
    stripped = answer.strip()
    return stripped not in (stripped.capitalize(), stripped.lower())


def normalise(text: str, fold: bool = True) -> str:
    """Whitespace collapsed, surrounding quotes/markup and a final period stripped; case-folded
    unless `fold` is False."""
    text = " ".join(text.split())
    text = text.casefold() if fold else text
    previous = None
    while previous != text:
        previous = text
        text = text.strip(_EDGE)
        if text.endswith("."):
            text = text[:-1]
    return text


def tokens(text: str, fold: bool = True) -> list[str]:
    """Words and single punctuation marks, quote marks made alike; case-folded unless `fold` is False."""
    return _TOKEN.findall((text.casefold() if fold else text).translate(_QUOTES))


def contains_run(haystack: list[str], needle: list[str]) -> bool:
    """True when `needle` occurs as a contiguous run inside `haystack`."""
    if not needle:
        return False
    width = len(needle)
    return any(haystack[i:i + width] == needle for i in range(len(haystack) - width + 1))


def _exact_matches(reply: str, answer: str) -> bool:
    fold = not case_matters(answer)
    want = normalise(answer, fold)
    if not want:
        return False
    if any(normalise(line, fold) == want for line in reply.splitlines()):
        return True
    return contains_run(tokens(reply, fold), tokens(want, fold))
