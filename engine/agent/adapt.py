"""adapt_program(): a worked example's program rewritten for a task that differs only in its values."""

from __future__ import annotations

import io
import re
import tokenize
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Literal, NamedTuple

from engine.agent.adapt_collections import take_out_collections
from engine.agent.adapt_shell import replace_in_script
from engine.agent.paraphrase import known_words, paraphrase_pairs, skeleton
from engine.agent.rounding import asked_rounding, rounds_on_its_own, with_digits
from engine.agent.task_values import (
    BARE_NUMBER,
    NUMERIC,
    PLACEHOLDER,
    Language,
    Value,
    as_code,
    asks_for_language,
    free_constant,
    replace_run,
    value_of,
    values_and_words,
)
from engine.run import WorkedExample

__all__ = ["ADAPT_LIMIT", "ADAPT_TRIES", "Adapted", "Language", "Pairing", "Route", "adapt_program",
           "adapted_programs", "example_language", "language_fits", "paired_programs", "substitute",
           "with_rounding_apart"]

ADAPT_TRIES = 2
"""Adapted programs tried for one task before the model drafts its own."""
ADAPT_LIMIT = 2_000
"""Longest task (characters) adapted: the library's questions are under 200 characters, and a longer
text is a paste of data, whose values (a 10 MB line of "100,200,...") would take minutes to read."""



Route = Literal["same words", "other words", "similar question"]


class Adapted(NamedTuple):
    """A library example's program rewritten for the task, and how the task matched the example."""

    template: WorkedExample
    language: Language
    code: str
    route: Route
    """"same words": the example's words and order (adapt_program); "other words": words the library
    has used for the same program (paraphrase_pairs); "similar question": a question near the task's
    that may differ in what it asks (adapt_similar.py): the answer says to check it."""
    round_to: int | None = None
    """Decimal places the task asks for, when the example's question was matched without that request
    ("..., rounded to 2 decimals"): the printed number is to be rounded so."""


_LAYOUT = (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT)


def adapted_programs(templates: Sequence[WorkedExample], task: str,
                     apart: Sequence[WorkedExample] = ()) -> list[Adapted]:
    """The first ADAPT_TRIES templates that adapt to the task, with their adapted programs: those
    asking in the same words first (adapt_program), then those asked in other words that the
    library has used for the same program (paraphrase_pairs), nearest first in each. When none
    does and the task asks for rounding, the same for the task without that request, among the
    examples that neither ask for rounding nor round (their output is then rounded as asked);
    `apart`, when given, are the examples nearest that question (see with_rounding_apart)."""
    return with_rounding_apart(templates, task, _adapted, apart)


Finder = Callable[[Sequence[WorkedExample], str], list[Adapted]]
"""A route: the templates' programs adapted to a task."""


def with_rounding_apart(templates: Sequence[WorkedExample], task: str, find: Finder,
                        apart: Sequence[WorkedExample] = ()) -> list[Adapted]:
    """What `find` adapts for the task; when nothing and the task asks for rounding, what it adapts
    for the task without that request among the examples that neither ask for rounding nor round
    (their output is then rounded as asked), or that round on their own (to the places asked).
    Those are `apart` when given: the examples nearest the question without the request, with their
    similarity to it (the request moves the task's embedding off every example that lacks one)."""
    if len(task) > ADAPT_LIMIT:
        return []
    found = find(templates, task)
    asked = asked_rounding(task)
    if found or asked is None:
        return found
    plain = [t for t in (apart or templates) if asked_rounding(t.task) is None]
    found = []
    for adapted in find(plain, asked.question):
        if not rounds_on_its_own(adapted.code):
            found.append(adapted._replace(round_to=asked.digits))
        elif adapted.language == "python" and (code := with_digits(adapted.code, asked.digits)) is not None:
            found.append(adapted._replace(code=code))  # it rounds on its own account: to the places asked
    return found


