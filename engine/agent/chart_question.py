"""A bar or pie chart of numbers the task gives, saved where it says, and its question answered."""

from __future__ import annotations

import re

from engine.agent.task_values import Value, masked_spans, values_and_words
from engine.tasktext.rounding_request import asked_rounding

__all__ = ["LIMIT", "chart_question"]

LIMIT = 1_000
"""Longest task (characters) read: a chart of a few numbers is asked in a short text."""
_KIND = re.compile(r"\b(?:an?\s+)?(?:simple\s+)?(?:(horizontal|vertical|h)\s*)?(bar|pie)\s*"
                   r"(?:chart|graph|plot)\b|\b(?:as\s+|(horizontal|vertical)\s+)(bar)s\b|\b(pie)\b(?!\s*chart)")
_EXTREME = {"tallest": "max", "highest": "max", "biggest": "max", "largest": "max", "longest": "max",
            "smallest": "min", "shortest": "min", "lowest": "min"}
_PART = r"(?:bars?|slices?|wedges?|segments?|sectors?)"
_CUES = (  # (pattern, what it asks)
    (r"\b(?:how\s+many|number\s+of)\s+(?:x\s+tick\s+labels|" + _PART + r")", "count"),
    (r"\b(?:sum|total)\s+(?:of\s+)?(?:the\s+|all\s+)*(?:bar\s+)?(?:heights?|lengths?)(?:\s+of\s+(?:all\s+)?"
     r"(?:the\s+)?bars)?|\b(?:bar\s+)?heights?\s+add\s+up(?:\s+to)?", "sum"),
    (r"\b(?:average|mean)\s+(?:of\s+)?(?:the\s+|all\s+)*(?:bar\s+)?(?:heights?|lengths?)", "mean"),
    (r"\b(" + "|".join(_EXTREME) + r")(?:\s+" + _PART + r")?\b|\b" + _PART + r"\s+is\s+(?:the\s+)?("
     + "|".join(_EXTREME) + r")\b", "extreme"),
    (r"\bnamed\s+" + _PART + r"\b", "named"),
)
_ASKED = (  # what of the extreme or named part is asked, by the words around
    ("label percent", r"\blabel\s+and\s+(?:the\s+)?percentage\b"),
    ("percent", r"\b(?:percentage|percent|share)\b|%"),
    ("value", r"\bheight\b|\bhow\s+(?:tall|high|big|long)\b|\bvalue\b"),
    ("label", r"\bwhich\b|\blabel\b|\bname\b|\bcategory\b"),
)
_FILLER = frozenset(str.split("""
    make draw plot create build render save saved saving store it as to at in into the a an of for with and
    then please could can would you me my i want need figure image file png chart graph showing using
    matplotlib them this these values following here is are data so ok okay hey also print tell report say
    give show what does do did has have there its which label name category height how tall high big long
    value percentage percent share % many number bars bar slices slice wedge wedges segment segments sector
    sectors tick labels x sum total add up average mean that on all shown drawn plotted when labelled heights
    s lengths length hi here's heres list numbers put output question i'd like pls file pie
""")) | frozenset(_EXTREME)
_PUNCTUATION = frozenset(",.;:!?-—–()'\"")
_NAMING_WORDS = 4
_NAMED_AFTER = ("of", "for", "my", "showing")
"""Words the task may use to name its data ("my monthly budget", "fruit counts"), just before it."""


def chart_question(task: str) -> str | None:
    """Python (matplotlib) that draws a bar or pie chart of the numbers the task gives, labelled ("rent
    900, food 400", {"a": 5}, or labels in a list beside the values) or not, saves it to the one .png
    path under /workspace it names, and prints the answer to its one question: how many bars or
    slices, the sum or average of the bar heights, which label has the tallest bar or biggest slice,
    its height or its percentage, or a named slice's percentage. None when anything else is in the
    task: another value, a word it does not know, a stacked or grouped chart, a second question."""
    if len(task) > LIMIT:
        return None
    rounding = asked_rounding(task)
    text = task if rounding is None else rounding.question
    values, _ = values_and_words(text)
    paths = [v for v in values if v.kind == "string" and v.text.startswith("/workspace/")
             and v.text.lower().endswith(".png")]
    data = _chart_data(values)
    if len(paths) != 1 or data is None:
        return None
    numbers, spans, named = data
    if named is None:
        named = _named_part(text, numbers, spans)
    rest = masked_spans(text, [(span, "DATA") for span in spans] + [(paths[0].span, "PATH")]
                   + ([(named.span, "NAMED")] if named else [])).lower()
    kinds = list(_KIND.finditer(rest))
    chosen = {next(g for g in (m.group(2), m.group(4), m.group(5)) if g) for m in kinds}
    if len(chosen) != 1:
        return None
    kind = chosen.pop()
    horizontal = any(m.group(1) in ("horizontal", "h") or m.group(3) == "horizontal" for m in kinds)
    rest = _KIND.sub(" ", rest)
    asked = _asked(rest, kind, named.text if named else None, numbers)
    if asked is None or not _all_read(rest):
        return None
    return _program(numbers, kind, horizontal, paths[0].text, asked,
                    None if rounding is None else rounding.digits)


