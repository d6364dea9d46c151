"""Rounding a program's output as a task asks, or setting the places a program rounds to itself."""

from __future__ import annotations

import ast
import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from engine.tasktext.rounding_request import RoundingAsked, asked_rounding

__all__ = ["RoundingAsked", "asked_rounding", "rounded_output", "rounds_on_its_own", "with_digits"]

# "%1.1f" (a width before the point) rounds as "%.1f" does: matplotlib's autopct is written so.
_ROUNDS_IN_CODE = re.compile(r"\bround\s*\(|:[^{}\n]*\.\d+f\}|%\d*\.\d+f|\bquantize\b|\bprintf\b|\bscale\s*=")


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