def _adapted(templates: Sequence[WorkedExample], task: str) -> list[Adapted]:
    found: list[Adapted] = []
    for template in templates:
        language = example_language(template)
        code = adapt_program(template.task, template.code, task, language)
        if code is not None:
            found.append(Adapted(template, language, code, "same words"))
            if len(found) == ADAPT_TRIES:
                return found
    if found:
        return found
    programs = [(template.language, skeleton(template.code)) for template in templates]
    by_program: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
    for template, program in zip(templates, programs, strict=True):
        by_program[program].append(template.task)
    known = {program: known_words(tasks) for program, tasks in by_program.items()}
    program_of = dict(zip(templates, programs, strict=True))
    return paired_programs(templates, task, "other words",
                           lambda t: paraphrase_pairs(t.task, task, known[program_of[t]]))


Pairing = Callable[[WorkedExample], list[tuple[Value, Value]] | None]
"""A template's values paired with the task's, or None when its program does not answer the task."""


def paired_programs(templates: Sequence[WorkedExample], task: str, route: Route,
                    pairing: Pairing) -> list[Adapted]:
    """The first ADAPT_TRIES templates in a language that fits the task whose values `pairing` pairs
    with the task's, nearest first, with their programs rewritten for the task (substitute)."""
    found: list[Adapted] = []
    for template in templates:
        language = example_language(template)
        if not language_fits(task, language):
            continue
        pairs = pairing(template)
        code = None if pairs is None else substitute(pairs, template.code, language)
        if code is not None:
            found.append(Adapted(template, language, code, route))
            if len(found) == ADAPT_TRIES:
                break
    return found


def example_language(template: WorkedExample) -> Language:
    """The language an example's program is run in."""
    return "bash" if template.language == "bash" else "python"


def adapt_program(example_task: str, code: str, task: str, language: Language = "python") -> str | None:
    """The example's program with the example task's values replaced by the task's, when the two
    tasks ask the same thing (the same words and operators, in the same order, once values and filler
    words are left out) with values
    of the same kinds in the same order; None when that does not hold or the program has a value
    that is not the example task's (then substitution would be a guess)."""
    if not language_fits(task, language):
        return None
    example_values, example_words = values_and_words(example_task)
    values, words = values_and_words(task)
    kinds = Counter(v.kind for v in example_values)
    if kinds and max(kinds.values()) == 1:
        # One value of each kind: which is which is plain, wherever the task puts it
        example_words, words = (tuple(w for w in seq if not w.startswith("<") or w == "<yes-no>")
                                for seq in (example_words, words))
    if example_words != words or not example_values:
        return None
    if [v.kind for v in example_values] != [v.kind for v in values]:
        return None
    return substitute(list(zip(example_values, values, strict=True)), code, language)


def substitute(pairs: list[tuple[Value, Value]], code: str, language: Language) -> str | None:
    """The program with each pair's example value replaced by the task's; None when a value is not
    written in the program as the example task wrote it, or the program has a number of its own
    that is not a free constant."""
    # the same word list on both sides ("days, hours, minutes and seconds") names, not a value
    pairs = [(old, new) for old, new in pairs if not (old.kind == "list" and old.parsed == new.parsed)]
    runs: list[str] = []
    for old, new in pairs:
        if old.kind == "run" or (old.kind == "date" and language == "python"):
            # Python gets a placeholder, filled in last: the task's new list must not be counted
            # among the program's own numbers (a 4 in it is not the "4 decimals" of the example).
            hole = PLACEHOLDER.format(f"run{len(runs)}") if language == "python" else None
            replaced = replace_run(code, old.numbers, new.numbers, language, hole)
            if replaced is None:
                return None
            code = replaced
            runs.append(", ".join(as_code(n) for n in new.numbers))
    if language == "bash":
        return replace_in_script(code, pairs)
    code_with_holes, filled = take_out_collections(code, pairs)
    if code_with_holes is None:
        return None
    adapted = _replace_tokens(code_with_holes, pairs)
    if adapted is None:
        return None
    for index, literal in enumerate(filled):
        adapted = adapted.replace(PLACEHOLDER.format(index), literal)
    for index, numbers in enumerate(runs):
        adapted = adapted.replace(PLACEHOLDER.format(f"run{index}"), numbers)
    return adapted


