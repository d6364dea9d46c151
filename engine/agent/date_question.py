"""A question about dates or clock times read whole, and the Python (datetime, calendar) answering it."""

from __future__ import annotations

import re
from collections.abc import Callable

from engine.agent.date_clock import CLOCK_READERS, MONTH_READERS
from engine.agent.date_words import (
    UNITS,
    WEEKDAYS,
    Ask,
    Found,
    counts,
    date_literal,
    direction,
    durations,
    find_values,
    only,
    print_date,
)
from engine.tasktext.rounding_request import asked_rounding

__all__ = ["LIMIT", "date_question"]

LIMIT = 400
"""Longest task (characters) read: a date question is a sentence or two."""

_FORMATS = (  # (a format the task asks the answer in, its strftime)
    (r"yyyy-mm-dd\s+hh:mm:ss", "%Y-%m-%d %H:%M:%S"), (r"yyyy-mm-dd\s+hh:mm", "%Y-%m-%d %H:%M"),
    (r"yyyy-mm-dd", "%Y-%m-%d"), (r"iso(?:\s*8601)?(?:\s+format|(?=\s*(?:[.),;?]|$)))", "%Y-%m-%d"),
    (r"dd/mm/yyyy", "%d/%m/%Y"), (r"mm/dd/yyyy", "%m/%d/%Y"), (r"dd\.mm\.yyyy", "%d.%m.%Y"),
)
_FORMAT_ASKED = re.compile(r"[(,.;]?\s*(?:(?:give|write|answer|express|format|return|reply)\w*\s+"
                           r"(?:it\s+|the\s+(?:date|answer|result)\s+)?)?(?:(?:as|in|using)\s+)?(?:the\s+)?"
                           r"(?:format\s+)?['\"]?(" + "|".join(p for p, _ in _FORMATS)
                           + r")['\"]?(?:\s+format)?\s*\)?", re.IGNORECASE)
_PHRASES = (  # (what the task may say, the word the readings know it by), replaced before reading
    (r"\b(\d{1,3})(?:st|nd|rd|th)\s+day\s+of\s+(?:the\s+year\s+)?(\d{4})\b", r" yearday \1 \2 "),
    (r"\b(?:(?:formatted|written|given|answer(?:ed)?|reply)\s+)?(?:like|e\.g\.,?|such\s+as)\s+\d{1,2}:\d{2}\s*[ap]m\b",
     " twelvehour "),
    (r"\b24[- ]?(?:hours?|hr|h)\b(?:\s+(?:clock|time|format|notation))?", " twentyfourhour "),
    (r"\b12[- ]?(?:hours?|hr|h)\b(?:\s+(?:clock|time|format|notation))?", " twelvehour "),
    (r"['\"(]?\bhh:mm:ss\b['\")]?(?:\s+format)?", " hhmmssclock "),
    (r"['\"(]?\bh:mm:ss\b['\")]?(?:\s+format)?", " hmsclock "),
    (r"['\"(]?\bhh:mm\b['\")]?(?:\s+format)?", " twentyfourhour "),
    (r"\(\s*(?:january|jan)\s+1(?:st)?\s+(?:is|being)\s+day\s+1\s*\)", " "),
    (r"\bday-of-(?:the-)?year\b", " day of the year "),
    (r"\(\s*(?:monday|mon)\s*(?:to|-|\u2013|through|thru)\s*(?:friday|fri)\s*(?:,\s*(?:ignore|ignoring|no)"
     r"\s+holidays)?\s*\)", " "),
    (r"[,;(]?\s*(?:ignore|ignoring|assume\s+no|with\s+no|no)\s+(?:public\s+)?holidays\)?", " "),
    (r"\b(?:not\s+counting|excluding|skipping|ignoring|without)\s+(?:the\s+)?weekends\b", " weekdays "),
    (r"[,(]?\s*(?:if\s+[^.?;]*?(?:short|exist)[^.?;]*?,?\s*)?(?:use|take|clamp(?:ing|ed)?\s+to)\s+(?:its|the)"
     r"\s+(?:last\s+day|end)(?:\s+of\s+(?:the|that)\s+month)?\)?", " "),
)
_NO_DATE_NEEDED = re.compile(r"\b(?:leap|unix|epoch|hmsclock|hhmmssclock)\b", re.IGNORECASE)
Reader = Callable[[Found, list[str], Ask], str | None]


