"""What a task gives and asks, for adaptation: its values in order, and its words in order."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from typing import Literal

_QUOTED = re.compile(r"(?<![A-Za-z])'([^'\n]+)'(?![A-Za-z])|\"([^\"\n]+)\""
                     r"|\u201c([^\u201d\n]+)\u201d|\u2018([^\u2019\n]+)\u2019")
_COLLECTION = re.compile(r"\{[^{}\n]*\}|\[[^\[\]\n]*[\"'][^\[\]\n]*\]")
"""A flat object ({"tom": 31, "ann": 45}) or a list with text in it (["b", "a"]), written in the
task: one value, found in the program as the same dict or list (nested ones: _collection_spans)."""
_CLOSING = {"{": "}", "[": "]"}
_OPENING = re.compile(r"[{\[]")
PASTED_TABLE = re.compile(r"\n((?:[^\n]*,[^\n]*(?:\n|$)){2,})\s*$")
"""A table pasted below the question, as comma-separated lines (a header and rows): one value, found
in the program as a string holding the same lines."""
_NAMED_CHARACTER = re.compile(r"\b(?:letter|character|char|digit|symbol)\s+([A-Za-z0-9])\b", re.IGNORECASE)
"""A character named without quotes ("the letter s"): a text value, as if quoted."""
_PATH = re.compile(r"(?<![\w/.~-])/workspace(?:/[\w-]+(?:\.[\w-]+)*)+")
"""A file under /workspace named in the task (/workspace/out/votes.png): a text value, as if quoted.
Not its last full stop."""
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b|\b(" + "|".join(MONTHS) + r")\s+(\d{1,2}),\s*(\d{4})\b",
                   re.IGNORECASE)
"""A date, as 2024-02-10 or February 10, 2024: one value, written in programs as date(2024, 2, 10)."""
_NUMBER = r"-?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
_RUN = re.compile(rf"(?<![\w.])(?<![A-Za-z_]-){_NUMBER}"
                  rf"(?:(?:\s*,\s+(?:and\s+)?|\s+and\s+){_NUMBER})+(?!\w|\.\d)")
"""Two or more numbers in a row ("12, 5, 9 and 21"; "462 and 1071"): one value, a list."""
_SINGLE = re.compile(rf"(?<![\w.])(?<![A-Za-z_]-)({_NUMBER})(?:(?:st|nd|rd|th)s?)?"
                     r"(?:(?!\w|\.\d)|(?=x(?:\s*[-+*/^=]|\s+for\b)))")
"""A number on its own, an ordinal ("the 45th", "Friday the 13ths"), or a coefficient in a formula
(the 3 of "x^2 - 3x + 1"); not the 8 of UTF-8 nor the 5 of UTC-5."""
_LABELLED_ITEM = rf"[A-Za-z][A-Za-z0-9_]*(?:\s*[=:]\s*|\s+){_NUMBER}"
_LABELLED = re.compile(rf"(?<![\w.]){_LABELLED_ITEM}"
                       rf"(?:(?:\s*[,;]\s*(?:and\s+)?|\s+and\s+){_LABELLED_ITEM}){{2,}}(?!\w|\.\d)")
"""Three or more labelled numbers ("Jan 120, Feb 95, Mar 143"; "apple=12, pear=7, fig=3"): one value,
a dict of label to number, found in the program as that dict or as its labels and numbers in two lists."""
_LABEL_ITEM = re.compile(rf"([A-Za-z][A-Za-z0-9_]*)(?:\s*[=:]\s*|\s+)({_NUMBER})")
_NOT_LABELS = frozenset(("and", "or", "of", "to", "from", "by", "is", "at", "in", "on", "than", "plus",
                         "minus", "times", "between", "over", "under", "above", "below", "with", "the",
                         "are"))
"""Words before a number that do not name it ("from 3, ..."): a run of them is not labelled numbers."""
_WORD_ITEM = r"(?!(?:and|or)\b)[A-Za-z][A-Za-z'-]*"
_WORD_LIST = re.compile(rf"(?<![\w'\"-]){_WORD_ITEM}"
                        rf"(?:(?:,\s*{_WORD_ITEM}){{2,}}|,\s*{_WORD_ITEM}(?=,?\s+(?:and|or)\s))"
                        rf"(?:,?\s+(?:and|or)\s+{_WORD_ITEM})?(?![\w'\"-])")
"""Three or more words separated by commas ("pear, fig, banana and kiwi"): one value, a list of
strings, found in the program as that list. The same list in the example and the task ("days,
hours, minutes and seconds") is no value to put in (adapt.py leaves it out of the pairs)."""
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
BARE_NUMBER = re.compile(r"(?<![\w.$#{-])\d+(?:\.\d+)?(?![\w.])")
"""A number standing alone in code: not part of a word, a file name, $1 or ${#v}."""
_WORD = re.compile(r"[a-z]+|[+*/^%=<>()!\u00d7\u00f7]|(?<=\s)-(?=\s)")
"""A word, or an operator: "(1 - 2) / 3" and "(1 + 2) * 3" do not ask the same."""
_FILLER = frozenset((
    "a", "an", "the", "of", "is", "are", "was", "be", "what", "whats", "how", "many", "much", "find",
    "compute", "calculate", "give", "me", "tell", "please", "in", "to", "for", "there", "with",
    "between", "from", "this", "these", "that", "those", "it", "its", "do", "does", "using", "python",
    "value", "result", "number", "numbers", "list", "get", "show", "determine", "work", "out",
    "rounded", "round", "place", "places", "json", "dict", "dictionary", "object", "given", "following",
    "bash", "shell", "evaluate", "exactly", "just", "kindly", "case", "which", "print", "output",
    "display", "report", "only", "answer", "final",
    "i", "we", "you", "need", "want", "know", "hey", "ok", "okay", "so", "quick", "curious", "wondering",
    "help", "here", "s", "now", "can", "could", "would", "like", "about",
))
"""Words that do not change what a task asks; all other words must be the same in both tasks. The last
two lines are talk around the question ("hey, so I need ..."), which people write in chat."""
_SAME_MEANING = {
    "largest": "max", "biggest": "max", "highest": "max", "greatest": "max", "maximum": "max",
    "smallest": "min", "lowest": "min", "least": "min", "minimum": "min",
    "average": "mean", "total": "sum", "integer": "int", "integers": "int",
    "kilometres": "kilometer", "kilometre": "kilometer", "kilometers": "kilometer", "km": "kilometer",
    "metres": "meter", "metre": "meter", "meters": "meter", "characters": "character",
    "chars": "character", "char": "character", "colour": "color", "avg": "mean", "%": "percent",
    "percentage": "percent", "increasing": "ascending", "decreasing": "descending",
    "reversed": "reverse", "backwards": "reverse", "uppercase": "upper", "lowercase": "lower",
    "appear": "occur", "appears": "occur", "occurs": "occur", "qty": "quantity",
}
"""Words that ask the same thing ("the largest" and "the highest" value), in one spelling."""
_SAME_PHRASE = (("day of the week", "weekday"), ("week number", "weeknumber"), ("how many", "count"),
                ("number of", "count"), ("what percentage", "ratio"), ("what percent", "ratio"))
"""Phrases that ask what one word asks, replaced before the words are read. A count is its own word
("Count the primes below 60" is not "List the primes below 60"), and so is a ratio asked for ("18
is what percent of 240" is not "18 percent of 240"). "Week number" is read as one word, though the
library itself answers it as "2026-W53", as it answers "which ISO week"."""
_CONTRACTED_IS = re.compile(r"\b(what|that|it|there|here|who|how|where|which)['\u2019]s\b")
_ASKS_YES_NO = re.compile(r"^\s*(?:is|are|was|were|does|do|did|can|could|will|would|has|have|should)\b"
                          r"|\b(?:yes or no|yes/no|true or false|whether)\b", re.IGNORECASE)
_REQUEST = re.compile(r"^\s*(?:can|could|will|would)\s+you\b(?!.*\b(?:if|whether)\b)",
                      re.IGNORECASE | re.DOTALL)
"""A request put as a question ("Could you make a pie chart of ...?"): it asks for the work, not a
yes or no, unless it asks "if" or "whether" something holds."""
FREE_CONSTANT = 2.0
"""A number in the program that is not one of its task's values must be this small (an exponent of
0.5, a start of 1); a larger one (1001 for "1 to 1000") was derived from the task's values, and a
program with it cannot be adapted by substitution."""
KNOWN_CONSTANTS = frozenset((7.0, 12.0, 24.0, 32.0, 60.0, 100.0, 365.0, 1000.0, 1024.0, 3600.0, 1.8))
"""Numbers a program may hold on its own account, whatever the task: days in a week, months, hours,
Fahrenheit's 32 and 1.8, minutes, percent, days in a year, metric and binary thousands, seconds in
an hour. A task value equal to one is still replaced (and refused where the program also uses it
on its own account)."""


def free_constant(value: float | None) -> bool:
    """Whether a number the task does not give may stay in an adapted program as it is."""
    return value is not None and (abs(value) <= FREE_CONSTANT or abs(value) in KNOWN_CONSTANTS)


NUMERIC = ("number", "ordinal")
PLACEHOLDER = "__adapted_value_{}__"

Language = Literal["python", "bash"]


@dataclass(frozen=True, slots=True)
class Value:
    kind: str
    """"string" (quoted), "dict" or "list" (a collection, or labelled numbers as a dict), "table"
    (CSV lines), "date", "run" (several numbers) or "number"."""
    text: str
    numbers: tuple[str, ...] = ()
    parsed: object = None
    span: tuple[int, int] = field(default=(0, 0), compare=False)
    """Where the value stands in the task's text (a quoted string's quotes included)."""


def masked_spans(text: str, spans: list[tuple[tuple[int, int], str]]) -> str:
    """`text` with each (start, end) span replaced by its mark, spaced apart ("DATA", "PATH")."""
    for (start, end), mark in sorted(spans, key=lambda item: item[0][0], reverse=True):
        text = f"{text[:start]} {mark} {text[end:]}"
    return text


def values_and_words(text: str) -> tuple[list[Value], tuple[str, ...]]:
    """The task's values in order, and its words in order with each value's kind in its place
    ("In 'X', count the letter 'Y'" is not "Count the letter 'Y' in 'X'")."""
    found: list[tuple[int, Value]] = []
    quoted = list(_QUOTED.finditer(text))
    collections = [(start, end) for start, end in _collection_spans(text)
                   if not any(q.start() < start and end <= q.end() for q in quoted)]
    taken: list[tuple[int, int]] = []
    table = PASTED_TABLE.search(text)
    if table is not None:
        found.append((table.start(1), Value("table", table.group(1), parsed=table.group(1).strip(),
                                            span=table.span(1))))
        taken.append(table.span(1))
        collections = [(start, end) for start, end in collections if end <= table.start(1)]
    for start, end in collections:
        parsed = _parse_collection(text[start:end])
        if parsed is not None:
            kind = "dict" if isinstance(parsed, dict) else "list"
            found.append((start, Value(kind, text[start:end], parsed=parsed, span=(start, end))))
            taken.append((start, end))
    rest = text
    for start, end in taken:
        rest = rest[:start] + " " * (end - start) + rest[end:]
    for match in _QUOTED.finditer(rest):
        body = next(g for g in match.groups() if g is not None)
        # JSON in quotes ('{"users": [...]}') is the object it writes, as JSON pasted without them
        parsed = _parse_collection(body) if body.lstrip()[:1] in _CLOSING else None
        kind = "string" if parsed is None else "dict" if isinstance(parsed, dict) else "list"
        found.append((match.start(), Value(kind, body, parsed=parsed, span=match.span())))
    rest = _QUOTED.sub(_blank, rest)
    for match in _PATH.finditer(rest):
        found.append((match.start(), Value("string", match.group(), span=match.span())))
    rest = _PATH.sub(_blank, rest)
    for match in _NAMED_CHARACTER.finditer(rest):
        found.append((match.start(1), Value("string", match.group(1), span=match.span(1))))
    rest = _NAMED_CHARACTER.sub(lambda m: m.group()[:m.start(1) - m.start()] + " ", rest)
    for match in _DATE.finditer(rest):
        year, month, day = ((match[1], match[2], match[3]) if match[1] else
                            (match[6], str(MONTHS.index(match[4].lower()) + 1), match[5]))
        found.append((match.start(), Value("date", match.group(), (year, month, day), span=match.span())))
    rest = _DATE.sub(_blank, rest)
    for match in _LABELLED.finditer(rest):
        if (labelled := _labelled(match.group())) is not None:
            found.append((match.start(), Value("dict", match.group(), tuple(labelled.values()),
                                               {label: _number(n) for label, n in labelled.items()},
                                               span=match.span())))
    rest = _LABELLED.sub(lambda m: _blank(m) if _labelled(m.group()) is not None else m.group(), rest)
    for match in _WORD_LIST.finditer(rest):
        if (words := _word_list(match.group())) is not None:
            found.append((match.start(), Value("list", match.group(), parsed=words, span=match.span())))
    rest = _WORD_LIST.sub(lambda m: _blank(m) if _word_list(m.group()) is not None else m.group(), rest)
    for match in _RUN.finditer(rest):
        numbers = tuple(_PLAIN_NUMBER.findall(re.sub(r"(\d),(\d{3})", r"\1\2", match.group())))
        found.append((match.start(), Value("run", match.group(), numbers, span=match.span())))
    rest = _RUN.sub(_blank, rest)
    for match in _SINGLE.finditer(rest):
        kind = "number" if match.group() == match.group(1) else "ordinal"
        found.append((match.start(), Value(kind, match.group(1).replace(",", ""), span=match.span(1))))
    rest = _SINGLE.sub(_blank, rest)
    found.sort(key=lambda f: f[0])
    # In order: "6 feet to meters" and "5 meters to feet" have the same words, not the same question.
    # "what's" is "what is": its 's is no word (padded, so the words keep their places)
    lowered = _CONTRACTED_IS.sub(lambda m: m.group(1) + "  ", rest.lower())
    for phrase, word in _SAME_PHRASE:
        # padded to the phrase's length, so the words keep their places among the values
        lowered = re.sub(rf"\b{re.escape(phrase)}\b", word.ljust(len(phrase)), lowered)
    marks = [(m.start(), _stem(_SAME_MEANING.get(m.group(), m.group()))) for m in _WORD.finditer(lowered)
             if m.group() not in _FILLER]
    words = [word for _, word in sorted(marks + [(start, f"<{value.kind}>") for start, value in found])]
    words = [word for index, word in enumerate(words)  # "count how many" says it once
             if not (word == "count" and index and words[index - 1] == "count")]
    # "between X and Y" asks what "from X to Y" asks
    words = [word for index, word in enumerate(words)
             if not (word == "and" and 0 < index < len(words) - 1
                     and words[index - 1].startswith("<") and words[index + 1].startswith("<"))]
    if asks_yes_or_no(text):
        words.insert(0, "<yes-no>")  # "Is 97 prime?" is not "What is the 97th prime?"
    return [value for _, value in found], tuple(words)


def asks_yes_or_no(text: str) -> bool:
    """Whether a task asks a yes-or-no question ("Is 97 prime?", "Check whether 2024 is a leap year")."""
    return bool(_ASKS_YES_NO.search(text)) and not _REQUEST.match(text)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def asks_for_language(task: str) -> Language | None:
    lowered = task.lower()
    if re.search(r"\b(?:bash|shell)\b", lowered):
        return "bash"
    return "python" if re.search(r"\b(?:python|pandas|matplotlib)\b", lowered) else None


def _labelled(text: str) -> dict[str, str] | None:
    """Labelled numbers' labels and numbers in order; None when a label is no name or comes twice."""
    items = _LABEL_ITEM.findall(text)
    labels = [label for label, _ in items]
    if len(set(labels)) != len(labels) or any(label.lower() in _NOT_LABELS for label in labels):
        return None
    if all(len(label) == 1 and label.islower() for label in labels):
        return None  # "x = 1, y = 2, z = 3" gives variables, written in programs one by one
    return {label: number.replace(",", "") for label, number in items}


def _word_list(text: str) -> list[str] | None:
    """A word list's words; None with single letters among them ("a, e, i, o, u, either case", "x, y
    and z"), which programs write otherwise (as one string, as variables), or with a preposition or
    article among them ("appear, case-insensitive, in": commas in a sentence, not a list)."""
    words = re.split(r",?\s+(?:and|or)\s+|,\s*", text)
    return None if any(len(word) == 1 or word.lower() in _NOT_LABELS for word in words) else words


def _collection_spans(text: str) -> list[tuple[int, int]]:
    """Where the task writes a dict or list: an outermost pair of brackets on one line with brackets
    inside (nested JSON, [[1, 2], [3]]), else the flat ones _COLLECTION finds."""
    spans: list[tuple[int, int]] = []
    index = 0
    while (opening := _OPENING.search(text, index)) is not None:
        start = opening.start()
        end = _closing(text, start)
        if end is None:
            index = start + 1
            continue
        inner = text[start + 1:end - 1]
        if ("{" in inner or "[" in inner) and _parse_collection(text[start:end]) is not None:
            spans.append((start, end))
        else:
            spans.extend((start + m.start(), start + m.end()) for m in _COLLECTION.finditer(text[start:end]))
        index = end
    return spans


def _closing(text: str, start: int) -> int | None:
    """The end of the bracketed run opening at `start` (quoted text skipped); None if the line ends
    first."""
    expected: list[str] = []
    quote = ""
    for index in range(start, len(text)):
        char = text[index]
        if char == "\n":
            return None
        if quote:
            quote = "" if char == quote and text[index - 1] != "\\" else quote
        elif char in "\"'":
            quote = char
        elif char in _CLOSING:
            expected.append(_CLOSING[char])
        elif char in "}]":
            if char != expected.pop():
                return None
            if not expected:
                return index + 1
    return None


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def _parse_collection(text: str) -> object:
    """A dict or list written as Python or JSON; None when it is neither."""
    for parse in (ast.literal_eval, json.loads):
        try:
            parsed = parse(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(parsed, dict | list) and parsed:
            return parsed
    return None


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def as_code(number: str) -> str:
    """A task's number as a Python literal ("007" is not one)."""
    return str(int(number)) if re.fullmatch(r"-?\d+", number) else number


def value_of(literal: str) -> float | None:
    try:
        return float(literal.replace("_", ""))
    except ValueError:
        return None


def replace_run(code: str, old: tuple[str, ...], new: tuple[str, ...], language: Language,
                 hole: str | None = None) -> str | None:
    """`old` written out once in the program (a list, or a date's year, month and day) becomes `new`."""
    separator = r"\s*,\s*" if language == "python" else r"(?:\s*,\s*|[ \t]+)"
    pattern = r"(?<![\w.])" + separator.join(re.escape(as_code(n)) for n in old) + r"(?![\w.])"
    found = re.findall(pattern, code)
    if len(found) != 1:
        return None  # the list is not written out once in the program
    joiner = ", " if language == "python" or "," in found[0] else " "
    return re.sub(pattern, lambda _: hole or joiner.join(as_code(n) for n in new), code)
