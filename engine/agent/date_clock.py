"""Readings of month, year and clock-time questions: days in a month, leap years, the last Friday of a
month, minutes between two times, a time some hours later, 12- and 24-hour clocks, Unix timestamps."""

from __future__ import annotations

from collections.abc import Callable

from engine.agent.date_words import (
    WEEKDAYS,
    Ask,
    ClockTime,
    Found,
    counts,
    date_literal,
    direction,
    durations,
    only,
    print_date,
    yes_no,
)

__all__ = ["CLOCK_READERS", "MONTH_READERS"]

_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1, "1st": 1, "2nd": 2,
             "3rd": 3, "4th": 4, "5th": 5}
_IN_MONTH = frozenset(str.split("""
    how many days does have has are there in number of month the contain contains total during count
    date day fall falls on of in what which is were was will
"""))


def _days_in_month(found: Found, words: list[str], ask: Ask) -> str | None:
    """"How many days are in February 2024?" -> 29."""
    if not counts(found, month_years=1) or "days" not in words or not only(words, _IN_MONTH):
        return None
    year, month = found.month_years[0]
    return f"import calendar\nprint(calendar.monthrange({year}, {month})[1])"


def _weekdays_in_month(found: Found, words: list[str], ask: Ask) -> str | None:
    """"How many Mondays are there in March 2024?" -> 4; weekdays, business or working days."""
    if not counts(found, month_years=1):
        return None
    named = [WEEKDAYS.index(w[:-1]) for w in words if w.endswith("s") and w[:-1] in WEEKDAYS]
    kept: tuple[int, ...] | None = (named[0],) if len(named) == 1 else None
    if kept is None and any(w in words for w in ("weekdays", "business", "working")):
        kept = tuple(range(5))
    if kept is None or not only(words, _IN_MONTH | {"weekdays", "business", "working", *_plural_days(words)}):
        return None
    year, month = found.month_years[0]
    return "\n".join(["import calendar", f"days = calendar.monthrange({year}, {month})[1]",
                      f"print(sum(calendar.weekday({year}, {month}, d) in {kept!r}"
                      " for d in range(1, days + 1)))"])


def _weekdays_in_year(found: Found, words: list[str], ask: Ask) -> str | None:
    """"How many Sundays were there in 2023?" -> 53."""
    named = [WEEKDAYS.index(w[:-1]) for w in words if w.endswith("s") and w[:-1] in WEEKDAYS]
    if not counts(found, numbers=1) or len(named) != 1 or not 1 <= found.numbers[0] <= 9999:
        return None
    if not only(words, _IN_MONTH | {"year", *_plural_days(words)}):
        return None
    year = found.numbers[0]
    return ("import datetime\n"
            f"days = [datetime.date({year}, 1, 1) + datetime.timedelta(n) for n in range(366)]\n"
            f"print(sum(d.year == {year} and d.weekday() == {named[0]} for d in days))")


def _plural_days(words: list[str]) -> set[str]:
    return {w for w in words if w.endswith("s") and w[:-1] in WEEKDAYS}


def _nth_weekday(found: Found, words: list[str], ask: Ask) -> str | None:
    """"What is the date of the last Friday of November 2024?" -> November 29, 2024 (the form asked
    for, else the month's own words)."""
    if not counts(found, month_years=1):
        return None
    named = [WEEKDAYS.index(w) for w in words if w in WEEKDAYS]
    places = [_ORDINALS[w] for w in words if w in _ORDINALS]
    if len(named) != 1 or len(places) != 1 or not only(words, _IN_MONTH | set(WEEKDAYS) | set(_ORDINALS)):
        return None
    year, month = found.month_years[0]
    expression = f"[d for d in dates if d.weekday() == {named[0]}][{places[0] - 1 if places[0] > 0 else -1}]"
    code = ["import calendar, datetime",
            f"dates = [datetime.date({year}, {month}, d)"
            f" for d in range(1, calendar.monthrange({year}, {month})[1] + 1)]"]
    return "\n".join([*code, print_date(expression, found, ask)])


def _month_edge_weekday(found: Found, words: list[str], ask: Ask) -> str | None:
    """"What weekday is the first day of March 2024?" -> Friday; the last day too."""
    if not counts(found, month_years=1) or not ("weekday" in words or "week" in words):
        return None
    edge = [w for w in words if w in ("first", "last", "start", "starts", "begin", "begins", "end", "ends")]
    if len(set(edge)) != 1 or not only(words, _IN_MONTH | {"week", "weekday", *edge}):
        return None
    year, month = found.month_years[0]
    day = "1" if edge[0] in ("first", "start", "starts", "begin", "begins") else \
        f"calendar.monthrange({year}, {month})[1]"
    return f"import calendar, datetime\nprint(datetime.date({year}, {month}, {day}).strftime('%A'))"