def language_fits(task: str, language: Language) -> bool:
    """Whether a program in `language` may answer the task: "Using bash, ..." is answered by a shell
    script, and a task that names no language by Python (the shell's conventions differ: -17 % 5 is
    -2, an extension has no dot)."""
    return asks_for_language(task) == language or (language == "python" and not asks_for_language(task))


def _replace_tokens(code: str, pairs: list[tuple[Value, Value]]) -> str | None:
    numbers: dict[float, str] = {}
    for old, new in pairs:
        if old.kind in NUMERIC:
            key = value_of(old.text)
            if key is None or numbers.get(key, new.text) != new.text:
                return None  # one value of the example stands for two of the task's
            numbers[key] = as_code(new.text)
    strings: dict[str, str] = {}
    for old, new in pairs:
        if old.kind == "string" and strings.setdefault(old.text, new.text) != new.text:
            return None  # 'A', 'B', 'A' cannot become 'X', 'Y', 'Z'
    if len(set(strings.values())) != len(strings):
        return None  # nor 'X', 'Y', 'X': the program may tell its 'A' from its 'C'

    in_runs = {value_of(n) for _, new in pairs if new.kind in ("run", "date") for n in new.numbers}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    signed = _signed_values(tokens)
    in_code = Counter(signed.values())
    in_task = Counter(value_of(old.text) for old, _ in pairs if old.kind in NUMERIC)
    if any(in_code[key] > in_task[key] and value_of(new) != key for key, new in numbers.items()):
        return None  # the program uses the value on its own account too (the 1 of range(1, n))
    # A literal that is exactly an example value takes the task's; only values the program
    # writes inside longer text (an f-string) are looked for within literals, all in one pass,
    # so that a task value holding another example value is not rewritten again.
    bodies = {_string_body(t.string) for t in tokens if t.type == tokenize.STRING}
    whole = set(strings) & bodies
    inside = sorted(set(strings) - whole, key=len, reverse=True)
    partial = re.compile("|".join(re.escape(text) for text in inside)) if inside else None
    anywhere = (re.compile("|".join(re.escape(text) for text in sorted(strings, key=len, reverse=True)))
                if strings else None)
    used_numbers: set[float] = set()
    used_strings: set[str] = set()
    rewritten: list[tokenize.TokenInfo] = []
    for index, token in enumerate(tokens):
        if token.type == tokenize.NUMBER:
            value = signed[index]
            if value is not None and value in numbers:
                used_numbers.add(value)
                replacement = numbers[value]
                if value < 0:
                    # "-7" is a minus and a 7: the number gives up its sign to the minus before it
                    if not replacement.startswith("-"):
                        rewritten[-1] = rewritten[-1]._replace(string="")
                    replacement = replacement.removeprefix("-")
                token = token._replace(string=replacement)
            elif value is not None and value - 1 in numbers and _range_stop(rewritten) \
                    and re.fullmatch(r"-?\d+", numbers[value - 1]):
                # "1 to 20" is range(1, 21): the stop one past the example's value is one past the task's
                used_numbers.add(value - 1)
                token = token._replace(string=str(int(numbers[value - 1]) + 1))
            elif not free_constant(value) and value not in in_runs and not _small_power(rewritten, value):
                return None
        elif token.type == tokenize.STRING:
            if _numbers_in_fstring(token.string, numbers):
                return None  # Python 3.11 reads an f-string as one token: its numbers are hidden
            plain = bool(_string_body(token.string))
            token = token._replace(string=_swap_strings(token.string, strings, whole,
                                                        partial if plain else anywhere, used_strings))
        rewritten.append(token)
    if used_numbers != set(numbers) or used_strings != set(strings):
        return None  # a value of the example task that the program does not use as written
    return tokenize.untokenize(rewritten)


