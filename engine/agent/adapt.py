"""adapt_program(): a worked example's program rewritten for a task that differs only in its values."""

from __future__ import annotations

import io
import re
import tokenize
from collections import Counter
from dataclasses import dataclass

_QUOTED = re.compile(r"'([^'\n]+)'|\"([^\"\n]+)\"|\u201c([^\u201d\n]+)\u201d|\u2018([^\u2019\n]+)\u2019")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b|\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2}),\s*(\d{4})\b",
                   re.IGNORECASE)
"""A date, as 2024-02-10 or February 10, 2024: one value, written in programs as date(2024, 2, 10)."""
_NUMBER = r"-?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
_RUN = re.compile(rf"(?<![\w.]){_NUMBER}(?:(?:\s*,\s+(?:and\s+)?|\s+and\s+){_NUMBER})+(?!\w|\.\d)")
"""Two or more numbers in a row ("12, 5, 9 and 21"; "462 and 1071"): one value, a list."""
_SINGLE = re.compile(rf"(?<![\w.]){_NUMBER}(?!\w|\.\d)")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_WORD = re.compile(r"[a-z]+")
_FILLER = frozenset((
    "a", "an", "the", "of", "is", "are", "was", "be", "what", "whats", "how", "many", "much", "find",
    "compute", "calculate", "give", "me", "tell", "please", "in", "to", "for", "there", "and", "with",
    "between", "from", "this", "these", "that", "those", "it", "its", "do", "does", "using", "python",
    "value", "result", "number", "numbers", "list", "get", "show",
))
"""Words that do not change what a task asks; all other words must be the same in both tasks."""
_FREE_CONSTANT = 2.0
"""A number in the program that is not one of its task's values must be this small (an exponent of
0.5, a start of 1); a larger one (1001 for "1 to 1000") was derived from the task's values, and a
program with it cannot be adapted by substitution."""


@dataclass(frozen=True, slots=True)
class _Value:
    kind: str
    """"string" (quoted), "date", "run" (several numbers) or "number"."""
    text: str
    numbers: tuple[str, ...] = ()


def adapt_program(example_task: str, code: str, task: str) -> str | None:
    """The example's Python program with the example task's values replaced by the task's, when the
    two tasks ask the same thing (the same words once values and filler words are left out) with
    values of the same kinds in the same order; None when that does not hold or the program has a
    value that is not the example task's (then substitution would be a guess)."""
    example_values, example_words = _values_and_words(example_task)
    values, words = _values_and_words(task)
    if example_words != words or not example_values:
        return None
    if [v.kind for v in example_values] != [v.kind for v in values]:
        return None
    pairs = list(zip(example_values, values, strict=True))
    for old, new in pairs:
        if old.kind in ("run", "date"):
            replaced = _replace_run(code, old.numbers, new.numbers)
            if replaced is None:
                return None
            code = replaced
    return _replace_tokens(code, pairs)


def _values_and_words(text: str) -> tuple[list[_Value], frozenset[str]]:
    found: list[tuple[int, _Value]] = []
    for match in _QUOTED.finditer(text):
        found.append((match.start(), _Value("string", next(g for g in match.groups() if g is not None))))
    rest = _QUOTED.sub(lambda m: " " * len(m.group()), text)
    for match in _DATE.finditer(rest):
        year, month, day = ((match[1], match[2], match[3]) if match[1] else
                            (match[6], str(_MONTHS.index(match[4].lower()) + 1), match[5]))
        found.append((match.start(), _Value("date", match.group(), (year, month, day))))
    rest = _DATE.sub(lambda m: " " * len(m.group()), rest)
    for match in _RUN.finditer(rest):
        numbers = tuple(_PLAIN_NUMBER.findall(re.sub(r"(\d),(\d{3})", r"\1\2", match.group())))
        found.append((match.start(), _Value("run", match.group(), numbers)))
    rest = _RUN.sub(lambda m: " " * len(m.group()), rest)
    for match in _SINGLE.finditer(rest):
        found.append((match.start(), _Value("number", match.group().replace(",", ""))))
    rest = _SINGLE.sub(" ", rest)
    words = frozenset(_stem(w) for w in _WORD.findall(rest.lower()) if w not in _FILLER)
    return [value for _, value in sorted(found, key=lambda f: f[0])], words


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _as_code(number: str) -> str:
    """A task's number as a Python literal ("007" is not one)."""
    return str(int(number)) if re.fullmatch(r"-?\d+", number) else number


def _value_of(literal: str) -> float | None:
    try:
        return float(literal.replace("_", ""))
    except ValueError:
        return None


def _replace_run(code: str, old: tuple[str, ...], new: tuple[str, ...]) -> str | None:
    """`old` written out once in the program (a list, or a date's year, month and day) becomes `new`."""
    pattern = r"(?<![\w.])" + r"\s*,\s*".join(re.escape(_as_code(n)) for n in old) + r"(?![\w.])"
    if len(re.findall(pattern, code)) != 1:
        return None  # the list is not written out once in the program
    return re.sub(pattern, lambda _: ", ".join(_as_code(n) for n in new), code)


def _replace_tokens(code: str, pairs: list[tuple[_Value, _Value]]) -> str | None:
    numbers: dict[float, str] = {}
    for old, new in pairs:
        if old.kind == "number":
            key = _value_of(old.text)
            if key is None or numbers.get(key, new.text) != new.text:
                return None  # one value of the example stands for two of the task's
            numbers[key] = _as_code(new.text)
    strings = [(old.text, new.text) for old, new in pairs if old.kind == "string"]
    in_runs = {_value_of(n) for _, new in pairs if new.kind in ("run", "date") for n in new.numbers}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    in_code = Counter(_value_of(t.string) for t in tokens if t.type == tokenize.NUMBER)
    in_task = Counter(_value_of(old.text) for old, _ in pairs if old.kind == "number")
    if any(in_code[key] > in_task[key] and _value_of(new) != key for key, new in numbers.items()):
        return None  # the program uses the value on its own account too (the 1 of range(1, n))
    used_numbers: set[float] = set()
    used_strings: set[str] = set()
    rewritten: list[tokenize.TokenInfo] = []
    for token in tokens:
        if token.type == tokenize.NUMBER:
            value = _value_of(token.string)
            if value is not None and value in numbers:
                used_numbers.add(value)
                token = token._replace(string=numbers[value])
            elif (value is None or abs(value) > _FREE_CONSTANT) and value not in in_runs:
                return None
        elif token.type == tokenize.STRING:
            body = token.string
            for old_text, new_text in strings:
                if old_text in body:
                    body = body.replace(old_text, _escaped(new_text, body))
                    used_strings.add(old_text)
            token = token._replace(string=body)
        rewritten.append(token)
    if used_numbers != set(numbers) or used_strings != {old for old, _ in strings}:
        return None  # a value of the example task that the program does not use as written
    return tokenize.untokenize(rewritten)


def _escaped(text: str, literal: str) -> str:
    """`text` made safe inside the string literal `literal` (its quote character, backslashes)."""
    quote = next((c for c in literal if c in "'\""), '"')
    return text.replace("\\", "\\\\").replace(quote, "\\" + quote)