def date_question(task: str) -> str | None:
    """Python printing the answer to a question about dates or times of day: the days (weeks, hours,
    weekdays, Mondays...) between two dates, the weekday or day of the year of a date, a date some
    days, weeks, months or years after or before another, someone's age, days in a month or year,
    leap years, the first or last weekday of a month, minutes between two clock times, a time some
    hours later, 12- and 24-hour clocks, Unix timestamps. None when any word of the task is one
    these readings do not know: a question half understood is left to the other routes."""
    if len(task) > LIMIT:
        return None
    rounding = asked_rounding(task)
    text = task if rounding is None else rounding.question
    strftime = None
    for match in _FORMAT_ASKED.finditer(text):
        asked = next(f for p, f in _FORMATS if re.fullmatch(p, match.group(1), re.IGNORECASE))
        if strftime not in (None, asked):
            return None
        strftime = asked
    text = _FORMAT_ASKED.sub(" ", text)
    for pattern, word in _PHRASES:
        text = re.sub(pattern, word, text, flags=re.IGNORECASE)
    found = find_values(text)
    if found is None or not (found.dates or found.month_years or found.clocks or found.numbers
                             or _NO_DATE_NEEDED.search(found.masked)):
        return None
    masked = re.sub(r"[a-zA-Z']+", lambda m: m.group() if m.group().isupper() and len(m.group()) > 3
                    else m.group().lower(), found.masked)
    true_false = bool(re.search(r"\btrue\b.*\bfalse\b|\bfalse\b.*\btrue\b", masked))
    ask = Ask(strftime, None if rounding is None else rounding.digits, true_false)
    words = re.findall(r"[a-z]+(?:'[a-z]+)?|DATE|MONTHYEAR|CLOCK|NUMBER", masked.replace("'s ", " "))
    for reader in _READERS:
        code = reader(found, words, ask)
        if code is not None:
            return code
    return None


_WEEKDAY_WORDS = frozenset(("day", "week", "weekday", "fall", "falls", "fell", "land", "lands", "landed",
                            "name", "be", "of", "on"))


def _weekday_of(found: Found, words: list[str], ask: Ask) -> str | None:
    """"What day of the week was 4 July 1776?" -> Thursday."""
    if not counts(found, dates=1) or not ("weekday" in words or ("day" in words and "week" in words)
                                           or words[:3] in (["what", "day", "is"], ["what", "day", "was"])):
        return None
    if not only(words, _WEEKDAY_WORDS):
        return None
    return f"import datetime\nprint({date_literal(found.dates[0])}.strftime('%A'))"


def _day_of_year(found: Found, words: list[str], ask: Ask) -> str | None:
    """"What day of the year is 2024-03-01?" -> 61."""
    if not counts(found, dates=1) or "year" not in words or "day" not in words:
        return None
    if not only(words, {"day", "of", "year", "number", "ordinal", "in", "into", "how", "many", "th"}):
        return None
    if "how" in words and "into" not in words:
        return None
    return f"import datetime\nprint({date_literal(found.dates[0])}.timetuple().tm_yday)"


def _iso_week(found: Found, words: list[str], ask: Ask) -> str | None:
    """"What is the ISO week number of 2024-12-30?" -> 1."""
    if not counts(found, dates=1) or "iso" not in words or "week" not in words:
        return None
    if not only(words, {"iso", "week", "number", "in", "falls", "fall", "of", "calendar", "year", "belong",
                        "belongs"}):
        return None
    return (f"import datetime\nyear, week, _ = {date_literal(found.dates[0])}.isocalendar()\n"
            "print(f'{week} ({year}-W{week:02d})')")


