"""A safe arithmetic evaluator: walks the ast of an expression; never calls eval."""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

_MAX_LEN = 300
_MAX_POWER = 10_000
_MAX_MAGNITUDE = 10**300
_MAX_DIGITS = 400

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": abs, "round": round, "min": min, "max": max, "sqrt": math.sqrt, "floor": math.floor,
    "ceil": math.ceil, "log": math.log, "log10": math.log10, "exp": math.exp, "sin": math.sin,
    "cos": math.cos, "tan": math.tan, "factorial": math.factorial,
}
_CONSTANTS = {"pi": math.pi, "e": math.e, "tau": math.tau}


class CalcError(ValueError):
    """The expression is not plain arithmetic or cannot be computed."""


def evaluate(expression: str) -> int | float:
    """The value of an arithmetic expression (numbers, + - * / // % **, a few math functions)."""
    text = expression.strip().replace("^", "**").replace("×", "*").replace("÷", "/")
    if len(text) > _MAX_LEN:
        raise CalcError(f"The expression is longer than {_MAX_LEN} characters.")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise CalcError(f"Not an arithmetic expression: {expression!r}.") from None
    try:
        value = _eval(tree.body)
    except CalcError:
        raise  # already worded for the model (CalcError is a ValueError: keep it from the clause below)
    except ZeroDivisionError:
        raise CalcError("Division by zero.") from None
    except (OverflowError, ValueError, TypeError) as exc:
        raise CalcError(f"Cannot compute this: {exc}.") from None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if not isinstance(value, int | float):
        raise CalcError("The result is not a number.")
    return value


def _eval(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(
        node.value, bool
    ):
        return node.value
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        # Bound powers before computing them: 9**9**9 would hang the event loop, and so would
        # (10**300)**9999 for a second, only to be refused by _check afterwards.
        if isinstance(node.op, ast.Pow):
            if abs(right) > _MAX_POWER:
                raise CalcError("The exponent is too large.")
            if (isinstance(left, int) and isinstance(right, int) and right > 0
                    and (abs(left).bit_length() - 1) * right > _MAX_MAGNITUDE.bit_length()):
                raise CalcError("The result is too large.")
        return _check(_BINARY[type(node.op)](left, right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand))
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
            and not node.keywords):
        args = [_eval(a) for a in node.args]
        if node.func.id == "factorial" and (not args or args[0] > 1000):
            raise CalcError("factorial() takes a number up to 1000.")
        # round(5, -10**8) builds 10**(10**8) inside int.__round__: minutes on the event loop.
        if node.func.id == "round" and len(args) == 2 and abs(args[1]) > _MAX_DIGITS:
            raise CalcError(f"round() takes up to {_MAX_DIGITS} digits.")
        return _check(_FUNCTIONS[node.func.id](*args))
    raise CalcError(f"Unsupported element in the expression: {ast.unparse(node)!r}.")


def _check(value: Any) -> Any:
    if isinstance(value, int) and abs(value) > _MAX_MAGNITUDE:
        raise CalcError("The result is too large.")
    return value
