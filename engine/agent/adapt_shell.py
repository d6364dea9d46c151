"""A shell script's values replaced with a task's: the bash side of adapt_program()."""

from __future__ import annotations

import re
from collections import Counter

from engine.agent.task_values import (
    BARE_NUMBER,
    NUMERIC,
    PLACEHOLDER,
    Value,
    as_code,
    free_constant,
    value_of,
)


def replace_in_script(code: str, pairs: list[tuple[Value, Value]]) -> str | None:
    """The shell script with the example's values replaced: dates and text where the script quotes
    them, numbers where they stand alone; None on a value it does not use as written, or a number
    of its own that is not a free constant."""
    filled: list[str] = []

    def hole(text: str) -> str:
        filled.append(text)
        return PLACEHOLDER.format(len(filled) - 1)

    for old, new in pairs:
        if old.kind == "date":
            old_text, new_text = ("{}-{:02d}-{:02d}".format(*map(int, v.numbers)) for v in (old, new))
            if code.count(old_text) != 1:
                return None
            code = code.replace(old_text, hole(new_text))
        elif old.kind == "string":
            # The text as a whole quoted word ('abc') if the script has it so, else as a word
            # (not the a of awk): either way never inside a value already put in.
            exact = re.compile(r"(?<=(['\"]))" + re.escape(old.text) + r"(?=\1)")
            pieces = exact.split(code)[::2]
            if len(pieces) < 2:
                pieces = re.split(r"(?<![\w-])" + re.escape(old.text) + r"(?![\w-])", code)
            if len(pieces) < 2:
                return None
            rebuilt = pieces[0]
            for piece in pieces[1:]:
                quoted = _shell_quoted(new.text, _quote_state(rebuilt))
                if quoted is None:
                    return None
                rebuilt += hole(quoted) + piece
            code = rebuilt
        elif old.kind in ("dict", "list", "table"):
            return None
    numbers = {value_of(old.text): as_code(new.text) for old, new in pairs if old.kind in NUMERIC}
    if len(numbers) != sum(old.kind in NUMERIC for old, _ in pairs) or None in numbers:
        return None
    in_runs = {value_of(n) for _, new in pairs if new.kind == "run" for n in new.numbers}
    in_code = Counter(value_of(m.group()) for m in BARE_NUMBER.finditer(code))
    in_task = Counter(value_of(old.text) for old, _ in pairs if old.kind in NUMERIC)
    if any(in_code[key] > in_task[key] and value_of(new) != key for key, new in numbers.items()):
        return None
    used: set[float | None] = set()
    failed = False

    def number(match: re.Match[str]) -> str:
        nonlocal failed
        value = value_of(match.group())
        if value in numbers:
            used.add(value)
            return numbers[value]
        if not free_constant(value) and value not in in_runs:
            failed = True
        return match.group()

    code = BARE_NUMBER.sub(number, code)
    if failed or used != set(numbers):
        return None
    for index, text in enumerate(filled):
        code = code.replace(PLACEHOLDER.format(index), text)
    return code


def _quote_state(script: str) -> str:
    """The quote a shell script is inside at its end: "'", '"' or "" (none)."""
    state = ""
    escaped = False
    for char in script:
        if escaped:
            escaped = False
        elif char == "\\" and state != "'":
            escaped = True
        elif state == "" and char in "'\"":
            state = char
        elif char == state:
            state = ""
    return state


def _shell_quoted(text: str, state: str) -> str | None:
    """`text` made safe where the script had the example's text: inside single or double quotes,
    or bare when it needs no quoting."""
    if state == "'":
        return text.replace("'", "'\\''")
    if state == '"':
        return re.sub(r'([\\"$`])', r"\\\1", text)
    return text if re.fullmatch(r"[\w./,:+=@%-]+", text) else None