_LEAP_WORDS = frozenset(("leap", "year", "is", "was", "will", "be", "or", "not", "true", "false", "yes",
                         "no"))
_LEAP_COUNT = frozenset(str.split("""
    how many leap years are there between from to and through inclusive including both in the range
    period count number of were will be ends included gregorian rules calendar
"""))


def _leap_year(found: Found, words: list[str], ask: Ask) -> str | None:
    """"Is 1900 a leap year?" -> No (True/False when the task asks for that)."""
    if not counts(found, numbers=1) or "leap" not in words or not only(words, _LEAP_WORDS):
        return None
    if not 1 <= found.numbers[0] <= 9999 or "how" in words:
        return None
    return "import calendar\n" + yes_no(f"calendar.isleap({found.numbers[0]})", ask)


def _leap_years_between(found: Found, words: list[str], ask: Ask) -> str | None:
    """"How many leap years are there from 1900 to 2000 inclusive?" -> 25 (both ends counted: asked
    only when the task says so, or writes "from ... to")."""
    if not counts(found, numbers=2) or "leap" not in words or not only(words, _LEAP_COUNT):
        return None
    first, last = sorted(found.numbers)
    if "how" not in words and "number" not in words and "count" not in words:
        return None
    if "between" in words and not any(w in words for w in ("inclusive", "including", "both")):
        return None
    return f"import calendar\nprint(sum(calendar.isleap(y) for y in range({first}, {last} + 1)))"


def _days_in_year(found: Found, words: list[str], ask: Ask) -> str | None:
    """"How many days are in the year 2100?" -> 365."""
    if not counts(found, numbers=1) or "days" not in words or "year" not in words:
        return None
    if not only(words, _IN_MONTH | {"year"}) or not 1 <= found.numbers[0] <= 9999:
        return None
    return f"import calendar\nprint(366 if calendar.isleap({found.numbers[0]}) else 365)"


MONTH_READERS = (_days_in_month, _weekdays_in_month, _weekdays_in_year, _nth_weekday, _month_edge_weekday,
                 _leap_year, _leap_years_between, _days_in_year)

_CLOCK_WORDS = frozenset(str.split("""
    how many minutes hours seconds between from to and until till elapsed pass passed is are there long
    difference apart at starts start ends end begins begin shift meeting lasts last takes take leave leaves
    arrive arrives departs depart train flight bus film movie class lecture game runs run goes go if the
    does do in total of work worked working sleep slept nap next day morning evening night overnight
    when time my our from gap duration same decimal number
"""))


def _minutes(clock: ClockTime) -> int:
    return clock.minutes


def _between_clocks(found: Found, words: list[str], ask: Ask) -> str | None:
    """"How many minutes from 9:15 to 17:40?" -> 505; past midnight when the end comes first; hours
    as a decimal when they are not whole (rounded as asked)."""
    if not counts(found, clocks=2) or any(c.seconds for c in found.clocks):
        return None
    units = [w for w in words if w in ("minutes", "hours", "seconds")]
    if len(set(units)) != 1 or not only(words, _CLOCK_WORDS):
        return None
    start, end = (_minutes(c) for c in found.clocks)
    span = (end - start) % 1440
    if units[0] == "minutes":
        return f"print({span})"
    if units[0] == "seconds":
        return f"print({span * 60})"
    if span % 60 == 0:
        return f"print({span // 60})"
    if span % 15 == 0 or ask.digits is not None:
        return f"print(round({span} / 60, {ask.digits if ask.digits is not None else 2}))"
    return None


_SHIFT_CLOCK_WORDS = frozenset(str.split("""
    what time will it be is was after from later plus add added ahead forward past before ago earlier minus
    subtract back prior and the clock show read at if starts start begins leaves lasts takes runs ends end
    finish finishes arrive arrives when now to result format in twentyfourhour twelvehour flight trip land
    lands does departs depart ignoring zones answer journey drive ride
"""))


def _shifted_clock(found: Found, words: list[str], ask: Ask) -> str | None:
    """"What time is it 2 hours 45 minutes after 10:30?" -> 13:15 (am/pm when the task wrote it so)."""
    if found.dates or found.month_years or len(found.clocks) != 1:
        return None
    taken, rest = durations(words, found.numbers)
    if not taken or any(unit not in ("hour", "minute", "second") for unit, _ in taken):
        return None
    sign = direction(rest)
    clock = found.clocks[0]
    if sign is None or not only(rest, _SHIFT_CLOCK_WORDS):
        return None
    seconds = sum(amount * {"hour": 3600, "minute": 60, "second": 1}[unit] for unit, amount in taken)
    total = (clock.minutes * 60 + clock.seconds + sign * seconds) % 86400
    return _print_clock(total, clock.twelve_hour, bool(clock.seconds) or total % 60 != 0,
                        "twentyfourhour" in words, "twelvehour" in words)