_BETWEEN_WORDS = frozenset(str.split("""
    how many between from to and until till elapsed passed pass separate separating difference are apart
    number of total in go by have has inclusive including both counting ends endpoints dates date start
    end calendar full complete whole is the gap span spans long count there in included first last day
    through thru
"""))
_INCLUSIVE = frozenset(("inclusive", "including", "counting", "both", "included", "through", "thru"))
_COUNTED_DAYS = {**{f"{day}s": (index,) for index, day in enumerate(WEEKDAYS)},
                 "weekdays": tuple(range(5)), "business": tuple(range(5)), "working": tuple(range(5)),
                 "weekend": (5, 6)}


def _between_dates(found: Found, words: list[str], ask: Ask) -> str | None:
    """"How many days are there between 2024-01-15 and March 1, 2024?" -> 46 (the end counted
    too when the task says inclusive); weeks, hours, minutes, seconds; weekdays or Mondays counted
    (answered only when the ends cannot change the count or the task says they are included)."""
    if not counts(found, dates=2):
        return None
    first, last = (date_literal(d) for d in found.dates)
    inclusive = any(w in _INCLUSIVE for w in words)
    counted = [w for w in words if w in _COUNTED_DAYS]
    units = [w for w in words if w in ("days", "weeks", "hours", "minutes", "seconds")]
    extra = {"days", "weeks", "hours", "minutes", "seconds", *counted}
    if not only(words, _BETWEEN_WORDS | extra) or ("how" in words and "many" not in words):
        return None
    span = f"abs(({last} - {first}).days)"
    if counted:
        if len(set(counted)) != 1 or units not in ([], ["days"]):
            return None
        kept = _COUNTED_DAYS[counted[0]]
        if not _ends_clear(found, kept, inclusive):
            return None
        return "\n".join(["import datetime", f"start, end = sorted(({first}, {last}))",
                          "days = [start + datetime.timedelta(n) for n in range((end - start).days + 1)]",
                          f"print(sum(d.weekday() in {kept!r} for d in days))"])
    if len(units) != 1:
        return None
    unit = units[0]
    if unit == "days":
        return f"import datetime\nprint({span}{' + 1' if inclusive else ''})"
    if inclusive:
        return None
    if unit == "weeks":
        days = abs((found.dates[1].value - found.dates[0].value).days)
        if any(w in words for w in ("full", "complete", "whole")):
            return f"import datetime\nprint({span} // 7)"
        return f"import datetime\nprint({span} // 7)" if days % 7 == 0 else None
    factor = {"hours": 24, "minutes": 1440, "seconds": 86400}[unit]
    return f"import datetime\nprint({span} * {factor})"


def _ends_clear(found: Found, kept: tuple[int, ...], inclusive: bool) -> bool:
    """Whether the count of kept weekdays is the same whether the ends are counted or not."""
    return inclusive or all(d.value.weekday() not in kept for d in found.dates)


_AGE_WORDS = frozenset(str.split("""
    born old age how person someone somebody be turn turns will on as of years year was were who full
    completed his her their at is if was she he they whole in are am i
"""))


def _age(found: Found, words: list[str], ask: Ask) -> str | None:
    """"How old is someone born on 1990-06-15 on 2024-06-14?" -> 33."""
    if not counts(found, dates=2) or "born" not in words or not only(words, _AGE_WORDS):
        return None
    dates = [w for w in words if w == "DATE"]
    born_at = words.index("born")
    birth = sum(1 for w in words[:born_at] if w == "DATE")
    if birth > 1 or "DATE" not in words[born_at:born_at + 4] or len(dates) != 2:
        return None
    born = found.dates[birth].value
    on = found.dates[1 - birth].value
    return f"print({on.year - born.year - ((on.month, on.day) < (born.month, born.day))})"


_SHIFT_WORDS = frozenset(str.split("""
    date day days it be will was after from later plus add added adding ahead forward past before ago
    earlier minus subtract subtracted subtracting back prior go going is the of what which falls fall
    land lands when counting count and to week weekday on new resulting result calendar exactly
"""))


