"""Dates, month-years, clock times and durations found in a task's text, and the text with each masked."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from engine.agent.task_values import WEEKDAYS

__all__ = ["FILLER", "UNITS", "WEEKDAYS", "Ask", "ClockTime", "DateText", "Found", "counts", "date_literal",
           "direction", "durations", "find_values", "only", "print_date", "yes_no"]

_MONTH_NAMES = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_MONTH_NAMES["sept"] = 9
_MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december" \
         r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(\d{4})"
_ISO = re.compile(r"(?<![\w/.-])(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?![\w/-]|\.\d)")
_MONTH_FIRST = re.compile(rf"\b{_MONTH}\s+{_DAY}(?:\s*,\s*|\s+){_YEAR}\b", re.IGNORECASE)
_DAY_FIRST = re.compile(rf"\b(?:the\s+)?{_DAY}(?:\s+of)?\s+{_MONTH}(?:\s*,\s*|\s+){_YEAR}\b", re.IGNORECASE)
_SLASHED = re.compile(r"(?<![\w/.-])(\d{1,2})([/.])(\d{1,2})\2(\d{4})(?![\w/]|\.\d)")
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s*,?\s+(?:of\s+)?{_YEAR}\b", re.IGNORECASE)
_CLOCK = re.compile(r"(?<![\w:.])(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([ap])\.?m\.?(?![a-z]))?(?![\w:])"
                    r"|(?<![\w:.])(\d{1,2})\s*([ap])\.?m\.?(?![a-z])", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.:/-])(\d{1,3}(?:,\d{3})+|\d+)(?![\w:/]|\.\d)")
_US = re.compile(r"\b(?:us|u\.s\.|american|mm/dd(?:/yyyy)?|month/day(?:/year)?)\b", re.IGNORECASE)
_EUROPEAN = re.compile(r"\b(?:uk|european|british|dd/mm(?:/yyyy)?|dd\.mm\.yyyy|day/month(?:/year)?)\b",
                       re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DateText:
    """A date the task gives, and how it wrote it (the answer's date is written the same way)."""

    value: dt.date
    style: str
    """iso, month-first ("March 5, 2024"), day-first ("5 March 2024"), us (03/05/2024), eu (05/03/2024)."""


@dataclass(frozen=True, slots=True)
class ClockTime:
    """A time of day the task gives, in minutes after midnight, and whether it was written with am/pm."""

    minutes: int
    twelve_hour: bool
    seconds: int = 0


@dataclass(slots=True)
class Found:
    """The values found in a task, in order, and the task with each replaced by a mark word."""

    dates: list[DateText] = field(default_factory=list)
    month_years: list[tuple[int, int]] = field(default_factory=list)
    clocks: list[ClockTime] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    masked: str = ""


def find_values(text: str) -> Found | None:
    """The dates, month-years, clock times and whole numbers in `text`, each masked with a mark
    (DATE, MONTHYEAR, CLOCK, NUMBER); None when one cannot be read for sure (02/03/2024 with no
    word saying which is the month, February 30th)."""
    found = Found()
    spans: list[tuple[int, int, str]] = []

    def taken(start: int, end: int) -> bool:
        return any(start < e and s < end for s, e, _ in spans)

    dated: list[tuple[int, DateText]] = []
    for pattern, style in ((_ISO, "iso"), (_MONTH_FIRST, "month-first"), (_DAY_FIRST, "day-first"),
                           (_SLASHED, "slashed")):
        for match in pattern.finditer(text):
            if taken(*match.span()):
                continue
            date = _date(match, style, text)
            if date is None:
                return None
            dated.append((match.start(), date))
            spans.append((*match.span(), "DATE"))
    found.dates = [date for _, date in sorted(dated, key=lambda pair: pair[0])]
    month_years = []
    for match in _MONTH_YEAR.finditer(text):
        if not taken(*match.span()):
            month_years.append((match.start(), (int(match.group(2)), _MONTH_NAMES[match.group(1).lower()])))
            spans.append((*match.span(), "MONTHYEAR"))
    found.month_years = [pair for _, pair in sorted(month_years)]
    clocks = []
    for match in _CLOCK.finditer(text):
        if taken(*match.span()):
            continue
        clock = _clock(match)
        if clock is None:
            return None
        clocks.append((match.start(), clock))
        spans.append((*match.span(), "CLOCK"))
    found.clocks = [clock for _, clock in sorted(clocks, key=lambda pair: pair[0])]
    for match in _NUMBER.finditer(text):
        if not taken(*match.span()):
            found.numbers.append(int(match.group(1).replace(",", "")))
            spans.append((*match.span(), "NUMBER"))
    masked = text
    for start, end, mark in sorted(spans, reverse=True):
        masked = f"{masked[:start]} {mark} {masked[end:]}"
    found.masked = masked
    return found


def _date(match: re.Match[str], style: str, text: str) -> DateText | None:
    groups = match.groups()
    if style == "iso":
        year, month, day = int(groups[0]), int(groups[2]), int(groups[3])
    elif style == "month-first":
        month, day, year = _MONTH_NAMES[groups[0].lower()], int(groups[1]), int(groups[2])
    elif style == "day-first":
        day, month, year = int(groups[0]), _MONTH_NAMES[groups[1].lower()], int(groups[2])
    else:
        first, second, year = int(groups[0]), int(groups[2]), int(groups[3])
        us, european = bool(_US.search(text)), bool(_EUROPEAN.search(text)) or groups[1] == "."
        if us == european:
            if first > 12 >= second:
                european = True
            elif second > 12 >= first:
                us = True
            else:
                return None
        month, day = (first, second) if not european else (second, first)
        style = "eu" if european else "us"
    try:
        return DateText(dt.date(year, month, day), style)
    except ValueError:
        return None


def _clock(match: re.Match[str]) -> ClockTime | None:
    if match.group(5) is not None:
        hour, minute, second, half = int(match.group(5)), 0, 0, match.group(6)
    else:
        hour, minute = int(match.group(1)), int(match.group(2))
        second, half = int(match.group(3) or 0), match.group(4)
    if minute > 59 or second > 59:
        return None
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    elif hour > 24 or (hour == 24 and minute):
        return None
    return ClockTime(hour * 60 + minute, half is not None, second)


FILLER = frozenset(str.split("""
    what what's whats is was will be it the a an of on please tell me give find calculate compute work out
    i you can could would do does did to for my we us there are answer exactly just only quick question
    hey so that this let's lets know want need figure get show help determine which
"""))
UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "fortnight": 14, "fortnights": 14}
DURATION = re.compile(r"\b(NUMBER|a|an|one)\s+(?:calendar\s+)?(days?|weeks?|fortnights?|months?|years?|"
                      r"hours?|minutes?|mins?|seconds?|secs?)\b(?:\s*,?\s*(?:and\s+)?)?")
