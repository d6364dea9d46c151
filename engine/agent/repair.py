"""Fixes the agent makes without a model call: a missing import for a well-known name."""

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
