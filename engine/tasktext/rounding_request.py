"""A task's request for rounding ("rounded to 2 decimals", "to the nearest cent"), read apart."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["READ_LIMIT", "RoundingAsked", "asked_rounding"]

READ_LIMIT = 2_000
"""Longest task (characters) read for a rounding request: a question is short, a longer text is a
paste of data (the recall stage reads it on the event loop)."""

_WORD_DIGITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_NEAREST = {"cent": 2, "penny": 2, "hundredth": 2, "tenth": 1, "thousandth": 3, "whole number": 0,
            "integer": 0, "unit": 0}
_COUNT = r"(\d{1,2}|zero|one|two|three|four|five|six)"
_CLAUSE = re.compile(
    r"(?:^|[,;]\s*|\s*\(\s*|(?<=[.?!])\s*|\s+)"  # what joins the clause to the question
    r"(?:and\s+|then\s+|please\s+)*"
    r"(?:(?:round(?:ed)?|give(?:n)?|answer(?:ed)?|express(?:ed)?)\s+(?:it\s+|that\s+|the\s+(?:result|answer)\s+)?)?"
    r"(?:(?:to|with)\s+)?"
    r"(?:" + _COUNT + r"(?:\s+(?:decimal(?:\s+place)?s?|dp|d\.p\.?|places?)|\s*(?:dp|d\.p\.?)\b)"
    r"|the\s+nearest\s+(cent|penny|hundredth|tenth|thousandth|whole\s+number|integer|unit))"
    r"(?:\s+of\s+precision)?\s*\)?",
    re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RoundingAsked:
    """A task's request for rounding, and the task without it."""

    question: str
    """The task with the rounding clause taken out."""
    digits: int
    """Decimal places asked for (0: a whole number)."""
    phrase: str
    """The clause as the task wrote it ("rounded to 2 decimals")."""


def asked_rounding(task: str) -> RoundingAsked | None:
    """The rounding the task asks for, when it says it once, in one of the common phrasings; the
    clause must be about decimals or a nearest unit, so "round 7.5 to the nearest integer" as the
    whole question is read too (then nothing of a question is left, and adaptation finds nothing)."""
    if len(task) > READ_LIMIT:
        return None
    found = list(_CLAUSE.finditer(task))
    if len(found) != 1:
        return None
    match = found[0]
    has_verb = re.search(r"\b(?:round|rounded|give|given|answer|answered|express|expressed)\b|\bto\b",
                         match.group(), re.IGNORECASE)
    if not has_verb and "(" not in match.group() and not re.match(r"\s*[.?!]", task[match.end():] or "."):
        return None  # "two decimal places" mid-sentence that does not ask for rounding
    count, nearest = match.group(1), match.group(2)
    if count is not None:
        digits = int(count) if count.isdigit() else _WORD_DIGITS[count.lower()]
    else:
        digits = _NEAREST[" ".join(nearest.lower().split())]
    before, after = task[:match.start()], task[match.end():]
    joint = " " if before[-1:].isalnum() and after[:1].isalnum() else ""  # "... to 3 decimals please?"
    question = (before + joint + after).strip().lstrip(":;,- ")
    question = re.sub(r"\s+([?.!])", r"\1", re.sub(r"([?.!])[?.!]+", r"\1", question))
    if question and question[-1] not in "?.!" and "\n" not in question:
        question += "."  # not after a table pasted below the question: its last cell would change
    return RoundingAsked(question, digits, match.group().strip(" ,;()"))
