"""similar_programs(): a library example's program for a similar question, run with the task's values."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.agent.adapt import Adapted, paired_programs, with_rounding_apart
from engine.agent.adapt_ordinal import Reordered, reindexed, with_tasks_ordinal
from engine.agent.paraphrase import read_task
from engine.agent.rounding import asked_rounding
from engine.agent.task_values import BARE_NUMBER, MONTHS, WEEKDAYS, Value, values_and_words
from engine.run import WorkedExample

__all__ = ["NEAR_MIN", "SIMILAR_MIN", "similar_pairs", "similar_programs"]

SIMILAR_MIN = 0.70
"""Cosine similarity (bundled embedding model) from which an example's question counts as similar.
On data/dev/tasks_b.jsonl (the tuning set), the nearest similar example that passes similar_pairs
gave 13 right and 2 wrong answers at 0.70, 17 and 5 at 0.65."""

NEAR_MIN = 0.65
"""From here up to SIMILAR_MIN, an example's question counts as similar only when it also takes the
same steps in the same directions (a sum and a count, not a sum alone): a stricter test for a question
further off. On the library left-one-out (bench/adapt_audit.py) this band answered 113 of 164 as the
example itself did (the band from 0.70 to 0.75: 133 of 220); on data/dev, 5 more right and 1 wrong;
from 0.60, no more right and 3 more wrong."""

_CONVENTIONS = frozenset(("0", "1", "2"))
"""Numbers that, when only one of two similar tasks gives them, most often state a convention."""
_MASKED_ORDINALS = frozenset(("#7", "#9", "#11"))  # paraphrase's masks for ordinal values
_FORMAT = re.compile(r"\b(?:YYYY|YY|MM|DD|HH|SS)(?:[-/:](?:YYYY|YY|MM|DD|HH|SS))+\b")
"""A date format asked for ("give it as YYYY-MM-DD"): its MM is not millimetres."""
_NEUTRAL_STEPS = frozenset(("round",))
"""Steps that the rounding of the printed answer covers (adapt.py handles the places asked)."""
_OPPOSITES = (("ascending", "descending"), ("increasing", "decreasing"), ("before", "after"),
              ("earlier", "later"), ("earliest", "latest"), ("first", "last"), ("max", "min"),
              ("top", "bottom"), ("longest", "shortest"), ("oldest", "youngest"), ("older", "younger"),
              ("<", ">"), ("\u2265", "\u2264"), ("even", "odd"), ("upper", "lower"), ("encode", "decode"),
              ("encrypt", "decrypt"), ("left", "right"), ("prime", "composite"), ("positive", "negative"))
"""Operation words (as the task signature names them) that ask the opposite of each other."""
_OPPOSITE = {a: b for a, b in _OPPOSITES} | {b: a for a, b in _OPPOSITES}
_CALENDAR_NAME = re.compile(
    r"\b(?:(?i:" + "|".join(WEEKDAYS) + r")s?"
    r"|(?:(?i:" + "|".join(month for month in MONTHS if month != "may") + r")|May)"
    r"(?!\s+\d{1,2}(?!\d)))\b")
"""A day of the week or a month named in words: a program that counts Fridays does not count Mondays,
and February's days are not March's. Not a month before a day ("January 1 being day 1" names a
date), nor "may" without its capital (a verb)."""

_FUNCTION_NAME = re.compile(r"\b(?:(?:arc)?(?:sine|cosine|tangent|sin|cos|tan)|population|sample|probability"
                            r"|z-?score|percentile)\b", re.IGNORECASE)
"""Words naming the function computed, which the task lexer does not read: a program for the sine
is not one for the cosine, a sample's deviation not the population's, a z-score not a probability."""


def similar_programs(templates: Sequence[WorkedExample], task: str,
                     apart: Sequence[WorkedExample] = ()) -> list[Adapted]:
    """The first ADAPT_TRIES templates at or above SIMILAR_MIN whose question is similar to the task
    (similar_pairs), with their programs rewritten for the task's values, nearest first; the task's
    rounding request read apart when none is similar with it (with_rounding_apart)."""
    return with_rounding_apart(templates, task, _similar, apart)


def _similar(templates: Sequence[WorkedExample], task: str) -> list[Adapted]:
    """_similar_as_asked, and then for the examples asking for another place ("the second largest"
    for "the third largest"), their programs indexing the task's place (with_tasks_ordinal)."""
    found = _similar_as_asked(templates, task)
    if found:
        return found
    reordered: dict[int, tuple[Reordered, WorkedExample]] = {}
    for template in templates:
        if (moved := with_tasks_ordinal(template, task)) is not None:
            reordered[id(moved.template)] = (moved, template)
    adapted_found: list[Adapted] = []
    for adapted in _similar_as_asked([moved.template for moved, _ in reordered.values()], task):
        moved, original = reordered[id(adapted.template)]
        code = reindexed(adapted.code, moved.old, moved.new)
        if code is not None:
            # The answer quotes the example's own question, not the one rewritten here
            adapted_found.append(adapted._replace(template=original, code=code))
    return adapted_found


