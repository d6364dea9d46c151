"""The words of a question asked of a pasted table, read as columns, cell values, comparisons and words."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["AGGREGATE", "COUNTING", "DISTINCT", "ORDINAL", "PERSON_NOUNS", "Token", "read_words"]

_PHRASES = (  # each made one word before reading, so it is one token
    (r"\bweighted\s+by\s+(?:the\s+)?(?:number\s+of\s+)?", "weighted by "), (r"\bover\s+all\s+rows\b", ""),
    (r"\bstandard\s+deviation\b", "std"), (r"\bdata\s*frame\b", "dataframe"), (r"\bhow\s+many\b", "howmany"),
    (r"\bnumber\s+of\b", "numberof"), (r"\bon\s+average\b", "average"), (r"\bin\s+total\b", "total"),
    (r"\badd\s+up\b", "sum"), (r"\bmost\s+(?:often|common|frequent(?:ly)?)\b", "most"),
    (r"\bleast\s+(?:often|common|frequent(?:ly)?)\b", "least"),
    (r"\bdifference\s+between\s+the\s+(?:highest|largest|maximum)\s+and\s+(?:the\s+)?"
     r"(?:lowest|smallest|minimum)\b", "range"),
    (r"\(\s*max(?:imum)?\s+minus\s+min(?:imum)?\s*\)", ""), (r"\bper\s*cent(?:age)?\b", "percent"),
    (r"\bwhat's\b", "what"), (r"\bhere's\b", "here"), (r"\blet's\b", "let"), (r"\baged\b", "age"),
    (r"\b(?:from\s+)?(?:highest|largest|biggest|most\s+expensive)\s+(?:first|to\s+(?:lowest|smallest))\b"
     r"|\bdescending(?:\s+order)?\b", "descending"),
    (r"\b(?:from\s+)?(?:lowest|smallest|cheapest)\s+(?:first|to\s+(?:highest|largest))\b"
     r"|\bascending(?:\s+order)?\b", "ascending"),
    (r"\bnot\s+counting\s+the\s+header\b|\bexcluding\s+the\s+header\b", ""),
    (r"\blook\s+up\b|\baccording\s+to\b|\bin\s+this\s+list\b|\bacross\s+all(?:\s+the)?\s+\w+\b", ""),
    (r"\(?\blike\s+\d+(?:\.\d+)?%\)?|\bjust\s+the\s+(?:name|number)(?:\s+please)?\b|\bmarked\s+as\b", ""),
    (r"^\s*(?:(?:hey|hi|ok|okay|so)\b[,!]?\s*)*(?:quick\s+(?:one|question)\s*[:,-]?\s*)?", ""),
    (r"\bwho's\b", "who"), (r"\bstd\.?\s+dev(?:iation)?\b", "std"), (r"\$(?=\d)", ""),
    (r"\bwhat\s+(?:%|share|fraction|proportion)(?=\s+of\b)", "what percent"),
    (r"\bequal\s+to\s+(?![-\d])", "is "),
    (r"\bwhat\s+%", "what percent"),
    (r"\b(?:ignoring|skipping|excluding|dropping|without)\s+(?:the\s+|any\s+)?(?:missing|empty|blank|nan|null)"
     r"(?:\s+(?:values?|cells?|entries|scores?))?\b", ""),
    (r"\b(?:missing|null|nan|empty|blank)(?:\s+(?:values?|cells?|entries))?\b", "missing"),
    (r"\b(?:summed|added\s+up)\b", "sum"),
    (r"\bequal\s+to\s+(?=['\"])", "= "),
)
_NUMBER = r"(-?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|-?\d+(?:\.\d+)?)"
"""A number a comparison is made with, thousands commas allowed ("over 1,000")."""
_COMPARISONS = (  # (pattern, operator, whether the number comes first)
    (r"(?:greater|more|higher|larger|bigger)\s+than|over|above|exceeding|>", ">", False),
    (r"at\s+least|no\s+less\s+than|>=", ">=", False),
    (r"(?:less|fewer|lower|smaller)\s+than|under|below|<", "<", False),
    (r"at\s+most|no\s+more\s+than|<=", "<=", False),
    (r"equal\s+to|exactly|==?", "==", False),
    (r"older\s+than", ">", False), (r"younger\s+than", "<", False),
    (r"or\s+(?:more|above|higher|greater|over)", ">=", True),
    (r"or\s+(?:less|fewer|below|lower|under)", "<=", True),
)
_BETWEEN = r"(?<![\w<>=])between\s+" + _NUMBER + r"\s+and\s+" + _NUMBER + r"\b"
AGE_WORDS = ("older", "younger")
AGGREGATE = {
    "average": "mean", "mean": "mean", "avg": "mean", "median": "median", "sum": "sum", "total": "sum",
    "combined": "sum", "maximum": "max", "max": "max", "highest": "max", "largest": "max", "biggest": "max",
    "greatest": "max", "most": "max", "top": "max", "minimum": "min", "min": "min", "lowest": "min",
    "smallest": "min", "least": "min", "fewest": "min", "std": "std", "variance": "var", "range": "range",
}
PERSON_NOUNS = frozenset({"person", "employee", "student", "runner", "player", "customer", "worker",
                          "member", "one"})
"""What "which ..." may ask for where the table's column of people's names is meant."""
COUNTING = frozenset({"howmany", "numberof", "count"})
DISTINCT = frozenset({"distinct", "unique", "different"})
ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "last": -1}
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NOT_ROWS = _words("columns fields cells headers characters letters words digits duplicates nulls blanks "
                   "decimals times")
"""Nouns that are not the table's rows, where a counted noun would stand ("how many columns")."""