def _print_clock(seconds: int, twelve_hour: bool, with_seconds: bool, as_24: bool, as_12: bool) -> str | None:
    if as_24 and as_12:
        return None
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    tail = f":{secs:02d}" if with_seconds else ""
    if (twelve_hour or as_12) and not as_24:
        half = "AM" if hours < 12 else "PM"
        return f"print({f'{(hours % 12) or 12}:{minutes:02d}{tail} {half}'!r})"
    return f"print({f'{hours:02d}:{minutes:02d}{tail}'!r})"


_CONVERT_WORDS = frozenset(str.split("""
    convert converted in into to as time format clock written write express expressed what is the military
    notation how would you equivalent standard
"""))


def _clock_converted(found: Found, words: list[str], ask: Ask) -> str | None:
    """"Convert 3:45 PM to 24-hour time." -> 15:45; "What is 15:45 in 12-hour format?" -> 3:45 PM."""
    if not counts(found, clocks=1):
        return None
    to_24 = "twentyfourhour" in words or "military" in words
    to_12 = "twelvehour" in words
    clock = found.clocks[0]
    if to_24 == to_12 or (to_24 and not clock.twelve_hour) or (to_12 and clock.twelve_hour):
        return None
    if not only(words, _CONVERT_WORDS | {"twentyfourhour", "twelvehour"}):
        return None
    return _print_clock(clock.minutes * 60 + clock.seconds, False, bool(clock.seconds), to_24, to_12)


_HMS_WORDS = frozenset(("convert", "seconds", "second", "to", "into", "as", "in", "format", "written",
                        "express", "expressed", "how", "would", "that", "look", "be", "hmsclock",
                        "hhmmssclock"))


def _seconds_as_clock(found: Found, words: list[str], ask: Ask) -> str | None:
    """"Convert 3725 seconds to HH:MM:SS." -> 01:02:05 (H:MM:SS unpadded when asked so)."""
    padded = "hhmmssclock" in words
    if not counts(found, numbers=1) or padded == ("hmsclock" in words) or "seconds" not in words:
        return None
    if not only(words, _HMS_WORDS):
        return None
    hours, rest = divmod(found.numbers[0], 3600)
    width = "02d" if padded else "d"
    return f"print({f'{hours:{width}}:{rest // 60:02d}:{rest % 60:02d}'!r})"


_UNIX_WORDS = frozenset(str.split("""
    unix epoch timestamp time utc at midnight seconds since the for of is in what convert to corresponding
    posix date gmt start beginning as and noon for corresponds correspond
"""))


def _unix_timestamp(found: Found, words: list[str], ask: Ask) -> str | None:
    """"What is the Unix timestamp of 2024-01-01 00:00 UTC?" -> 1704067200; "What date is Unix
    timestamp 1700000000?" -> 2023-11-14 (with the time when asked)."""
    if not any(w in words for w in ("unix", "epoch", "posix")) or not only(words, _UNIX_WORDS):
        return None
    if len(found.dates) == 1 and not found.month_years and len(found.clocks) <= 1 and not found.numbers:
        if found.clocks and found.clocks[0].twelve_hour and "utc" not in words:
            return None
        minutes = found.clocks[0].minutes if found.clocks else 0
        return ("import calendar, datetime\n"
                f"print(calendar.timegm(({date_literal(found.dates[0])}).timetuple()) + {minutes * 60})")
    if counts(found, numbers=1) and "date" in words and found.numbers[0] >= 100_000:
        moment = f"datetime.datetime.fromtimestamp({found.numbers[0]}, datetime.timezone.utc)"
        with_time = ask.strftime is not None and "%H" in ask.strftime
        if with_time or ("and" in words and "time" in words[words.index("and"):]):
            written = ask.strftime if with_time else "%Y-%m-%d %H:%M:%S UTC"
            return f"import datetime\nprint({moment}.strftime({written!r}))"
        if "and" in words:
            return None
        return "import datetime\n" + print_date(f"{moment}.date()", found, ask)
    return None


Reader = Callable[[Found, list[str], Ask], "str | None"]
CLOCK_READERS: tuple[Reader, ...] = (_between_clocks, _shifted_clock, _clock_converted, _seconds_as_clock,
                                     _unix_timestamp)
