"""take_out_collections(): an example's dicts, lists, tables and labelled numbers cut out of its program."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable

from engine.agent.task_values import PLACEHOLDER, Value

__all__ = ["take_out_collections"]

_Span = Callable[[ast.expr], tuple[int, int] | None]
_Cut = tuple[int, int, str]
"""Where in the program a value is written, and what goes there instead."""


def take_out_collections(code: str, pairs: list[tuple[Value, Value]]) -> tuple[str | None, list[str]]:
    """The program with each example dict or list (or the string holding it as JSON, or for labelled
    numbers the list of labels and the list of numbers) cut out for a placeholder, and what goes back
    in its place; None when one is not written once."""
    wanted = [(old, new) for old, new in pairs if old.kind in ("dict", "list", "table")]
    if not wanted:
        return code, []
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None, []
    lines = code.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def span_of(node: ast.expr) -> tuple[int, int] | None:
        if node.end_lineno is None or node.end_col_offset is None:
            return None
        return (starts[node.lineno - 1] + _char_offset(lines[node.lineno - 1], node.col_offset),
                starts[node.end_lineno - 1] + _char_offset(lines[node.end_lineno - 1], node.end_col_offset))

    spans: list[_Cut] = []
    for old, new in wanted:
        hits = [(*where, literal) for node in ast.walk(tree) if isinstance(node, ast.expr)
                if (literal := _literal_for(node, old, new)) is not None
                and (where := span_of(node)) is not None]
        if not hits and _labelled(old) and _labelled(new):
            lists = _labels_and_numbers(tree, old, new, span_of)
            if lists is None:
                return None, []
            spans.extend(lists)
            continue
        if len(hits) != 1:
            return None, []
        spans.append(hits[0])
    if _names_what_task_lacks(tree, pairs, wanted, spans, span_of):
        return None, []
    filled: list[str] = []
    for index, (start, end, literal) in enumerate(sorted(spans, reverse=True)):
        code = code[:start] + PLACEHOLDER.format(index) + code[end:]
        filled.append(literal)
    return code, filled


def _names_what_task_lacks(tree: ast.Module, pairs: list[tuple[Value, Value]],
                           wanted: list[tuple[Value, Value]], spans: list[_Cut], span_of: _Span) -> bool:
    """Whether the program, outside the values cut out, names one of the example's labels
    (data["rent"]) or a column of the example's table that the task's table lacks at that place."""
    lacking = {label.lower() for old, _ in wanted for label in _labels(old)}
    lacking -= {old.text.lower() for old, _ in pairs if old.kind == "string"}  # the task names its own
    for old, new in wanted:
        if old.kind == "table":
            theirs, ours = _columns(str(old.parsed)), _columns(str(new.parsed))
            lacking |= {name for name, mine in zip(theirs, ours, strict=True) if name != mine}
    for node in ast.walk(tree):
        name = (node.value if isinstance(node, ast.Constant) and isinstance(node.value, str)
                else node.attr if isinstance(node, ast.Attribute) else None)
        if (isinstance(node, ast.expr) and name is not None and name.strip().lower() in lacking
                and (where := span_of(node)) is not None
                and not any(start <= where[0] and where[1] <= end for start, end, _ in spans)):
            return True
    return False


def _labels(value: Value) -> list[str]:
    """A labelled-numbers value's labels; none for any other value."""
    if not _labelled(value) or not isinstance(value.parsed, dict):
        return []
    return [str(label) for label in value.parsed]


def _labelled(value: Value) -> bool:
    """Whether a dict value maps names to numbers ("Jan 120, Feb 95, Mar 143" or {"a": 1, "b": 2})."""
    return (value.kind == "dict" and isinstance(value.parsed, dict) and all(
        isinstance(n, int | float) and not isinstance(n, bool) for n in value.parsed.values()))


def _labels_and_numbers(tree: ast.Module, old: Value, new: Value, span_of: _Span) -> list[_Cut] | None:
    """Where the program writes the example's labels as one list and its numbers as another
    (ax.bar(["Jan", "Feb"], [120, 95])), each with the task's list to put there; None unless each
    is written once."""
    assert isinstance(old.parsed, dict) and isinstance(new.parsed, dict)
    found: list[_Cut] = []
    for wanted, replacement in ((list(old.parsed), list(new.parsed)),
                                (list(old.parsed.values()), list(new.parsed.values()))):
        hits = []
        for node in ast.walk(tree):
            if isinstance(node, ast.List) and (where := span_of(node)) is not None:
                try:
                    if ast.literal_eval(node) == wanted:
                        hits.append((*where, repr(replacement)))
                except ValueError:
                    continue
        if len(hits) != 1:
            return None
        found.append(hits[0])
    return found


def _literal_for(node: ast.expr, old: Value, new: Value) -> str | None:
    """What replaces `node` when it is the example's collection: the task's, written as the program
    wrote the example's (a dict or list display, or a JSON string)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and old.kind == "table":
        header, rows = str(new.parsed).split("\n", 1)
        if node.value.strip() != old.parsed or len(_columns(header)) != len(_columns(str(old.parsed))):
            return None  # another table, or one with more or fewer columns
        # The program's own header: "Item, Qty" names the columns "item,qty" names. Columns named
        # otherwise keep the task's names: the caller checks the program names none of the example's.
        same = _columns(header) == _columns(str(old.parsed))
        table = (str(old.parsed).split("\n")[0] if same else header) + "\n" + rows
        return repr(table + ("\n" if node.value.endswith("\n") else ""))
    if old.kind == "table":
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            if json.loads(node.value) == old.parsed:
                return repr(json.dumps(new.parsed))
        except ValueError:
            return None
        return None
    if not isinstance(node, ast.Dict | ast.List):
        return None
    try:
        if ast.literal_eval(node) != old.parsed:
            return None
    except ValueError:
        return None
    return repr(new.parsed)


def _columns(table: str) -> list[str]:
    """A table's column names, from its first line."""
    return [name.strip().lower() for name in table.split("\n", 1)[0].split(",")]


def _char_offset(line: str, utf8_offset: int) -> int:
    return len(line.encode("utf-8")[:utf8_offset].decode("utf-8", errors="replace"))