_MEANING = frozenset({"percent", "population", "ascending", "descending", "sort", "sorted", "sorting",
                      "by", "list", "place", "position", "comes", "group", "grouped", "missing", "weighted"})
_FILLER = _words("""
    what whats is are was were be the a an of in on for from this these that those table data dataset
    dataframe df csv pandas using use used with column field value values rows records
    entry entries give me tell find compute calculate work out get show print report please do does i my
    we our you your here heres and it its to there has have had load loaded read into following given ok
    okay so want need got some let lets can could would should will answer result just all overall
    across only as at where whose which who sample how much appear appears occur occurs after
    scored scores spent sold earned earns made paid cost costs sells
    below listed shown recorded pls number figure when logged worked came placed ordered bought received
    used took needed collected donated determine provided entire whole output return display exact exactly
    precisely
""")
_FILE_WORDS = _words("write wrote written writing save saved saving put store stored then back file once "
                     "create dump")
"""Read as nothing when the task names a .csv file under /workspace to write the table to."""


_UNIT_SUFFIXES = _words("c f k m g kg lb cm mm km m s sec secs min mins h hr hrs hours pct usd eur gbp ml l")
"""A column's unit after an underscore ("temp_c", "weight_kg"): a question names it without."""
_SPELLED_OUT = {"temp": ("temperature", "temperatures"), "qty": ("quantity", "quantities"),
                "dept": ("department", "departments"), "amt": ("amount",), "cat": ("category",),
                "pop": ("population",), "pct": ("percentage",)}


@dataclass(frozen=True, slots=True)
class Token:
    """One word of the question, or a column, a cell value or a comparison found in it."""

    kind: str
    """"column", "cell", "compare", "between" or "word"."""
    text: str
    column: str = ""
    value: str = ""
    operator: str = ""
    start: int = 0