def _chart_data(values: list[Value]) -> tuple[dict[str, float], list[tuple[int, int]], Value | None] | None:
    """The chart's numbers by label (positions when unlabelled), their spans, and a quoted label."""
    others = [v for v in values if not (v.kind == "string" and v.text.startswith("/workspace/"))]
    dicts = [v for v in others if v.kind == "dict"]
    runs = [v for v in others if v.kind == "run"]
    lists = [v for v in others if v.kind == "list"]
    strings = [v for v in others if v.kind == "string"]
    numbers: dict[str, float] = {}
    if len(dicts) == 1 and not runs and not lists and isinstance(dicts[0].parsed, dict):
        numbers = {str(k): v for k, v in dicts[0].parsed.items() if isinstance(v, int | float)}
        spans = [dicts[0].span]
        if len(numbers) != len(dicts[0].parsed):
            return None
    elif len(runs) == 1 and not dicts and len(lists) <= 1:
        values_text = [float(n) if "." in n else int(n) for n in runs[0].numbers]
        labels = lists[0].parsed if lists else [str(i) for i in range(1, len(values_text) + 1)]
        if not isinstance(labels, list) or len(labels) != len(values_text):
            return None
        if len(set(map(str, labels))) != len(labels):
            return None
        numbers = dict(zip(map(str, labels), values_text, strict=True))
        spans = [runs[0].span] + ([lists[0].span] if lists else [])
    else:
        return None
    if len(numbers) < 2 or any(isinstance(v, bool) or v < 0 for v in numbers.values()) or len(strings) > 1:
        return None
    named = strings[0] if strings else None
    if named is not None and named.text not in numbers:
        return None
    return numbers, spans, named


def _named_part(text: str, numbers: dict[str, float], spans: list[tuple[int, int]]) -> Value | None:
    """A label of the data written before "slice" or "bar" outside it ("what % is the coffee slice")."""
    found = [m for label in numbers if not label.isdigit()
             for m in re.finditer(rf"(?<!\w){re.escape(label)}(?=\s+{_PART}\b)", text, re.IGNORECASE)
             if not any(start <= m.start() < end for start, end in spans)]
    if len(found) != 1:
        return None
    label = next(k for k in numbers if k.lower() == found[0].group().lower())
    return Value("string", label, span=found[0].span())


def _asked(rest: str, kind: str, named: str | None, numbers: dict[str, float]) -> tuple[str, str] | None:
    """(what is asked, its extreme "max"/"min" or the named label) when the task asks one thing."""
    cues = [(what, match) for pattern, what in _CUES for match in re.finditer(pattern, rest)]
    if len({what for what, _ in cues}) != 1:
        return None
    what = cues[0][0]
    if what in ("count", "sum", "mean"):
        return (what, "") if what == "count" or kind == "bar" else None
    if what == "extreme":
        words = {m.group(1) or m.group(2) for _, m in cues}
        extremes = {_EXTREME[w] for w in words}
        if len(extremes) != 1:
            return None
        target = extremes.pop()
    else:
        target = f"={named}"
    asked = next((name for name, pattern in _ASKED if re.search(pattern, rest)), "label")
    if ("percent" in asked and kind != "pie") or (asked != "percent" and named is not None):
        return None
    if asked in ("label", "label percent") and all(k.isdigit() for k in numbers):
        return None  # unlabelled values: no label to give
    return asked, target


def _all_read(rest: str) -> bool:
    words = [w for w in re.findall(r"[a-z0-9%]+|[^\sa-z0-9]", rest) if w not in _PUNCTUATION]
    naming = {i for mark in (i for i, w in enumerate(words) if w == "data") for i in _naming(words, mark)}
    for index, word in enumerate(words):
        if word in _FILLER or word in ("path", "named") or index in naming:
            continue
        if index and words[index - 1] == "which":
            continue  # "which month has the tallest bar"
        return False
    return True


def _naming(words: list[str], mark: int) -> range:
    """Where the words naming the data stand, just before it: after "of", "for" or "my", or starting
    the text ("a pie chart of my monthly budget -- rent 900, ...", "Monthly sales: Jan 340, ...")."""
    start = mark
    while start > 0 and mark - start < _NAMING_WORDS and words[start - 1].isalpha() \
            and words[start - 1] not in _NAMED_AFTER:
        start -= 1
    return range(start, mark) if start == 0 or words[start - 1] in _NAMED_AFTER else range(0)


def _program(numbers: dict[str, float], kind: str, horizontal: bool, path: str, asked: tuple[str, str],
             digits: int | None) -> str:
    places = 1 if digits is None else digits
    lines = ["import os", "import matplotlib", "matplotlib.use('Agg')", "import matplotlib.pyplot as plt",
             f"data = {numbers!r}", f"os.makedirs(os.path.dirname({path!r}) or '.', exist_ok=True)",
             "fig, ax = plt.subplots()"]
    if kind == "pie":
        lines.append(f"ax.pie(list(data.values()), labels=list(data), autopct='%1.{places}f%%')")
    else:
        lines.append(f"ax.{'barh' if horizontal else 'bar'}(list(data), list(data.values()))")
    lines += [f"fig.savefig({path!r})", "plt.close(fig)"]
    what, target = asked
    if what == "count":
        return "\n".join([*lines, "print(len(data))"])
    if what in ("sum", "mean"):
        total = "sum(data.values())" if what == "sum" else "sum(data.values()) / len(data)"
        value = total if digits is None else f"round({total}, {digits})"
        return "\n".join([*lines, f"print({value})"])
    pick = f"data[{target[1:]!r}]" if target.startswith("=") else f"{target}(data.values())"
    lines += [f"best = {pick}", "labels = [k for k, v in data.items() if v == best]",
              "share = 100 * best / sum(data.values())"]
    answers = {"label": "', '.join(labels)", "value": "best", "percent": f"f'{{share:.{places}f}}%'",
               "label percent": f"f\"{{', '.join(labels)}} {{share:.{places}f}}%\""}
    return "\n".join([*lines, f"print({answers[what]})"])
