"""Builders of the Python that answers a question about a list, for the questions whose answer needs a
look at the values first (repeats, ties, case) to be sure it is the one asked for."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                  "eighth": 8, "ninth": 9, "tenth": 10}


@dataclass(frozen=True, slots=True)
class Given:
    """The lists (L0, L1...), numbers (N0..., ordinals K0... by their N index) and items (S0...) a task
    gives, and the flags its phrases set (sorted, keep-order, distinct, ignore-case)."""

    lists: list[list[object]]
    numbers: list[float]
    items: list[str]
    flags: frozenset[str]


Build = Callable[[re.Match[str], Given], "str | None"]


__all__ = ["Build", "Given", "deduplicated", "flattened", "item", "longest", "mode", "one", "positions",
           "ranked", "set_op", "smallest_few", "sorted_numbers", "sorted_words", "two"]


def _list(match: re.Match[str], given: Given, name: str = "l") -> list[object]:
    return given.lists[int(match.group(name)[1:])]


def _n(match: re.Match[str], given: Given) -> int | float:
    return _number(given.numbers[int(match.group("n")[1:])])


def item(match: re.Match[str], given: Given) -> object:
    """The item a phrase names (group v): a number or a quoted string."""
    mark = match.group("v")
    return given.items[int(mark[1:])] if mark[0] == "S" else _number(given.numbers[int(mark[1:])])


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def one(code: str, numbers_only: bool = False, words_only: bool = False) -> Build:
    """An operation on the one list `l` (and a number `n` when the phrase names one)."""
    def build(match: re.Match[str], given: Given) -> str | None:
        values = _list(match, given)
        if numbers_only and not all(isinstance(v, int | float) for v in values):
            return None
        if words_only and not all(isinstance(v, str) for v in values):
            return None
        head = f"l = {values!r}\n"
        if match.groupdict().get("n"):
            head += f"n = {_n(match, given)!r}\n"
        if match.groupdict().get("v"):
            head += f"v = {item(match, given)!r}\n"
        return head + code
    return build


def two(code: str) -> Build:
    """An operation on two lists `a` and `b`."""
    def build(match: re.Match[str], given: Given) -> str | None:
        return f"a = {_list(match, given)!r}\nb = {_list(match, given, 'm')!r}\n{code}"
    return build


def ranked(match: re.Match[str], given: Given) -> str | None:
    """The k-th largest or smallest: answered when repeats do not change it, or the task says distinct."""
    values = _list(match, given)
    if not values or not all(isinstance(v, int | float) for v in values):
        return None
    word = match.group("k")
    place = _ORDINAL_WORDS[word] if word in _ORDINAL_WORDS else int(given.numbers[int(word[1:])])
    largest = match.group("way") in ("largest", "biggest", "highest", "greatest", "max")
    ranked = sorted(values, reverse=largest)  # type: ignore[type-var]
    distinct = sorted(set(values), reverse=largest)  # type: ignore[type-var]
    if place > len(ranked):
        return None
    if "distinct" in given.flags or match.groupdict().get("distinct"):
        if place > len(distinct):
            return None
        return f"l = {values!r}\nprint(sorted(set(l), reverse={largest})[{place - 1}])"
    if place > len(distinct) or ranked[place - 1] != distinct[place - 1]:
        return None
    return f"l = {values!r}\nprint(sorted(l, reverse={largest})[{place - 1}])"


def smallest_few(match: re.Match[str], given: Given) -> str | None:
    """The n smallest (or largest) values, smallest (largest) first."""
    values = _list(match, given)
    if not all(isinstance(v, int | float) for v in values):
        return None
    largest = match.group("way") in ("largest", "biggest", "highest", "greatest")
    return f"l = {values!r}\nprint(sorted(l, reverse={largest})[:{_n(match, given)}])"


def positions(match: re.Match[str], given: Given) -> str | None:
    """Every 0-based position of an item: only when the task says 0-based."""
    if "zero-based" not in given.flags:
        return None
    return (f"l = {_list(match, given)!r}\nv = {item(match, given)!r}\n"
            "print([i for i, x in enumerate(l) if x == v])")


def flattened(match: re.Match[str], given: Given) -> str | None:
    """A list of lists made one list: only one level deep (deeper lists would be left nested)."""
    values = _list(match, given)
    if not all(isinstance(part, list) and not any(isinstance(x, list) for x in part) for part in values):
        return None
    return f"l = {values!r}\nprint([x for part in l for x in part])"


def deduplicated(match: re.Match[str], given: Given) -> str | None:
    """Repeats removed, in the order of first appearance (sorted when the task says so, or when
    that is the same list)."""
    values = _list(match, given)
    kept = list(dict.fromkeys(values))
    if "sorted" in given.flags:
        return f"l = {values!r}\nprint(sorted(set(l)))"
    if "keep-order" not in given.flags and kept != sorted(kept, key=repr) and \
            not all(isinstance(v, int | float) for v in values):
        return None
    return f"l = {values!r}\nprint(list(dict.fromkeys(l)))"



def mode(match: re.Match[str], given: Given) -> str | None:
    values = _list(match, given)
    ranked = Counter(values).most_common()
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return f"from statistics import mode\nl = {values!r}\nprint(mode(l))"


def longest(match: re.Match[str], given: Given) -> str | None:
    values = _list(match, given)
    if not values or not all(isinstance(v, str) for v in values):
        return None
    lengths = sorted((len(str(v)) for v in values), reverse=True)
    if len(lengths) > 1 and lengths[0] == lengths[1]:
        return None
    way = "max" if match.group("way") == "longest" else "min"
    return f"l = {values!r}\nprint({way}(l, key=len))"


def set_op(operator: str) -> Build:
    """Intersection, union or difference: in sorted order (as sets have none) when the task says
    sorted or the first list's order gives the same."""
    def build(match: re.Match[str], given: Given) -> str | None:
        a, b = _list(match, given), _list(match, given, "m")
        if operator == "-":
            return f"a = {a!r}\nb = {b!r}\nprint([x for x in a if x not in b])"
        try:
            result = sorted(set(a) & set(b) if operator == "&" else set(a) | set(b))  # type: ignore[type-var]
        except TypeError:
            return None
        in_order = [x for x in dict.fromkeys(a + b) if x in result]
        if "sorted" not in given.flags and in_order != result:
            return None
        return f"a = {a!r}\nb = {b!r}\nprint(sorted(set(a) {operator} set(b)))"
    return build


def sorted_words(match: re.Match[str], given: Given) -> str | None:
    """Words in alphabetical order; when case would change the order, only if the task says to
    ignore it (then sorted by lowercase, spelling kept)."""
    values = _list(match, given)
    if not all(isinstance(v, str) for v in values):
        return None
    reverse = bool(match.groupdict().get("reverse"))
    folded = "ignore-case" in given.flags
    words = [str(v) for v in values]
    if not folded and sorted(words, key=str.lower) != sorted(words):
        return None
    key = ", key=str.lower" if folded else ""
    return f"l = {values!r}\nprint(sorted(l{key}, reverse={reverse}))"


def sorted_numbers(reverse: bool) -> Build:
    def build(match: re.Match[str], given: Given) -> str | None:
        values = _list(match, given)
        if not values or not all(isinstance(v, int | float) for v in values):
            return None
        return f"l = {values!r}\nprint(sorted(l, reverse={reverse}))"
    return build