def read_words(question: str, header: list[str], cells: dict[str, set[str]], *,
               names_file: bool) -> list[Token] | None:
    """The question's tokens in order; None when a word is not one this reader knows. `cells`
    holds each text column's values; with `names_file` the words of writing a file are read as
    nothing."""
    text = question.lower()
    for pattern, joined in _PHRASES:
        text = re.sub(pattern, joined, text)
    found: list[Token] = []
    taken: list[tuple[int, int]] = []

    def claim(span: tuple[int, int]) -> bool:
        if any(span[0] < end and start < span[1] for start, end in taken):
            return False
        taken.append(span)
        return True

    for match in re.finditer(_BETWEEN, text):
        if claim(match.span()):
            low, high = (match.group(n).replace(",", "") for n in (1, 2))
            found.append(Token("between", "between", value=f"{low},{high}",
                               start=match.start()))
    for pattern, operator, number_first in _COMPARISONS:
        regex = (_NUMBER + r"\s+(?:" + pattern + r")\b" if number_first
                 else r"(?<![\w<>=])(?:" + pattern + r")\s*" + _NUMBER + r"\b")
        for match in re.finditer(regex, text):
            if claim(match.span()):
                word = next((w for w in AGE_WORDS if match.group().startswith(w)), "")
                found.append(Token("compare", word, operator=operator, value=match.group(1).replace(",", ""),
                                   start=match.start()))
    for column in header:
        for form in _column_forms(column):
            for match in re.finditer(r"(?<![\w'])['\"`]?" + re.escape(form) + r"['\"`]?(?![\w'])", text):
                if claim(match.span()):
                    found.append(Token("column", form, column=column, start=match.start()))
    for column, values in cells.items():
        for value in sorted(values, key=len, reverse=True):
            if len(value) < 2 or value.lower() not in text:
                continue  # the substring test first: a table has many cells, a question few words
            quote = "['\"`]" if value.lower() in _FILLER or value.lower() in AGGREGATE else "['\"`]?"
            for match in re.finditer(r"(?<!\w)" + quote + re.escape(value.lower()) + quote + r"(?!\w)", text):
                if claim(match.span()):
                    found.append(Token("cell", value, column=column, value=value, start=match.start()))
    for match in re.finditer(r"[a-z0-9][a-z0-9_']*|\S", text):
        if not any(start <= match.start() < end for start, end in taken):
            word = match.group().strip("'")
            if word.endswith("'s") and word[:-2] in _FILLER:
                word = word[:-2]  # "the dataframe's"
            if word and word not in ",.?!;:-()":
                found.append(Token("word", word, start=match.start()))
    found.sort(key=lambda token: token.start)
    return found if _all_read(found, names_file) else None


def _column_forms(column: str) -> list[str]:
    """How a question may name a column: "unit_price" as "unit price", "temp_c" as "temp" or
    "temperature", "qty" as "quantity", with plurals."""
    name = column.lower()
    forms = {name, name.replace("_", " ")}
    stem, _, suffix = name.rpartition("_")
    if stem and suffix in _UNIT_SUFFIXES:
        forms |= {stem, stem.replace("_", " ")}
    for form in list(forms):
        forms |= set(_SPELLED_OUT.get(form, ()))
    for form in list(forms):
        forms |= {form + "s", form + "es"}
        if form.endswith("y"):
            forms.add(form[:-1] + "ies")
    return sorted(forms, key=len, reverse=True)


def _names_a_product(tokens: list[Token], index: int) -> bool:
    """Whether the word names two columns multiplied just after it: "total revenue (price times
    qty)", "the value of all stock (units * unit_price)"."""
    for token in tokens[index + 1:index + 5]:
        if token.kind == "column":
            return re.search(r"\s(?:times|multiplied)\s|[×*]", token.text) is not None
        if token.kind != "word":
            return False
    return False


def _all_read(tokens: list[Token], names_file: bool) -> bool:
    """Every word is one this reader knows, or a noun where one names what is counted or compared
    ("how many tickets", "the most tickets", "the Sales department", "people older than 30", "the
    items with a price above 5")."""
    for index, token in enumerate(tokens):
        word = token.text
        if token.kind != "word" or word in _FILLER or word in AGGREGATE or word in COUNTING:
            continue
        if word in DISTINCT or word in _MEANING or word in ORDINAL or (names_file and word in _FILE_WORDS):
            continue
        if word in _NOT_ROWS:
            return False
        if _names_a_product(tokens, index):
            continue
        before = [t for t in tokens[:index] if t.text not in ("the", "a", "these", "those")]
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        if before and (before[-1].text in COUNTING or before[-1].text in ("most", "fewest", "group")
                       or before[-1].kind == "cell" or before[-1].text in DISTINCT):
            continue
        later = [t for t in tokens[index + 1:] if t.text not in ("are", "is", "were", "was", "who")]
        if later and later[0].kind == "compare" and later[0].text in AGE_WORDS:
            continue  # "people older than 30", "the staff who are younger than 40"
        if before and before[-1].text in ("which", "who") and word in PERSON_NOUNS:
            continue
        if (before and before[-1].text in ("of", "my") and after is not None
                and after.text in ("with", "where", "whose", "that")):
            continue
        if later and later[0].kind == "compare" and before and before[-1].text in ("of", "my"):
            continue  # "what percent of my transactions were over 50"
        return False
    return True
