"""Exact guards for the semantic cache: task signatures, context keys, nondeterministic code."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

# Words that carry no meaning a cached answer depends on: dropping them lets paraphrases
# ("compute the sum of ..." vs "sum of ...") keep equal signatures.
_FILLER = frozenset("""
a an the of to from in on at by for with and or as is are be was were it its this that these
those there here me my i we you your our us please can could would will shall should do does
did what whats which who how why when where tell give show find get compute calculate
calculated determine work out print output display return produce make generate list read
load open file let need want like just then also using use via program script code snippet function python
number numbers value values result answer all up between through inclusive including range
some any each every one's long much many quick quickly simple simply small short
whether if check string column degree degrees city
""".split())  # noqa: SIM905 - a word block reads better than 120 quoted strings

# Different words for the same operation, so a synonym does not block a paraphrase.
_SYNONYMS = {
    "add": "sum", "total": "sum", "plus": "sum", "addition": "sum", "summ": "sum",
    "mean": "average", "avg": "average",
    "biggest": "max", "largest": "max", "maximum": "max", "greatest": "max", "highest": "max",
    "smallest": "min", "minimum": "min", "least": "min", "lowest": "min",
    "multiply": "product", "times": "product", "multiplied": "product",
    "squar": "square", "cub": "cube",
    "invert": "revers", "backward": "revers", "backwards": "revers",
    "order": "sort", "arrange": "sort",
    "tally": "count", "counting": "count",
    "draw": "plot", "chart": "plot", "graph": "plot", "f": "fahrenheit", "c": "celsius",
    "primes": "prime", "fib": "fibonacci",
    "descend": "descending", "ascend": "ascending", "increasing": "ascending",
    "decreasing": "descending",
}

_SMALL_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
    "thousand": 1000, "million": 1000000, "first": 1, "second": 2, "third": 3, "half": 0.5,
    "double": 2, "twice": 2, "triple": 3,
}

_FILE_RE = re.compile(r"(?<![\w.])([\w-]*\.[A-Za-z][A-Za-z0-9]{0,7})(?![\w.])")
# An ordinal suffix (30th) belongs to its number, not to the words.
_NUMBER_RE = re.compile(r"(?<![\w.])-?\d+(?:,\d{3})*(?:\.\d+)?(?:e-?\d+)?(?:st|nd|rd|th)?")
_WORD_RE = re.compile(r"[a-z][a-z']*")
# "Write a program that ..." asks for the same thing as the bare task.
_REQUEST_RE = re.compile(
    r"\b(?:write|create|make|give me|show me)\s+(?:a|an|some|the)?\s*(?:\w+\s+)?"
    r"(?:program|script|code|function|snippet|one-liner)\b"
)


@dataclass(frozen=True, slots=True)
class TaskSignature:
    """What two tasks must share exactly for one's answer to serve the other."""

    numbers: frozenset[str]
    files: frozenset[str]
    words: frozenset[str]
    negated: bool

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict (for debugging and the bench)."""
        return {"numbers": sorted(self.numbers), "files": sorted(self.files),
                "words": sorted(self.words), "negated": self.negated}


def _number(text: str) -> str:
    text = text.rstrip("stndrh")
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return text
    # 10, 10.0 and 1e1 are the same number; normalise() drops trailing zeros.
    return format(value.normalize(), "f")


def _stem(word: str) -> str:
    # A crude suffix stripper: both sides get the same treatment, so it need not be correct
    # English, only consistent (squares, squared, square -> squar).
    word = word.strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + keep
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def task_signature(text: str) -> TaskSignature:
    """Numbers, file names and content words of a task, normalised for exact comparison."""
    lowered = text.lower()
    files = frozenset(m.group(1) for m in _FILE_RE.finditer(lowered) if not m.group(1)[0].isdigit())
    without_files = _REQUEST_RE.sub(" ", _FILE_RE.sub(" ", lowered))
    numbers = {_number(m.group(0)) for m in _NUMBER_RE.finditer(without_files)}
    words: set[str] = set()
    negated = False
    for raw in _WORD_RE.findall(_NUMBER_RE.sub(" ", without_files)):
        if raw in ("not", "no", "without", "except", "excluding", "never", "don't", "doesn't"):
            negated = True
            continue
        if raw in _SMALL_NUMBERS:
            numbers.add(_number(str(_SMALL_NUMBERS[raw])))
            continue
        if raw in _FILLER:
            continue
        stem = _stem(raw)
        if stem in _FILLER:
            continue
        words.add(_stem(_SYNONYMS.get(raw) or _SYNONYMS.get(stem) or stem))
    return TaskSignature(frozenset(numbers), files, frozenset(words), negated)


def guard_allows(task: str, candidate: str) -> bool:
    """True when two tasks agree on every number, file name and operation word."""
    return task_signature(task) == task_signature(candidate)


def context_key(
    *, model_identity: str, system_prompt: str, mode: str, sampling: dict[str, Any],
    prefix: Iterable[tuple[str, str]],
) -> str:
    """Hash of everything besides the task that shapes the answer."""
    payload = {
        "model": model_identity, "system": system_prompt, "mode": mode,
        "sampling": sampling, "prefix": [list(m) for m in prefix],
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


_NONDETERMINISTIC = re.compile(
    r"""
    \b(?:import|from)\s+(?:random|secrets|uuid|time)\b       # the modules themselves
    | \bimport\s+[\w.,\s]*\b(?:random|secrets|uuid|time)\b
    | \b(?:random|secrets|uuid)\.\w+
    | \btime\.(?:time|time_ns|perf_counter|monotonic|localtime|gmtime|ctime|strftime)\b
    | \.(?:now|utcnow|today)\s*\(
    | \bos\.urandom\b | \burandom\s*\(
    | \b(?:np|numpy)\.random\b
    | \bfrom\s+numpy\s+import\s+random\b
    | \$RANDOM\b | ^\s*date(?:\s+\+|\s*$) | /dev/u?random     # shell
    """,
    re.VERBOSE | re.MULTILINE,
)


def is_nondeterministic(codes: Sequence[str]) -> bool:
    """True if any code reads the clock or a random source, so its output may differ next time."""
    return any(_NONDETERMINISTIC.search(code) for code in codes)
