"""An example's program for "the second largest" rewritten for "the third largest": its one index."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import NamedTuple

from engine.run import WorkedExample
from engine.tasktext.words import ORDINAL_WORDS

__all__ = ["Reordered", "reindexed", "with_tasks_ordinal"]

_HIGHEST = 10
_ORDINAL = re.compile(r"\b(" + "|".join(word for word, place in ORDINAL_WORDS.items() if place <= _HIGHEST)
                      + r")\b", re.IGNORECASE)


class Reordered(NamedTuple):
    """An example asking for the task's place; its program still indexes the example's own."""

    template: WorkedExample
    old: int
    new: int


def with_tasks_ordinal(template: WorkedExample, task: str) -> Reordered | None:
    """The example as if it asked for the task's place ("third" for its "second"), for a program that
    reindexed() rewrites once its values are the task's. None unless each names one ordinal in words
    (second to tenth), they differ, and the program has exactly one index for the example's place
    (the [-2] of "second largest"; with a second index of that value, which is which is a guess)."""
    theirs, ours = _ORDINAL.findall(template.task), _ORDINAL.findall(task)
    if len(theirs) != 1 or len(ours) != 1 or template.language == "bash":
        return None
    old, new = ORDINAL_WORDS[theirs[0].lower()], ORDINAL_WORDS[ours[0].lower()]
    if old == new or reindexed(template.code, old, new) is None:
        return None
    return Reordered(replace(template, task=_ORDINAL.sub(ours[0].lower(), template.task)), old, new)


def reindexed(code: str, old: int, new: int) -> str | None:
    """The program with its one index for place `old` ([old - 1] or [-old]) made one for `new`."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    spots: list[tuple[ast.expr, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Subscript):
            continue
        index = node.slice
        if isinstance(index, ast.Constant) and type(index.value) is int and index.value == old - 1:
            spots.append((index, str(new - 1)))
        elif isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub) \
                and isinstance(index.operand, ast.Constant) and index.operand.value == old:
            spots.append((index, f"-{new}"))
    if len(spots) != 1:
        return None
    node, text = spots[0]
    if node.end_lineno != node.lineno or node.end_col_offset is None:
        return None
    lines = code.splitlines(keepends=True)
    line = lines[node.lineno - 1].encode()  # ast offsets count UTF-8 bytes
    lines[node.lineno - 1] = (line[:node.col_offset] + text.encode() + line[node.end_col_offset:]).decode()
    return "".join(lines)
