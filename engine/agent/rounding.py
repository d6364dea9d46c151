"""Rounding a task asks for ("rounded to 2 decimals", "to the nearest cent"), read apart from the question."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

__all__ = ["RoundingAsked", "asked_rounding", "rounded_output", "rounds_on_its_own", "with_digits"]

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
# "%1.1f" (a width before the point) rounds as "%.1f" does: matplotlib's autopct is written so.
_ROUNDS_IN_CODE = re.compile(r"\bround\s*\(|:[^{}\n]*\.\d+f\}|%\d*\.\d+f|\bquantize\b|\bprintf\b|\bscale\s*=")


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


def rounds_on_its_own(code: str) -> bool:
    """Whether a program rounds or formats its number itself: its output is then not the value to
    round (round(x, 1) rounded again to 2 decimals is still x to 1 decimal)."""
    return bool(_ROUNDS_IN_CODE.search(code))


# A look-behind has a fixed width: "%.2f", "%1.2f" and "%10.2f" each need their own.
_FORMAT_DIGITS = re.compile(r"(?<=:\.)(\d+)(?=f\})|(?<=%\.)(\d+)(?=f)|(?<=%\d\.)(\d+)(?=f)"
                            r"|(?<=%\d\d\.)(\d+)(?=f)")


def with_digits(code: str, digits: int) -> str | None:
    """The Python program with its one rounding (round(x, 2), f"{x:.2f}" or "%.2f") set to `digits`
    places; None when it rounds in no such way, in more than one place, or not only so."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Name) and node.func.id == "round"]
    places = [call.args[1] for call in calls if len(call.args) == 2 and isinstance(call.args[1], ast.Constant)
              and type(call.args[1].value) is int]
    formats = list(_FORMAT_DIGITS.finditer(code))
    if len(calls) != len(places) or len(places) + len(formats) != 1 or "quantize" in code:
        return None
    lines = code.splitlines(keepends=True)
    if places:
        node = places[0]
        if node.end_col_offset is None or node.lineno != node.end_lineno:
            return None
        start = sum(len(line) for line in lines[:node.lineno - 1]) + len(
            lines[node.lineno - 1].encode()[:node.col_offset].decode())
        end = start + len(lines[node.lineno - 1].encode()[node.col_offset:node.end_col_offset].decode())
    else:
        start, end = formats[0].span()
    return code[:start] + str(digits) + code[end:]


def rounded_output(printed: str, digits: int) -> str | None:
    """The printed number rounded half-to-even to `digits` places, as Python's round() would; None
    when the output is not one number."""
    text = printed.strip()
    if not text or "\n" in text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    # The float's exact binary value, as round(float(x), n) sees it: 2.675 rounds to 2.67 there too.
    exact = Decimal(float(value))
    return str(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN))
