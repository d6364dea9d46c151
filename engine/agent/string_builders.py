"""Builders of the Python that answers a question about a quoted string, one per kind of question that
needs more than a one-line expression, or a look at the values to know the question has one answer."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "Build",
    "Given",
    "anagrams",
    "counted_char",
    "counted_word",
    "hashed",
    "indexed",
    "levenshtein",
    "longest_word",
    "most_common",
    "numeric",
    "one",
    "padded",
    "pair",
    "palindrome",
    "replaced",
    "run_length",
    "shifted",
    "title_cased",
    "with_number",
]


@dataclass(frozen=True, slots=True)
class Given:
    """The strings (S0, S1...) and numbers (N0...) a task gives, and what it says about them."""

    strings: list[str]
    numbers: list[int]
    flags: frozenset[str]
    """ignore-case, ignore-spaces, ignore-punctuation, overlapping: said anywhere in the task."""


Build = Callable[[re.Match[str], Given], "str | None"]


def _value(match: re.Match[str], given: Given, name: str = "s") -> str:
    return given.strings[int(match.group(name)[1:])]


def _number(match: re.Match[str], given: Given) -> int:
    return given.numbers[int(match.group("n")[1:])]


def one(code: str) -> Build:
    """An operation on the one string `s`: `code` uses `s`."""
    def build(match: re.Match[str], given: Given) -> str | None:
        return f"s = {_value(match, given)!r}\n{code}"
    return build


def pair(code: str) -> Build:
    """An operation on two strings `s` and `t`."""
    def build(match: re.Match[str], given: Given) -> str | None:
        return f"s, t = {_value(match, given)!r}, {_value(match, given, 't')!r}\n{code}"
    return build


def with_number(code: str) -> Build:
    """An operation on a string `s` and a number `n`."""
    def build(match: re.Match[str], given: Given) -> str | None:
        return f"s = {_value(match, given)!r}\nn = {_number(match, given)}\n{code}"
    return build


def numeric(code: str) -> Build:
    """An operation on a number `n` alone (a character code)."""
    def build(match: re.Match[str], given: Given) -> str | None:
        return f"n = {_number(match, given)}\n{code}"
    return build


def counted_char(match: re.Match[str], given: Given) -> str | None:
    """How many times a character or text occurs in the string: overlapping matches when the task
    says so, else answered only when overlapping and separate counts agree; case as written unless
    the task says to ignore it, and then only if that is what it changes."""
    needle, haystack = _value(match, given, "t"), _value(match, given)
    if not needle:
        return None
    if "ignore-case" in given.flags:
        needle, haystack = needle.lower(), haystack.lower()
    separate = haystack.count(needle)
    overlapping = sum(haystack.startswith(needle, i) for i in range(len(haystack)))
    lower = "lower()" if "ignore-case" in given.flags else ""
    head = f"s = {_value(match, given)!r}{'.' + lower if lower else ''}\nt = {needle!r}\n"
    if "overlapping" in given.flags:
        return head + "print(sum(s.startswith(t, i) for i in range(len(s))))"
    return None if separate != overlapping else head + "print(s.count(t))"


def counted_word(match: re.Match[str], given: Given) -> str | None:
    """How many times a word occurs as a word: answered when its count does not depend on case, or
    the task says to ignore case."""
    word, text = _value(match, given, "t"), _value(match, given)
    pattern = rf"\b{re.escape(word)}\b"
    if not re.fullmatch(r"\w+", word):
        return None
    ignore = "ignore-case" in given.flags
    if not ignore and len(re.findall(pattern, text)) != len(re.findall(pattern, text, re.IGNORECASE)):
        return None
    return (f"import re\ns = {text!r}\n"
            f"print(len(re.findall({pattern!r}, s{', re.IGNORECASE' if ignore else ''})))")


def palindrome(match: re.Match[str], given: Given) -> str | None:
    """Whether the string reads the same backwards; when case, spaces or punctuation would change
    that, only if the task says to ignore them."""
    s = _value(match, given)
    cleaned = [c.lower() for c in s if c.isalnum()]
    if given.flags & {"ignore-case", "ignore-spaces", "ignore-punctuation"}:
        return f"s = {s!r}\nkept = [c.lower() for c in s if c.isalnum()]\nprint(kept == kept[::-1])"
    if (s == s[::-1]) != (cleaned == cleaned[::-1]):
        return None
    return f"s = {s!r}\nprint(s == s[::-1])"


def anagrams(match: re.Match[str], given: Given) -> str | None:
    """Whether two strings hold the same letters; answered when case and spaces do not change that."""
    a, b = _value(match, given), _value(match, given, "t")
    if (sorted(a) == sorted(b)) != (sorted(a.lower().replace(" ", "")) == sorted(b.lower().replace(" ", ""))):
        return None
    return f"a, b = {a!r}, {b!r}\nprint(sorted(a) == sorted(b))"


def replaced(match: re.Match[str], given: Given) -> str | None:
    old, new, text = _value(match, given, "t"), _value(match, given, "u"), _value(match, given)
    return f"s = {text!r}\nprint(s.replace({old!r}, {new!r}))" if old and old in text else None


def most_common(match: re.Match[str], given: Given) -> str | None:
    """The letter that occurs most often; no answer when two tie."""
    s = _value(match, given)
    ranked = Counter(c for c in s if c.isalpha()).most_common()
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ("from collections import Counter\n"
            f"s = {s!r}\nprint(Counter(c for c in s if c.isalpha()).most_common(1)[0][0])")


def longest_word(match: re.Match[str], given: Given) -> str | None:
    """The longest word (letters and apostrophes); no answer when two tie."""
    s = _value(match, given)
    lengths = sorted((len(w) for w in re.findall(r"[A-Za-z']+", s)), reverse=True)
    if not lengths or (len(lengths) > 1 and lengths[0] == lengths[1]):
        return None
    return f"import re\ns = {s!r}\nprint(max(re.findall(r\"[A-Za-z']+\", s), key=len))"


def shifted(match: re.Match[str], given: Given) -> str | None:
    """A Caesar shift of the letters by N (back when decoding), case kept, other characters as they are."""
    shift = -_number(match, given) if match.groupdict().get("back") else _number(match, given)
    return "\n".join([f"s = {_value(match, given)!r}",
                      f"print(''.join(chr((ord(c) - base + {shift}) % 26 + base)"
                      " if c.isascii() and c.isalpha() else c"
                      " for c in s for base in [ord('a') if c.islower() else ord('A')]))"])


def title_cased(match: re.Match[str], given: Given) -> str | None:
    """Each word's first letter capitalised, the rest lowercase (words split at spaces)."""
    return f"import string\ns = {_value(match, given)!r}\nprint(string.capwords(s, ' '))"


