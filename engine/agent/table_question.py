"""A question about a table pasted below it ("the average salary in the Sales department"), as pandas code."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from engine.agent.table_words import (
    AGE_WORDS,
    AGGREGATE,
    COUNTING,
    DISTINCT,
    ORDINAL,
    PERSON_NOUNS,
    Token,
    read_words,
)
from engine.agent.task_values import PASTED_TABLE
from engine.tasktext.rounding_request import asked_rounding

__all__ = ["LIMIT", "table_question"]

LIMIT = 4_000
"""Longest task (characters) read: a small table and its question."""
_MAX_QUESTION = 300
_CSV_PATH = re.compile(r"(?<![\w/.~-])/workspace(?:/[\w-]+)*/[\w-]+\.csv\b")
_ONE_COLUMN = re.compile(r"\n([A-Za-z_]\w*[ \t]*\n(?:[ \t]*-?\d+(?:\.\d+)?[ \t]*(?:\n|$)){2,})\s*$")
"""A table of one numeric column: its name, then a number a line."""
_PRODUCT = r"\s*(?:times|×|\*|multiplied\s+by)\s*"
_SUBJECT_WORDS = ("is", "are", "was", "were", "of", "a", "an", "with", "where", "whose", "has", "have",
                  "the", "that", "=")
_ASKING_WORDS = ("which", "what", "most", "least", "list")
_ASKING_VERBS = ("list", "print", "give", "show", "find", "get", "tell")
_PERSON_COLUMNS = ("name", "person", "employee", "student", "runner", "player", "customer", "who")


@dataclass(slots=True)
class _Reading:
    """What the question asks, gathered from its tokens."""

    tokens: list[Token]
    header: list[str]
    numeric: set[str]
    filters: list[str] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    """Indexes of column tokens a filter, label or sort has taken."""
    ids: set[str] = field(default_factory=set)
    """Numeric columns that number the rows (1, 2, 3, ...): what is counted, not measured."""
    meanings: set[str] = field(default_factory=set)
    """Words that change the answer and were acted on ("by", "percent", "sort"...)."""

    @property
    def words(self) -> list[str]:
        return [t.text for t in self.tokens if t.kind == "word"]


def table_question(task: str) -> str | None:
    """Python (pandas) that prints the answer to a question asked of a CSV table pasted below it, when
    every word of the question is read: an aggregate of one column ("average salary", "the range of
    the temp column"), of the rows cell values or comparisons pick ("in the Sales department", "older
    than 30", "a price between 5 and 20"), a count or percentage of those rows, a value looked up
    ("the price of 'mug'"), the labels of the rows picked ("which products have a price below 10"),
    the label with the highest, lowest or second highest value, per group when labels repeat ("which
    city has the highest mean temp", "the most common color"), or the label at a place once sorted.
    A .csv path under /workspace to save the table to is written and read back. Rounding asked for is
    applied. None for anything else: a word it does not know, two columns to combine, a group table."""
    if len(task) > LIMIT:
        return None
    pasted = PASTED_TABLE.search(task) or _ONE_COLUMN.search(task)
    if pasted is None:
        return None
    question, table_text = task[:pasted.start(1)].strip(), pasted.group(1).strip()
    if not question or len(question) > _MAX_QUESTION:
        return None
    rounding = asked_rounding(question)
    if rounding is not None:
        question = rounding.question
    paths = set(_CSV_PATH.findall(question))
    if len(paths) > 1:
        return None
    path = paths.pop() if paths else None
    if path is not None:  # "first save this to P, then ...", "Write this to P first."
        question = re.sub(r"^\s*first\b,?|\bfirst(?=\s*[.,;:])", " ", question.replace(path, " "),
                          flags=re.IGNORECASE)
    table = _read_table(table_text)
    if table is None:
        return None
    header, rows = table
    numeric = {c for i, c in enumerate(header)
               if all(re.fullmatch(r"-?\d+(?:\.\d+)?", r[i]) for r in rows if r[i])
               and any(r[i] for r in rows)}
    cells = {c: {r[i] for r in rows if r[i]} for i, c in enumerate(header) if c not in numeric}
    products = _products(question, numeric)
    tokens = read_words(question, [*products, *header], cells, names_file=path is not None)
    if tokens is None:
        return None
    reading = _Reading(tokens, header, numeric | set(products), ids={
        c for i, c in enumerate(header) if c in numeric and _numbers_the_rows([r[i] for r in rows])})
    answer = _answer(reading, rows, None if rounding is None else rounding.digits)
    if answer is None or not _meanings_acted_on(reading):
        return None
    if path is None:
        load = [f"df = pd.read_csv(io.StringIO({table_text!r}))"]
    else:
        load = [f"with open({path!r}, 'w') as handle:", f"    handle.write({table_text + chr(10)!r})",
                f"df = pd.read_csv({path!r})"]
    made = [f"df[{name!r}] = df[{left!r}] * df[{right!r}]" for name, (left, right) in products.items()]
    lines = ["import io", "import pandas as pd", *load, *made, "total_rows = len(df)"]
    if reading.filters:
        lines.append(f"df = df[{' & '.join(reading.filters)}]")
    return "\n".join(lines + answer)


def _numbers_the_rows(values: list[str]) -> bool:
    if not all(re.fullmatch(r"\d+", v) for v in values):
        return False
    numbers = [int(v) for v in values]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _products(question: str, numeric: set[str]) -> dict[str, tuple[str, str]]:
    """Two numeric columns multiplied in the question ("price times qty", "units * unit_price"), as a
    column of their own named by the words that ask for it."""
    found: dict[str, tuple[str, str]] = {}
    names = sorted(numeric, key=len, reverse=True)
    either = "|".join(re.escape(name.lower()) for name in names)
    if not either:
        return found
    for match in re.finditer(rf"(?<!\w)({either}){_PRODUCT}({either})(?!\w)", question.lower()):
        left = next(n for n in names if n.lower() == match.group(1))
        right = next(n for n in names if n.lower() == match.group(2))
        found[match.group()] = (left, right)
    return found


def _read_table(text: str) -> tuple[list[str], list[list[str]]] | None:
    lines = list(csv.reader(io.StringIO(text)))
    if len(lines) < 2 or len(lines) > 500:
        return None
    header = [cell.strip() for cell in lines[0]]
    if len(set(header)) != len(header) or not all(re.fullmatch(r"[A-Za-z][\w ]*", c) for c in header):
        return None
    rows = [[cell.strip() for cell in line] for line in lines[1:]]
    if any(len(row) != len(header) for row in rows):
        return None
    return header, rows


def _meanings_acted_on(reading: _Reading) -> bool:
    """A word such as "by", "percent" or "sort" that nothing acted on means the question asks more."""
    pending = {"by", "percent", "sort", "sorted", "sorting", "list", "place", "position", "comes",
               "group", "grouped", "ascending", "descending", "missing", "weighted"} & set(reading.words)
    return pending <= reading.meanings


def _answer(reading: _Reading, rows: list[list[str]], digits: int | None) -> list[str] | None:
    tokens = reading.tokens
    if not _read_filters(reading):
        return None
    words = reading.words
    sort = _sort_column(reading)
    label = _label_column(reading)
    aggregates = [AGGREGATE[w] for w in words if w in AGGREGATE]
    counting = any(w in COUNTING for w in words)
    distinct = any(w in DISTINCT for w in words)
    places = [ORDINAL[w] for w in words if w in ORDINAL]
    weights = _weights_column(reading) if "weighted" in words else None
    _read_row_nouns(reading)
    if "howmany" in words and not aggregates and _counts_a_number(reading):
        counting, aggregates = False, ["sum"]  # "how many units were sold": the units added up
    columns = [t.column for i, t in enumerate(tokens) if t.kind == "column" and i not in reading.used]
    targets = list(dict.fromkeys(c for c in columns if c in reading.numeric and c != label))
    others = [c for c in columns if c not in reading.numeric and c != label]
    if len(targets) > 1 or len(places) > 1 or (others and not (counting and distinct)):
        return None
    target = targets[0] if targets else None
    ddof = 0 if "population" in words else 1
    if "missing" in words:  # "count the missing values in the score column"
        reading.meanings.add("missing")
        column = target or (others[0] if len(others) == 1 else None)
        if not counting or aggregates or column is None or len(targets) + len(others) != 1 or label:
            return None
        return [f"print(int(df[{column!r}].isna().sum()))"]
    if "weighted" in words:
        if weights is None or target is None or aggregates != ["mean"] or target == weights:
            return None
        return [f"value = (df[{target!r}] * df[{weights!r}]).sum() / df[{weights!r}].sum()",
                _print_number("value", digits)]
    if sort is not None:
        return _sorted_place(reading, sort, label, places, aggregates or counting or target)
    if label is not None:
        return _label_answer(reading, aggregates, counting, target, label, rows, places, ddof)
    if places:  # "the second highest score"
        if target is None or aggregates not in (["max"], ["min"]) or places[0] < 1 or counting:
            return None
        return [f"ranked = df[{target!r}].drop_duplicates().sort_values(ascending={aggregates == ['min']})",
                f"print(ranked.iloc[{places[0] - 1}])"]
    if "percent" in words:
        reading.meanings.add("percent")
        if aggregates or counting or not reading.filters:
            return None
        return [_print_number("100 * len(df) / total_rows", digits, suffix="%")]
    if counting:
        if aggregates or (target is not None and not distinct):
            return None
        if distinct:
            column = target or (others[0] if len(others) == 1 else None)
            return None if column is None else [f"print(df[{column!r}].nunique())"]
        return ["print(len(df))"]
    measures = [c for c in reading.numeric if c not in reading.ids]
    if target is None and len(measures) == 1 and aggregates:
        target = measures[0]  # "what is the average?" of the one column of measures
    if target is None or distinct or len(set(aggregates)) > 1:
        return None
    if not aggregates:  # a value looked up: "the price of 'mug'"
        if not reading.filters:
            return None
        return [f"found = df[{target!r}].tolist()", "print(found[0] if len(found) == 1 else found)"]
    return [f"value = {_aggregate(target, aggregates[0], ddof)}", _print_number("value", digits)]


def _read_row_nouns(reading: _Reading) -> None:
    """A text column named as what rows are ("how many products", "count the orders", "the items
    with qty above 10") says nothing more: it is taken."""
    tokens = reading.tokens
    for index, token in enumerate(tokens):
        if token.kind != "column" or token.column in reading.numeric or index in reading.used:
            continue
        before = [t.text for t in tokens[:index] if t.text not in ("the", "a")]
        after = tokens[index + 1].text if index + 1 < len(tokens) else ""
        if (before and before[-1] in COUNTING) or after in ("with", "where", "whose", "that", "in", "from",
                                                            "for"):
            reading.used.add(index)


def _counts_a_number(reading: _Reading) -> bool:
    """Whether "how many" is followed by a numeric column ("how many units were sold")."""
    tokens = reading.tokens
    return any(t.text == "howmany" and i + 1 < len(tokens) and tokens[i + 1].kind == "column"
               and tokens[i + 1].column in reading.numeric and i + 1 not in reading.used
               for i, t in enumerate(tokens))


def _weights_column(reading: _Reading) -> str | None:
    """The numeric column after "weighted by" ("the mean score weighted by credits"), taken."""
    tokens = reading.tokens
    at = next(i for i, t in enumerate(tokens) if t.text == "weighted")
    if at + 2 >= len(tokens) or tokens[at + 1].text != "by" or tokens[at + 2].kind != "column" \
            or tokens[at + 2].column not in reading.numeric:
        return None
    reading.used.add(at + 2)
    reading.meanings |= {"weighted", "by"}
    return tokens[at + 2].column


def _aggregate(column: str, name: str, ddof: int) -> str:
    if name == "range":
        return f"df[{column!r}].max() - df[{column!r}].min()"
    return f"df[{column!r}].{name}({f'ddof={ddof}' if name in ('std', 'var') else ''})"


def _read_filters(reading: _Reading) -> bool:
    """Turn cell values and comparisons into pandas conditions; False when one has no column."""
    tokens = reading.tokens
    for index, token in enumerate(tokens):
        if token.kind == "cell":
            reading.filters.append(f"(df[{token.column!r}].astype(str) == {token.value!r})")
            if (index and tokens[index - 1].text == "by") or (index > 1 and tokens[index - 2].text == "by" \
                    and tokens[index - 1].text == "the"):
                reading.meanings.add("by")  # "logged by the Design team"
            for near in (index - 2, index - 1, index + 1):  # "region is 'north'", "the IT dept"
                if 0 <= near < len(tokens) and tokens[near].kind == "column" \
                        and tokens[near].column == token.column \
                        and (near != index - 2 or tokens[index - 1].text in ("is", "=", "of")):
                    reading.used.add(near)
        elif token.kind in ("compare", "between"):
            column = _compared_column(reading, index)
            if column is None:
                return False
            if token.kind == "between":
                low, high = token.value.split(",")
                reading.filters.append(f"(df[{column!r}] >= {low}) & (df[{column!r}] <= {high})")
            else:
                reading.filters.append(f"(df[{column!r}] {token.operator} {token.value})")
    return True


def _compared_column(reading: _Reading, index: int) -> str | None:
    """The column a comparison is about: the column just before it ("where age is over 40", "a score
    of at least 70"), age for "older than", or the table's one numeric column."""
    tokens, numeric = reading.tokens, reading.numeric
    if tokens[index].text in AGE_WORDS:
        return next((c for c in reading.header if c.lower() == "age" and c in numeric), None)
    for back in range(index - 1, max(index - 5, -1), -1):
        token = tokens[back]
        if token.kind == "column":
            if token.column not in numeric:
                return None
            reading.used.add(back)
            counted = [t.text for t in tokens[:back] if t.text != "the"][-1:] in (["howmany"], ["count"])
            if token.column in reading.ids and counted:
                break  # "how many orders are over 1,000": the orders are what is counted
            return token.column
        if token.kind != "word" or token.text not in _SUBJECT_WORDS:
            break
    after = index + 1
    if after < len(tokens) and tokens[after].kind == "column" and tokens[after].column in numeric:
        reading.used.add(after)  # "worked more than 10 hours"
        return tokens[after].column
    measures = [c for c in numeric if c not in reading.ids]
    return measures[0] if len(measures) == 1 else None


def _label_column(reading: _Reading) -> str | None:
    """The text column a question asks for ("which city", "list the names", "the most common color",
    "the first product"), or the person's for "who"."""
    tokens = reading.tokens
    for index, token in enumerate(tokens):
        if token.kind != "column" or token.column in reading.numeric or index in reading.used:
            continue
        before = [t.text for t in tokens[max(0, index - 2):index]]
        following = tokens[index + 1].text if index + 1 < len(tokens) else ""
        asked = bool(before) and (before[-1] in _ASKING_WORDS or before[-1] in ORDINAL)
        # "print the name in the first row", "find the product with the lowest price"
        named = before[-2:] == ["list", "the"] or (
            len(before) == 2 and before[1] == "the" and before[0] in _ASKING_VERBS
            and following in ("in", "with", "whose", "where", "that"))
        if asked or named:
            reading.used.add(index)
            if "list" in before:
                reading.meanings.add("list")
            return token.column
    if any(t.text in ("who", "whose") or (t.text in PERSON_NOUNS and i and tokens[i - 1].text == "which")
           for i, t in enumerate(tokens)):
        names = [c for c in reading.header if c not in reading.numeric]
        person = [c for c in names if c.lower() in _PERSON_COLUMNS]
        return person[0] if person else (names[0] if len(names) == 1 else None)
    return None


def _sort_column(reading: _Reading) -> str | None:
    """The column of "sort (this table) by X" or "after sorting by X", with its direction read."""
    tokens = reading.tokens
    for index, token in enumerate(tokens):
        if token.text not in ("sort", "sorted", "sorting"):
            continue
        for ahead in range(index + 1, min(index + 5, len(tokens) - 1)):
            if tokens[ahead].text == "by" and tokens[ahead + 1].kind == "column":
                reading.used.add(ahead + 1)
                reading.meanings |= {token.text, "by"}
                return tokens[ahead + 1].column
    return None


def _sorted_place(reading: _Reading, sort: str, label: str | None, places: list[int],
                  other: object) -> list[str] | None:
    words = reading.words
    if label is None or other or len(places) != 1:
        return None
    descending = "descending" in words
    reading.meanings |= {"ascending", "descending", "place", "position", "comes"}
    place = places[0] - 1 if places[0] > 0 else places[0]
    return [f"ranked = df.sort_values({sort!r}, ascending={not descending}, kind='stable')",
            f"print(ranked[{label!r}].iloc[{place}])"]


def _label_answer(reading: _Reading, aggregates: list[str], counting: bool, target: str | None,
                  label: str, rows: list[list[str]], places: list[int], ddof: int) -> list[str] | None:
    superlatives = [a for a in aggregates if a in ("max", "min")]
    rest = [a for a in aggregates if a not in ("max", "min")]
    if counting:
        return None
    if not superlatives:  # "which products have a price below 10": the labels of the rows picked
        if rest or places or target is not None or not reading.filters:
            return None
        return [f"labels = df[{label!r}].tolist()", "print(labels[0] if len(labels) == 1 else labels)"]
    if len(superlatives) != 1:
        return None
    best = superlatives[0]
    repeats = len({row[reading.header.index(label)] for row in rows}) < len(rows)
    group_words = {"by", "group", "grouped"} & set(reading.words)
    if group_words:
        if not repeats:
            return None
        reading.meanings |= group_words
    if target is None:
        if rest or not repeats or places:
            return None  # "which team has the most tickets": rows counted per label
        return ["counts = df[" + repr(label) + "].value_counts()",
                f"print(', '.join(map(str, counts[counts == counts.{best}()].index)))"]
    if repeats:
        if len(rest) != 1 or places or rest[0] == "range":
            return None
        call = f"{rest[0]}({f'ddof={ddof}' if rest[0] in ('std', 'var') else ''})"
        return [f"per_label = df.groupby({label!r})[{target!r}].{call}",
                f"print(', '.join(map(str, per_label[per_label == per_label.{best}()].index)))"]
    if rest:
        return None
    place = places[0] if places else 1
    if place < 1:
        return None
    return [f"ranked = df[{target!r}].drop_duplicates().sort_values(ascending={best == 'min'})",
            f"top = df[df[{target!r}] == ranked.iloc[{place - 1}]]",
            f"print(', '.join(map(str, top[{label!r}])))"]


def _print_number(expression: str, digits: int | None, suffix: str = "") -> str:
    # numpy's own rounding, as a pandas user's round(df[c].mean(), 2) does
    value = (expression if digits is None else f"int(round({expression}))" if digits == 0
             else f"round({expression}, {digits})")
    return f"print({value}, {suffix!r}, sep='')" if suffix else f"print({value})"