def _similar_as_asked(templates: Sequence[WorkedExample], task: str) -> list[Adapted]:
    def pairing(template: WorkedExample) -> list[tuple[Value, Value]] | None:
        if template.similarity < NEAR_MIN:
            return None
        pairs = similar_pairs(template.task, task)
        if pairs is None and (plain := _without_stated_factor(task, template.code)) is not None \
                and (asked_rounding(plain) is None) == (asked_rounding(template.task) is None):
            # (a rounding request's 2 pairs only with one: else it is read apart, later)
            pairs = similar_pairs(template.task, plain)
        if pairs is not None and template.similarity < SIMILAR_MIN:
            theirs, ours = _traits(template.task), _traits(task)
            if (theirs.steps, theirs.directions) != (ours.steps, ours.directions):
                return None
        return None if pairs is None else _with_task_paths(pairs, template.code, task)

    return paired_programs(templates, task, "similar question", pairing)


def similar_pairs(example_task: str, task: str) -> list[tuple[Value, Value]] | None:
    """The example's values paired with the task's, in order within each kind, when the two tasks
    differ in wording but plausibly ask one question: as many values of each kind, the same
    yes-or-no form and the same traits (_Traits: marks, units in order, no opposite directions, a
    step in common). None otherwise. The embedding similarity is the caller's test."""
    theirs, ours = read_task(example_task), read_task(task)
    if theirs is None or ours is None or theirs.yes_no != ours.yes_no:
        return None
    their_values, our_values = theirs.values, ours.values
    if _paths(their_values) != _paths(our_values):
        # Where the file is written does not change what it holds: each program keeps its own path
        their_values, our_values = _without(their_values, _is_path), _without(our_values, _is_path)
    if _counts(their_values) != _counts(our_values):
        if asked_rounding(example_task) is not None or asked_rounding(task) is not None:
            return None  # its places are a 2 that counts (with_rounding_apart reads them apart)
        # "with F(1)=1 and F(2)=1", "(January 1 being day 1)": a 0, 1 or 2 in brackets or an equation
        # states a convention, not a value to put in; each program keeps its own
        their_values = _without(their_values, lambda v: _states_convention(v, example_task))
        our_values = _without(our_values, lambda v: _states_convention(v, task))
        if _counts(their_values) != _counts(our_values):
            return None
    if not _traits(example_task).compatible(_traits(task)):
        return None
    return [pair for kind, found in their_values.items()
            for pair in zip(found, our_values[kind], strict=True)]


_FILE_IN_CODE = re.compile(r"""(?<=["'])/workspace/[^"'\s]+\.\w+(?=["'])""")


def _with_task_paths(pairs: list[tuple[Value, Value]], code: str, task: str) -> list[tuple[Value, Value]]:
    """The pairs, with the task's file path in place of the one the program writes when the example
    named none (the user's chart is saved where they said, not as "plot-723_pie.png"), and its
    directory in place of the program's. Unchanged when the task names several paths or the program
    writes no file or several: it then still answers the question, but saves nothing where asked (on
    data/dev, refusing those lost a right answer that no other route gave)."""
    reading = read_task(task)
    wanted = [v for v in (reading.values.get("string", ()) if reading else ()) if _is_path(v)]
    if not wanted or any(_is_path(old) for old, _ in pairs):
        return pairs
    written = set(_FILE_IN_CODE.findall(code))
    if len(wanted) != 1 or len(written) != 1:
        return pairs
    old_path, new_path = written.pop(), wanted[0].text
    placed = [(Value("string", old_path), Value("string", new_path))]
    old_dir, new_dir = old_path.rsplit("/", 1)[0], new_path.rsplit("/", 1)[0]
    if old_dir != new_dir and re.search(f"""["']{re.escape(old_dir)}["']""", code):
        placed.append((Value("string", old_dir), Value("string", new_dir)))
    return pairs + placed


_STATED_FACTOR = re.compile(
    r"(?:,?\s*\b(?:using|with|taking|assuming|where)\s+|\s*\(\s*)?\b1\s+[A-Za-z°][\w°]*\.?\s*=\s*"
    r"(\d+(?:\.\d+)?)\s*[A-Za-z°][\w°]*\.?(?:\s*\))?,?", re.IGNORECASE)


def _without_stated_factor(task: str, code: str) -> str | None:
    """The task without the one conversion factor it states ("(1 in = 2.54 cm)", "using 1 mile =
    1.609344 km") when the program already uses that very factor: the example did not need to state
    it. None otherwise (a rate of the day, a factor the program does not write so)."""
    found = list(_STATED_FACTOR.finditer(task))
    if len(found) != 1 or found[0].group(1) not in BARE_NUMBER.findall(code):
        return None
    start, end = found[0].span()
    return re.sub(r"\s+([?.!,])", r"\1", f"{task[:start]} {task[end:]}").strip()


