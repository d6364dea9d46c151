"""The arithmetic a task writes out ("98765 multiplied by 4321, minus 17"), as a Python expression."""

from __future__ import annotations

import ast
import re

__all__ = ["LIMIT", "written_arithmetic"]

LIMIT = 300
"""Longest task (characters) read as arithmetic: a sum to work out is short."""
_MAX_EXPONENT = 10_000  # 2 ** 10_000 prints at once; 9 ** 9 ** 9 would hold the sandbox to its timeout

_LEAD_IN = re.compile(
    r"^(?:(?:hey|hi|ok|okay|so)\b[,!]?\s*)*(?:quick one\s*[:,-]\s*)?(?:please\s+)?"
    r"(?:what(?:'s|\s+is|\s+does)|evaluate|compute|calculate|work\s+out|give\s+me|tell\s+me|i\s+need)"
    r"(?:\s+the)?(?:\s+exact)?(?:\s+(?:value|result|answer))?(?:\s+of)?\s*:?\s*",
    re.IGNORECASE)
_TRAILER = re.compile(r"\s*(?:,?\s*exactly)?\s*(?:equal|come\s+to|make|give)?\s*[?.!]*\s*$", re.IGNORECASE)
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}|\d:\d")
_TOKEN = re.compile(r"""
    (?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+(?:\.\d+)?)
  | (?P<power>\*\*|\^|(?:raised\s+)?to\s+the\s+power\s+of|raised\s+to)
  | (?P<square>squared|cubed)
  | (?P<times>multiplied\s+by|times|[*×x](?=\s*[\d(]))
  | (?P<divide>divided\s+by|[/÷])
  | (?P<plus>plus|\+)
  | (?P<minus>minus|[-−])
  | (?P<mod>modulo|mod)
  | (?P<paren>[()])
  | (?P<clause>,\s*(?:and\s+)?(?:then\s+)?(?=[a-z+\-−*×/÷^]))
  | (?P<space>\s+)
""", re.IGNORECASE | re.VERBOSE)
_SYMBOL = {"times": "*", "divide": "/", "plus": "+", "minus": "-", "mod": "%", "power": "**"}
_LEVEL = {"plus": 1, "minus": 1, "times": 2, "divide": 2, "mod": 2}


def written_arithmetic(task: str) -> str | None:
    """The task as a Python expression when all it asks is to work out arithmetic written in numbers
    and operators, in symbols or words: "What is 98765 multiplied by 4321, minus 17?" is
    "(98765 * 4321) - 17", "I need the exact value of 2^100 minus 3^50." is "2 ** 100 - 3 ** 50".
    A comma closes what comes before it ("A times B, minus C"). None when anything else is in it
    (a unit, a percentage, a date), when it has no operator, or when operators in words of different
    precedence meet without a comma or brackets ("5 plus 3 times 2": read either way by people)."""
    if len(task) > LIMIT or "\n" in task.strip():
        return None
    lead = _LEAD_IN.match(task.strip())
    if lead is None:
        return _in_steps(task.strip())
    body = _TRAILER.sub("", task.strip()[lead.end():])
    if not body or _DATE_LIKE.search(body):
        return None
    parts: list[str] = []
    worded_levels: set[int] = set()
    position = 0
    while position < len(body):
        match = _TOKEN.match(body, position)
        if match is None:
            return None
        position = match.end()
        kind, text = match.lastgroup, match.group()
        if kind == "space":
            continue
        if kind == "clause":
            if len(worded_levels) > 1:
                return None
            parts, worded_levels = ["(", *parts, ")"], set()
        elif kind == "number":
            parts.append(text.replace(",", ""))
        elif kind == "square":
            parts.append("** 2" if text.lower() == "squared" else "** 3")
        elif kind == "paren":
            parts.append(text)
        elif kind is not None:
            parts.append(_SYMBOL[kind])
            if text[0].isalpha() and kind in _LEVEL:
                worded_levels.add(_LEVEL[kind])
    if len(worded_levels) > 1:
        return None
    expression = " ".join(parts).replace("( ", "(").replace(" )", ")")
    return expression if _plain_arithmetic(expression) else None


_NUM = r"(-?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|-?\d+(?:\.\d+)?)"
_RESULT = r"(?:it|that|the result|this)"
_ASKED_IN_STEPS = re.compile(
    r"^(?:(?:hey|hi|ok|okay|so)\b[,!]?\s*)*(?:quick one\s*[:,-]\s*)?"
    r"(?:what (?:do|would|will) (?:i|you|we) get if (?:i|you|we)\s+(?P<first>.+?)\s*\?"
    r"|if (?:i|you|we)\s+(?P<second>.+?)\s*,\s*what (?:do|would|will) (?:i|you|we) get\s*\?"
    r"|if (?:i|you|we)\s+(?P<third>.+?)\s*,\s*what(?:'s| is) the (?:result|answer)\s*\?)\s*$",
    re.IGNORECASE)
_STEP_JOIN = re.compile(r"\s*(?:,\s*)?(?:\band\s+then\b|\bthen\b|\band\b)\s*", re.IGNORECASE)
_STEP_FORMS = (
    (rf"multiply {_NUM} by {_NUM}", "{0} * {1}"),
    (rf"divide {_NUM} by {_NUM}", "{0} / {1}"),
    (rf"subtract {_NUM} from {_NUM}", "{1} - {0}"),
    (rf"add {_NUM} (?:to|and) {_NUM}", "{0} + {1}"),
    (rf"multiply(?: {_RESULT})? by {_NUM}", "({r}) * {0}"),
    (rf"divide(?: {_RESULT})? by {_NUM}", "({r}) / {0}"),
    (rf"subtract {_NUM}(?: from {_RESULT})?", "({r}) - {0}"),
    (rf"add {_NUM}(?: to {_RESULT})?", "({r}) + {0}"),
    (rf"square {_RESULT}", "({r}) ** 2"),
)
"""Each step's words and its Python: {0} and {1} its numbers, {r} the result so far."""
_STEPS = tuple((re.compile(pattern + "$", re.IGNORECASE), form) for pattern, form in _STEP_FORMS)


def _in_steps(task: str) -> str | None:
    """ "If I multiply 48,271 by 3,917 and then subtract 1,000,003 from the result, what do I get?":
    steps joined by "and then", each on the result so far; the first gives both its numbers. Only
    asked as a question: "Multiply 17 by 23." alone is the other routes' to answer."""
    asked = _ASKED_IN_STEPS.match(task)
    if asked is None:
        return None
    steps = _STEP_JOIN.split(next(group for group in asked.groups() if group is not None))
    result: str | None = None
    for step in steps:
        for pattern, form in _STEPS:
            match = pattern.match(step.strip())
            if match is not None and ("{r}" in form) == (result is not None):
                numbers = [number.replace(",", "") for number in match.groups()]
                result = form.format(*numbers, r=result)
                break
        else:
            return None
    return result if result is not None and _plain_arithmetic(result) else None


def _plain_arithmetic(expression: str) -> bool:
    """Numbers, operators and brackets only, with at least one operator and no huge power."""
    try:
        tree = ast.parse(expression, mode="eval").body
    except SyntaxError:
        return False
    if not isinstance(tree, ast.BinOp):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            exponent = node.right
            if not (isinstance(exponent, ast.Constant) and isinstance(exponent.value, int | float)
                    and abs(exponent.value) <= _MAX_EXPONENT):
                return False
        elif not isinstance(node, ast.BinOp | ast.UnaryOp | ast.Constant | ast.operator | ast.unaryop):
            return False
    return True
