"""Fixes the agent makes to a failed draft without a model call: a missing import, miscounted brackets."""

from __future__ import annotations

import re
from dataclasses import replace

from engine.agent.parse import Action
from engine.agent.recovery import Failure

_NAME_ERROR = re.compile(r"NameError: name '([A-Za-z_][A-Za-z0-9_]*)' is not defined")
# Names small models use without importing them, each with the one import that defines it.
# Only names with a single conventional meaning are here (no "date": a module or a class).
_IMPORTS: dict[str, str] = {
    "np": "import numpy as np", "numpy": "import numpy", "pd": "import pandas as pd",
    "pandas": "import pandas", "plt": "import matplotlib.pyplot as plt",
    "matplotlib": "import matplotlib", "math": "import math", "json": "import json", "re": "import re",
    "os": "import os", "sys": "import sys", "csv": "import csv", "random": "import random",
    "statistics": "import statistics", "itertools": "import itertools", "functools": "import functools",
    "collections": "import collections", "calendar": "import calendar", "string": "import string",
    "fractions": "import fractions", "decimal": "import decimal", "time": "import time",
    "Counter": "from collections import Counter", "defaultdict": "from collections import defaultdict",
    "deque": "from collections import deque", "OrderedDict": "from collections import OrderedDict",
    "Path": "from pathlib import Path", "Fraction": "from fractions import Fraction",
    "Decimal": "from decimal import Decimal", "timedelta": "from datetime import timedelta",
    "reduce": "from functools import reduce", "sqrt": "from math import sqrt", "gcd": "from math import gcd",
    "factorial": "from math import factorial", "comb": "from math import comb", "pi": "from math import pi",
    "floor": "from math import floor", "ceil": "from math import ceil", "log": "from math import log",
    "permutations": "from itertools import permutations",
    "combinations": "from itertools import combinations",
}


def missing_import_fix(action: Action, failure: Failure) -> tuple[Action, str] | None:
    """The action with the import it lacked, and the reason to record on the failed step; None when
    this is not such an error."""
    if action.kind != "code" or action.language != "python" or failure.kind != "error":
        return None
    found = _NAME_ERROR.findall(failure.detail)
    if not found:
        return None
    name = found[-1]
    line = _IMPORTS.get(name) or _datetime_import(name, action.code)
    if line is None or line in action.code.splitlines():
        return None
    why = f"added the missing import ({line}) and ran it again"
    return replace(action, code=f"{line}\n{action.code}"), why


def _datetime_import(name: str, code: str) -> str | None:
    if name != "datetime":
        return None
    # "datetime.date(...)" is the module; "datetime.now()" / "datetime(2024, ...)" the class.
    if re.search(r"\bdatetime\.(datetime|date|timedelta|time|timezone)\b", code):
        return "import datetime"
    return "from datetime import datetime"


_BRACKET_ERROR = re.compile(r"SyntaxError: (?:unmatched '[)\]}]'|closing parenthesis '.' does not match"
                            r"|'[(\[{]' was never closed)")
_CLOSER = {"(": ")", "[": "]", "{": "}"}


def bracket_fix(action: Action, failure: Failure) -> tuple[Action, str] | None:
    """The action with its brackets balanced, when it failed on a bracket and the balanced program
    compiles; None otherwise."""
    if action.kind != "code" or action.language != "python" or not _BRACKET_ERROR.search(failure.detail):
        return None
    fixed = balanced_brackets(action.code)
    if fixed is None or fixed == action.code:
        return None
    try:
        compile(fixed, "<draft>", "exec")
    except (SyntaxError, ValueError):
        return None
    return replace(action, code=fixed), "balanced its brackets and ran it again"


def balanced_brackets(code: str) -> str | None:
    """The program with each stray closing bracket dropped, each mismatched one made to match, and
    brackets still open at the end of a line closed there (small models miscount them); strings and
    comments are left alone. None when a string is not closed."""
    out: list[str] = []
    stack: list[str] = []
    quote = ""
    index = 0
    while index < len(code):
        char = code[index]
        if quote:
            if char == "\\" and index + 1 < len(code):
                out.append(code[index:index + 2])
                index += 2
                continue
            if code.startswith(quote, index):
                out.append(quote)
                index += len(quote)
                quote = ""
                continue
            if char == "\n" and len(quote) == 1:
                return None
            out.append(char)
        elif char in "'\"":
            quote = code[index:index + 3] if code[index:index + 3] in ("'''", '"""') else char
            out.append(quote)
            index += len(quote)
            continue
        elif char == "#":
            end = code.find("\n", index)
            end = len(code) if end < 0 else end
            out.append(code[index:end])
            index = end
            continue
        elif char in _CLOSER:
            stack.append(char)
            out.append(char)
        elif char in ")]}":
            if stack:
                out.append(_CLOSER[stack.pop()])
            # else: a stray closer is dropped
        elif char == "\n" and stack and not _continues(code, index, stack):
            out.append("".join(_CLOSER[c] for c in reversed(stack)))
            stack.clear()
            out.append(char)
        else:
            out.append(char)
        index += 1
    if quote:
        return None
    out.append("".join(_CLOSER[c] for c in reversed(stack)))
    return "".join(out)


def _continues(code: str, newline: int, stack: list[str]) -> bool:
    """Whether the statement goes on past this line: the line ends in an opener or a comma (a list
    written over several lines), or the next line starts by closing or is indented deeper."""
    line_start = code.rfind("\n", 0, newline) + 1
    line = code[line_start:newline].split("#")[0].rstrip()
    if line.endswith((",", "(", "[", "{", "\\")) or not line:
        return True
    rest = code[newline + 1:]
    following = rest.split("\n", 1)[0]
    stripped = following.lstrip()
    if stripped[:1] in (")", "]", "}"):
        return True
    indent = len(line) - len(line.lstrip())
    return bool(stripped) and len(following) - len(stripped) > indent


def draft_fix(action: Action, failure: Failure) -> tuple[Action, str] | None:
    """A fix made without the model for a failed draft (a missing import, miscounted brackets), and
    the reason to record; None when neither applies."""
    return missing_import_fix(action, failure) or bracket_fix(action, failure)
