"""Paraphrase adaptation: whether a task asks a library example's question in words the library has
already used for that example's program."""

from __future__ import annotations

import functools
import io
import re
import tokenize
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from engine.agent.task_values import Value, values_and_words
from engine.tasktext.signature import TaskSignature, task_signature

__all__ = ["KnownWords", "Reading", "known_words", "paraphrase_pairs", "read_task", "skeleton"]

_MASKS = {"string": ("'x'", "'y'", "'z'"), "number": ("7", "9", "11", "13"), "ordinal": ("7", "9", "11"),
          "run": ("7 and 7", "9 and 9"), "date": ("2000-01-01", "2000-01-02"), "table": ("",),
          "dict": ("[7]", "[9]"), "list": ("[7]", "[9]")}
"""What stands in for the first, second, ... value of each kind when the operations of two tasks are
compared: the same in every task, so that only the words around the values count, and different by
place, so that "7 minus 9" is not "subtract 7 from 9" (the signature puts that as "9 minus 7")."""
_EXTENSION = re.compile(r"\.\w+$")


@dataclass(frozen=True, slots=True)
class Reading:
    """A task as paraphrase adaptation compares it."""

    values: dict[str, tuple[Value, ...]]
    """The task's values by kind, each kind's in the order the task gives them."""
    words: frozenset[str]
    """Its content words (no filler, no values), as adaptation reads them."""
    signature: TaskSignature
    """Its operations and the order of its operands and units, the n-th value of a kind masked alike
    in every task."""
    yes_no: bool


@functools.lru_cache(maxsize=4096)
def read_task(text: str) -> Reading | None:
    """The task's reading, or None when it has no value or more of one kind than can be masked apart.
    Kept: one task is compared with up to 64 templates, and the library's tasks come back task after
    task."""
    values, words = values_and_words(text)
    kinds = Counter(value.kind for value in values)
    if not values or any(count > len(_MASKS[kind]) for kind, count in kinds.items()):
        return None
    by_kind: dict[str, list[Value]] = {}
    for value in values:
        by_kind.setdefault(value.kind, []).append(value)
    masked = text
    for value in sorted(values, key=lambda v: v.span[0], reverse=True):
        start, end = value.span
        place = by_kind[value.kind].index(value)
        mask = _MASKS[value.kind][place]
        if value.kind == "string" and value.text.startswith("/workspace"):
            extension = _EXTENSION.search(value.text)  # a .csv is read otherwise than a .txt
            mask = f"/workspace/f{place}" + (extension.group() if extension else "")
        masked = masked[:start] + mask + masked[end:]
    return Reading({kind: tuple(found) for kind, found in by_kind.items()},
                   frozenset(w for w in words if not w.startswith("<")),
                   task_signature(masked), "<yes-no>" in words)


def skeleton(code: str) -> str:
    """The program with its number and string literals blanked: programs with one skeleton answer
    one question for different values."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return code
    parts = [{tokenize.NUMBER: "#", tokenize.STRING: "''"}.get(t.type, t.string) for t in tokens
             if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)]
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class KnownWords:
    """The content words of the tasks that one program answers."""

    required: frozenset[str]
    """Used by every one of them: a task without one may ask something else ("each word")."""
    allowed: frozenset[str]
    """Used by any of them: a task with another word may ask something else ("what number cubed")."""


def known_words(tasks: Iterable[str]) -> KnownWords:
    """What the tasks answered by one program have in common, and all they have used."""
    readings = [r.words for r in map(read_task, tasks) if r is not None]
    if not readings:
        return KnownWords(frozenset(), frozenset())
    return KnownWords(frozenset.intersection(*readings), frozenset.union(*readings))


def paraphrase_pairs(example_task: str, task: str, known: KnownWords) -> list[tuple[Value, Value]] | None:
    """The example's values paired with the task's, when the task asks the example's question in
    other words: as many values of each kind, the same operations and operand order with
    the values masked, the same yes-or-no form, and its content words between what the tasks
    answered by the example's program all use and what any of them uses (`known`). None otherwise."""
    theirs, ours = read_task(example_task), read_task(task)
    if theirs is None or ours is None or {k: len(v) for k, v in theirs.values.items()} != {
            k: len(v) for k, v in ours.values.items()}:
        return None
    if theirs.yes_no != ours.yes_no or theirs.signature != ours.signature or not ours.signature.clauses:
        return None
    if not known.required or not known.required <= ours.words <= known.allowed:
        # With no word in common, the tasks a program answers say nothing of which words matter
        # ("Take the cube root of 29791" and "What number cubed gives 42875?" are not "47 cubed").
        return None
    return [pair for kind, found in theirs.values.items()
            for pair in zip(found, ours.values[kind], strict=True)]