def _counts(values: dict[str, tuple[Value, ...]]) -> dict[str, int]:
    return {kind: len(found) for kind, found in values.items()}


def _states_convention(value: Value, text: str) -> bool:
    if value.kind != "number" or value.text not in _CONVENTIONS:
        return False
    before, after = text[:value.span[0]], text[value.span[1]:]
    in_brackets = before.rfind("(") > before.rfind(")") and ")" in after
    return in_brackets or before.rstrip().endswith("=") or after.lstrip().startswith("=")


def _paths(values: dict[str, tuple[Value, ...]]) -> int:
    return sum(_is_path(value) for value in values.get("string", ()))


def _is_path(value: Value) -> bool:
    return value.kind == "string" and value.text.startswith("/workspace")


_Values = dict[str, tuple[Value, ...]]


def _without(values: _Values, drop: Callable[[Value], bool]) -> _Values:
    kept = {kind: tuple(value for value in found if not drop(value)) for kind, found in values.items()}
    return {kind: found for kind, found in kept.items() if found}


@dataclass(frozen=True, slots=True)
class _Traits:
    """What two tasks must agree on for one program to answer both, whatever their wording."""

    marks: frozenset[str]
    """Conversion targets, ordinals said in words, negated words: "to octal" is not "to binary", "the
    third largest" not "the second largest", "ignoring case" not "in any case"."""
    units: tuple[str, ...]
    """Units and currencies in the order first named: "cm to inches" is not "inches to cm", MiB not GiB."""
    formats: tuple[str, ...]
    """Date formats asked for: DD/MM/YYYY is not MM/DD/YYYY."""
    steps: frozenset[str]
    """Counting, summing, sorting...: the two need one in common, or none in either."""
    directions: frozenset[str]
    """Words with an opposite (before/after, ascending/descending, < and >, min/max, ...)."""
    calendar: frozenset[str]
    """Days of the week and months named ("How many Fridays ...", "... in February 2024")."""
    functions: frozenset[str]
    """Functions named that the lexer does not read (_FUNCTION_NAME): "the sine of", "population SD"."""
    shape: tuple[str, ...]
    """The operands in order, currencies named by first appearance (C0, C1): "250 euros to yen at
    162.5 yen per euro" has the shape of "250 dollars to euros at 0.92 euros per dollar"."""

    def compatible(self, other: _Traits) -> bool:
        if (self.marks, self.calendar, self.functions) != (other.marks, other.calendar, other.functions):
            return False
        if self.units != other.units and not (self.only_currencies() and other.only_currencies()
                                              and self.shape == other.shape):
            # a rate given in the task makes one currency's program another's, written alike
            return False
        if self.formats and other.formats and self.formats != other.formats:
            return False
        if (self.steps or other.steps) and not self.steps & other.steps:
            return False
        # One saying "after" where the other says "before" (and not "after" too) asks the opposite.
        mine, theirs = self.directions - other.directions, other.directions - self.directions
        return not any(_OPPOSITE.get(word) in theirs for word in mine)

    def only_currencies(self) -> bool:
        return bool(self.units) and all(unit.startswith("c:") for unit in self.units)


@functools.lru_cache(maxsize=4096)
def _traits(text: str) -> _Traits:
    formats = tuple(_FORMAT.findall(text))
    reading = read_task(_FORMAT.sub(" ", text))  # a format's MM is not millimetres
    clauses = reading.signature.clauses if reading is not None else ()
    operands = [operand for clause in clauses for operand in clause.operands]
    words = {word for clause in clauses for word in (*clause.steps, *clause.words)}
    marks = {operand for operand in operands if _is_mark(operand)}
    marks.update(word for word in words if word.startswith("¬") and len(word) > 1)
    units = tuple(dict.fromkeys(operand for operand in operands if operand.startswith(("u:", "c:"))))
    prose = _without_values(text)  # "May 452" in a table of sales is data, not the month asked about
    named = {unit: f"C{place}" for place, unit in enumerate(u for u in units if u.startswith("c:"))}
    return _Traits(frozenset(marks), units, formats,
                   frozenset(step for clause in clauses for step in clause.steps) - _NEUTRAL_STEPS,
                   frozenset(words & _OPPOSITE.keys()),
                   frozenset(name.lower().removesuffix("s") for name in _CALENDAR_NAME.findall(prose)),
                   frozenset(name.lower().replace("-", "") for name in _FUNCTION_NAME.findall(prose)),
                   tuple(named.get(o, o) for o in operands))


def _without_values(text: str) -> str:
    """The text with its collections and tables blanked out (their labels are data)."""
    for value in values_and_words(text)[0]:
        if value.kind in ("dict", "list", "table"):
            start, end = value.span
            text = text[:start] + " " * (end - start) + text[end:]
    return text


def _is_mark(operand: str) -> bool:
    if operand.startswith("→"):
        return operand not in ("→", "→count")
    return re.fullmatch(r"#\d+", operand) is not None and operand not in _MASKED_ORDINALS
