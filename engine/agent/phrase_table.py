"""Question phrases written with marks for the task's values (S, T, L, N...), compiled to regular
expressions, and the helpers the readers that use them share: read whole or not at all, yes or no."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

__all__ = ["all_read", "alternatives", "as_yes_no", "compile_phrases", "first_reading", "lowered",
           "mask_flags"]

Build = TypeVar("Build")


def alternatives(pattern: str) -> list[str]:
    """The pattern's top-level alternatives: each may name its value groups once."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(pattern):
        escaped = index > 0 and pattern[index - 1] == "\\"
        if char == "(" and not escaped:
            depth += 1
        elif char == ")" and not escaped:
            depth -= 1
        elif char == "|" and depth == 0 and not escaped:
            parts.append(pattern[start:index])
            start = index + 1
    return [*parts, pattern[start:]]


def compile_phrases(phrases: Iterable[tuple[str, Build, bool]], marks: dict[str, str]
                    ) -> tuple[tuple[re.Pattern[str], Build, bool], ...]:
    """Each phrase's alternatives compiled: a space stands for any run of whitespace, and each mark
    letter (S, L, N...) for the group `marks` gives it."""
    compiled = []
    marks = {mark: pattern.replace(" ", r"\s+") for mark, pattern in marks.items()}
    for phrase, build, yes_no in phrases:
        for part in alternatives(phrase):
            pattern = part.replace(" ", r"\s+")
            # a mark stands alone: not the P of "(?P<name>", not inside a word
            pattern = re.sub(r"(?<![\\\w])[" + "".join(marks) + r"](?![\w<])", lambda m: marks[m.group()],
                             pattern)
            compiled.append((re.compile(pattern), build, yes_no))
    return tuple(compiled)


def mask_flags(text: str, flags: Iterable[tuple[str, str]]) -> tuple[str, frozenset[str]]:
    """The text without the phrases that set a flag ("ignoring case"), and the flags they set."""
    found = set()
    for pattern, flag in flags:
        text, count = re.subn(pattern.replace(" ", r"\s+"), " ", text, flags=re.IGNORECASE)
        if count:
            found.add(flag)
    return text, frozenset(found)


def lowered(masked: str, marks: str) -> str:
    """The masked task in lowercase but for its marks (a letter of `marks` and a digit: S0, L1), with
    no space before punctuation ("S0 ," reads as "S0,")."""
    masked = re.sub(r"[A-Za-z0-9'-]+", lambda m: m.group() if re.fullmatch(f"[{marks}]\\d", m.group())
                    else m.group().lower(), masked)
    return re.sub(r"\s+([,.;:?!])", r"\1", masked)


def all_read(left: str, marks: str, filler: frozenset[str]) -> bool:
    """Whether what a phrase left of the task is only filler words: no value (mark) and no other word."""
    return not re.search(rf"\b[{marks}]\d\b", left) and all(
        w in filler for w in re.findall(r"[a-z]+(?:'[a-z]+)?", left))


def first_reading(masked: str, phrases: Iterable[tuple[re.Pattern[str], Build, bool]],
                  all_read: Callable[[str], bool]) -> tuple[re.Match[str], Build, bool] | None:
    """The first phrase that matches the masked task with nothing left unread beside it."""
    for question, build, yes_no in phrases:
        for match in question.finditer(masked):
            if all_read(masked[:match.start()] + " " + masked[match.end():]):
                return match, build, yes_no
    return None


def as_yes_no(code: str, task: str) -> str:
    """The program's last line prints a bool; printed as the task asks: yes/no when it says so,
    True/False when it says so, else both ("Yes (True)")."""
    head, _, last = code.rpartition("\n")
    value = last.removeprefix("print(").removesuffix(")")
    if re.search(r"\byes\b[^.?]*\bno\b", task, re.IGNORECASE):
        return f"{head}\nprint('yes' if {value} else 'no')"
    if re.search(r"\btrue\b[^.?]*\bfalse\b", task, re.IGNORECASE):
        return code
    return f"{head}\nanswer = {value}\nprint(('Yes' if answer else 'No') + f' ({{answer}})')"