def indexed(match: re.Match[str], given: Given) -> str | None:
    """Where a text first (or last) occurs, 0-based."""
    needle, text = _value(match, given, "t"), _value(match, given)
    if needle not in text:
        return None
    find = "rfind" if match.groupdict().get("last") else "find"
    return f"s = {text!r}\nprint(s.{find}({needle!r}))"


def levenshtein(match: re.Match[str], given: Given) -> str | None:
    """The edit distance (insertions, deletions, substitutions) between two strings."""
    return "\n".join([f"a, b = {_value(match, given)!r}, {_value(match, given, 't')!r}",
                      "row = list(range(len(b) + 1))",
                      "for i, x in enumerate(a, 1):",
                      "    previous, row[0] = row[0], i",
                      "    for j, y in enumerate(b, 1):",
                      "        previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1,"
                      " previous + (x != y))",
                      "print(row[-1])"])


def padded(method: str) -> Build:
    """The string justified or centred in a width N with a fill character T."""
    def build(match: re.Match[str], given: Given) -> str | None:
        fill = _value(match, given, "t")
        if len(fill) != 1:
            return None
        return f"s = {_value(match, given)!r}\nprint(s.{method}({_number(match, given)}, {fill!r}))"
    return build


def run_length(match: re.Match[str], given: Given) -> str | None:
    """Run-length encoding, each character followed by its count: only when the task says that form."""
    if "char-then-count" not in given.flags:
        return None
    return ("from itertools import groupby\n"
            f"s = {_value(match, given)!r}\nprint(''.join(f'{{c}}{{len(list(g))}}' for c, g in groupby(s)))")


def hashed(match: re.Match[str], given: Given) -> str | None:
    """The hex digest of the string's UTF-8 bytes (its first N characters when asked)."""
    algorithm = match.group("algo").replace("-", "")
    first = match.groupdict().get("n")
    cut = f"[:{_number(match, given)}]" if first else ""
    return (f"import hashlib\ns = {_value(match, given)!r}\n"
            f"print(hashlib.{algorithm}(s.encode('utf-8')).hexdigest(){cut})")