def _range_stop(before: list[tokenize.TokenInfo]) -> bool:
    """Whether the next number is the stop of a range() call: range(21) or range(1, 21)."""
    written = [t.string for t in before if t.type not in _LAYOUT][-4:]
    return written[-2:] == ["range", "("] or (len(written) == 4 and written[0:2] == ["range", "("]
                                              and written[-1] == "," and written[2] not in "()[],")


def _small_power(before: list[tokenize.TokenInfo], value: float | None) -> bool:
    """Whether a number is a whole exponent up to 9 (1024 ** 3 for GiB, x ** 4): a unit's or a
    formula's own, not one derived from the task's values as 1001 is from "1 to 1000"."""
    written = [t for t in before if t.type not in _LAYOUT]
    return bool(written) and written[-1].string == "**" and value is not None and value.is_integer() \
        and 0 <= value <= 9


def _swap_strings(literal: str, strings: dict[str, str], whole: set[str], partial: re.Pattern[str] | None,
                  used: set[str]) -> str:
    body = _string_body(literal)
    if body in whole:
        used.add(body)
        return literal[0] + _escaped(strings[body], literal, body) + literal[-1]
    if partial is None:
        return literal

    def swap(match: re.Match[str]) -> str:
        used.add(match.group())
        return _escaped(strings[match.group()], literal, match.group())

    return partial.sub(swap, literal)


def _numbers_in_fstring(literal: str, numbers: dict[float, str]) -> bool:
    """Whether an f-string's expressions hold a number that is a task value or not a free constant
    (format specs like :.3f are not numbers)."""
    prefix = literal[:literal.index(literal.lstrip("rRbBuUfF")[0])] if literal.lstrip("rRbBuUfF") else ""
    if "f" not in prefix.lower():
        return False
    for expression in re.findall(r"\{([^{}]*)\}", literal):
        for match in BARE_NUMBER.finditer(expression.split(":")[0] if "[" not in expression else expression):
            value = value_of(match.group())
            if value is None or value in numbers or not free_constant(value):
                return True
    return False


def _signed_values(tokens: list[tokenize.TokenInfo]) -> dict[int, float | None]:
    """Each number token's value, by index; negative after a unary minus ("[-7, 3]", "x = -2")."""
    values: dict[int, float | None] = {}
    for index, token in enumerate(tokens):
        if token.type != tokenize.NUMBER:
            continue
        value = value_of(token.string)
        before = [t for t in tokens[max(0, index - 3):index] if t.type not in _LAYOUT]
        unary = bool(before) and before[-1].string == "-" and (
            len(before) < 2 or not (before[-2].type in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING)
                                    or before[-2].string in ")]}"))
        values[index] = -value if unary and value is not None else value
    return values


def _string_body(literal: str) -> str:
    """The text between a plain string literal's quotes ("" for a prefixed or triple-quoted one)."""
    if len(literal) < 2 or literal[0] not in "'\"" or literal[:3] in ("'''", '"""'):
        return ""
    return literal[1:-1]


def _escaped(text: str, literal: str, old: str) -> str:
    """`text` made safe inside the string literal `literal` in place of `old`: its quote character
    escaped, and its backslashes too unless the program read the example's as escapes (a task's
    'a,b\\n1,2' written as the literal 'a,b\\n1,2') or the literal is raw."""
    quote = next((c for c in literal if c in "'\""), '"')
    prefix = literal[:literal.index(quote)] if quote in literal else ""
    if "\\" not in old and "r" not in prefix.lower():
        text = text.replace("\\", "\\\\")
    return text.replace(quote, "\\" + quote)