FORWARD = frozenset(("after", "from", "later", "plus", "add", "added", "adding", "ahead", "forward", "past",
                     "takes", "lasts"))
BACKWARD = frozenset(("before", "ago", "earlier", "minus", "subtract", "subtracted", "subtracting", "back",
                       "prior", "go", "going"))

@dataclass(frozen=True, slots=True)
class Ask:
    """What the task asks besides its question: a date format, rounding, True/False answers."""

    strftime: str | None
    digits: int | None
    true_false: bool


def only(words: list[str], allowed: frozenset[str] | set[str]) -> bool:
    return all(w in FILLER or w in allowed or w in ("DATE", "MONTHYEAR", "CLOCK", "NUMBER") for w in words)


def counts(found: Found, dates: int = 0, month_years: int = 0, clocks: int = 0, numbers: int = 0) -> bool:
    return (len(found.dates), len(found.month_years), len(found.clocks), len(found.numbers)) == (
        dates, month_years, clocks, numbers)


def date_literal(date: DateText) -> str:
    return f"datetime.date({date.value.year}, {date.value.month}, {date.value.day})"


def print_date(expression: str, found: Found, ask: Ask) -> str:
    """Python printing a date: in the form the task asks for, else ISO, followed in brackets by the
    form the task wrote its own date in when that was another ("2025-05-21 (May 21, 2025)")."""
    if ask.strftime is not None:
        return f"print({expression}.strftime({ask.strftime!r}))"
    style = found.dates[0].style if found.dates else "month-first" if found.month_years else "iso"
    written = {"month-first": "{d:%B} {d.day}, {d.year}", "day-first": "{d.day} {d:%B} {d.year}",
               "us": "{d:%m/%d/%Y}", "eu": "{d:%d/%m/%Y}"}.get(style)
    shown = "{d:%Y-%m-%d}" + ("" if written is None else f" ({written})")
    return f"d = {expression}\nprint(f{shown!r})"


def yes_no(expression: str, ask: Ask) -> str:
    """Python printing a yes or no answer, with the Python value it comes from ("No: calendar.isleap(2100)
    is False"); just that value when the task asks for True or False."""
    if ask.true_false:
        return f"print({expression})"
    return f"print(('Yes' if {expression} else 'No') + ': {expression} is ' + str({expression}))"


def durations(words: list[str], numbers: list[int]) -> tuple[list[tuple[str, int]] | None, list[str]]:
    """("3 weeks and 2 days" -> [("weeks", 3), ("days", 2)]; the words left); None when a number is
    not a duration."""
    joined = " ".join(words)
    taken: list[tuple[str, int]] = []
    values = iter(numbers)
    for match in DURATION.finditer(joined):
        amount = next(values) if match.group(1) == "NUMBER" else 1
        unit = match.group(2).rstrip("s")
        unit = {"min": "minute", "sec": "second"}.get(unit, unit)
        taken.append((unit, amount))
    if len(taken) != sum(1 for m in DURATION.finditer(joined)) or next(values, None) is not None:
        return None, words
    return taken, DURATION.sub(" ", joined).split()


def direction(words: list[str]) -> int | None:
    forward = any(w in FORWARD for w in words)
    backward = any(w in BACKWARD for w in words)
    return None if forward == backward else 1 if forward else -1