def _shifted_date(found: Found, words: list[str], ask: Ask) -> str | None:
    """"What date is 90 days after 2024-03-15?" -> 2024-06-13; weeks, months (the month's last day
    when the day does not exist), years; the weekday when that is asked."""
    if len(found.dates) != 1 or found.month_years or found.clocks:
        return None
    taken, rest = durations(words, found.numbers)
    if not taken or not only(rest, _SHIFT_WORDS):
        return None
    sign = direction(rest)
    if sign is None or any(unit in ("hour", "minute", "second") for unit, _ in taken):
        return None
    days = sum(amount * UNITS[unit] for unit, amount in taken if unit in UNITS)
    months = sum(amount * (12 if unit.startswith("year") else 1) for unit, amount in taken
                 if unit.startswith(("month", "year")))
    code = ["import calendar, datetime", f"d = {date_literal(found.dates[0])}"]
    if months:
        code += [f"months = d.year * 12 + d.month - 1 + {sign * months}",
                 "year, month = divmod(months, 12)",
                 "d = datetime.date(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))"]
    if days:
        code.append(f"d += datetime.timedelta(days={sign * days})")
    asks_weekday = "weekday" in rest or ("week" in rest and "day" in rest)
    if asks_weekday:
        return "\n".join([*code, "print(d.strftime('%A'))"])
    if "week" in rest or "weekday" in rest:
        return None
    return "\n".join([*code, print_date("d", found, ask).replace("d = d\n", "")])


def _quarter(found: Found, words: list[str], ask: Ask) -> str | None:
    """"Which quarter of the year does 2024-08-19 fall in?" -> Q3 (3 when the task writes no Q1)."""
    if not counts(found, dates=1) or "quarter" not in words:
        return None
    if not only(words, {"quarter", "of", "year", "in", "fall", "falls", "like", "reply", "or", "q",
                        "calendar"}):
        return None
    quarter = (found.dates[0].value.month - 1) // 3 + 1
    return f"print('Q{quarter}')" if "q" in words else f"print({quarter})"


def _reformatted(found: Found, words: list[str], ask: Ask) -> str | None:
    """"Format 2024-07-04 as a European date DD/MM/YYYY." -> 04/07/2024."""
    if not counts(found, dates=1) or ask.strftime is None or "%H" in ask.strftime:
        return None
    if not only(words, {"rewrite", "convert", "format", "write", "express", "as", "in", "into", "date",
                        "style", "european", "us", "american", "uk", "british", "month", "day", "year",
                        "iso"}):
        return None
    return "import datetime\n" + print_date(date_literal(found.dates[0]), found, ask)


def _between_moments(found: Found, words: list[str], ask: Ask) -> str | None:
    """"How many hours are there between 2024-03-01 08:00 and 2024-03-03 20:00?" -> 60."""
    if not counts(found, dates=2, clocks=2) or any(c.seconds for c in found.clocks):
        return None
    units = {w for w in words if w in ("days", "hours", "minutes", "seconds")}
    if len(units) != 1 or not only(words, _BETWEEN_WORDS | units | {"at"}) or _INCLUSIVE & set(words):
        return None
    minutes = abs((found.dates[1].value - found.dates[0].value).days * 1440
                  + found.clocks[1].minutes - found.clocks[0].minutes)
    per = {"days": 1440, "hours": 60, "minutes": 1, "seconds": 1 / 60}[units.pop()]
    if minutes % per == 0 or per < 1:
        return f"print({int(minutes / per)})"
    if (minutes / per * 4) % 1 == 0 or ask.digits is not None:
        return f"print(round({minutes} / {per}, {ask.digits if ask.digits is not None else 2}))"
    return None


def _date_of_year_day(found: Found, words: list[str], ask: Ask) -> str | None:
    """"What is the 256th day of 2024?" -> 2024-09-12 (the form asked for, else ISO)."""
    if not counts(found, numbers=2) or "yearday" not in words or not only(words, {"yearday", "date", "of"}):
        return None
    day, year = found.numbers
    if not 1 <= day <= 366 or not 1 <= year <= 9999:
        return None
    expression = f"(datetime.date({year}, 1, 1) + datetime.timedelta({day - 1}))"
    return "import datetime\n" + print_date(expression, found, ask)


_READERS: tuple[Reader, ...] = (_weekday_of, _day_of_year, _iso_week, _age, _between_dates, _shifted_date,
                                _quarter, _reformatted, _between_moments, _date_of_year_day,
                                *MONTH_READERS, *CLOCK_READERS)
