"""Reads the code a task brings with it: a code block, or a command quoted inline, with its language."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import NamedTuple

from engine.agent.chart_question import chart_question
from engine.agent.conversion_question import conversion_question
from engine.agent.date_question import date_question
from engine.agent.file_question import file_question
from engine.agent.json_question import json_question
from engine.agent.list_question import list_question
from engine.agent.parse import Action, parse_reply
from engine.agent.sequence_question import sequence_question
from engine.agent.string_question import string_question
from engine.agent.table_question import table_question
from engine.agent.written_arithmetic import written_arithmetic

INLINE_LIMIT = 2_000
"""Longest task (characters) searched for a command asked about inline. Such a question is short;
a longer text is a paste of data, and the three searches cost about 0.7 s each on 10 MB, on the
event loop. A code block is found at any length (that parse is fast)."""

_SHELL = re.compile(r"\b(?:bash|shell|sh|zsh|terminal|command line)\b", re.IGNORECASE)
_PYTHON = re.compile(r"\bpython\b", re.IGNORECASE)

# What the task asks of the command ("what does X print?"), and where it says to run it ("in bash").
_ASKS = r"(?:print|output|show|display|echo|return|give|produce|evaluate to)"
_WHERE = (r"(?:\s+(?:in|with|using|on|from)\s+(?:bash|zsh|sh|the shell|a shell|the terminal|a terminal"
          r"|the command line|python(?:\s*3)?))?")
_END = r"\s*[?.]?\s*$"

# A command in backticks is code whatever it looks like: the user marked it so.
_QUOTED = re.compile(r"\b(?:run|output of|result of|does)\s*:?\s*`([^`\n]+)`", re.IGNORECASE)
# After a colon, the rest of the line: "what is the output of: X", "what does this print: X".
_AFTER_COLON = re.compile(r"\b(?:output|result) of(?: running)?\s*:\s*(\S[^\n]*?)" + _END
                          + r"|\b(?:print|output|show|run|command)\s*:\s*(\S[^\n]*?)" + _END, re.IGNORECASE)
# Unquoted inside a question: "what does X print in bash?", "Run X in the shell. What does it print?"
# Only taken when X looks like code (_looks_like_command), since nothing marks where it starts.
_UNQUOTED = re.compile(r"\b(?:what|how many (?:lines|words)) (?:does|do|will|would)\s+(\S[^\n]*?)\s+"
                       + _ASKS + _WHERE + _END
                       + r"|^\s*(?:please\s+)?run\s+(\S[^\n]*?)" + _WHERE
                       + r"\s*[.;,]\s*what (?:does|did|will|would) (?:it|that) " + _ASKS + _END,
                       re.IGNORECASE)

# Commands people ask about, from coreutils and the shell: an unquoted span must start with one
# (or with a variable assignment) to be read as a command, not as words ("what does this print").
_COMMAND_WORDS = """
    awk basename bc cal cat cut date dc declare dirname du echo env expand expr factor false find fmt fold
    grep head id jq let ls md5sum nl numfmt od paste printf pwd python python3 readlink realpath rev
    sed seq sha1sum sha256sum shuf sort split stat tac tail tee test tr true tsort uname uniq wc xargs
    yes base64 base32 cksum comm join sum
"""
_COMMANDS = frozenset(_COMMAND_WORDS.split())
# "if I set var='x' and then echo ${#var}, what ...": the assignment, then the command, in one script
_SET_THEN = re.compile(r"\bset\s+([A-Za-z_]\w*=(?:'[^'\n]*'|\"[^\"\n]*\"|[^\s,;'\"]+))\s*,?\s+(?:and\s+)?"
                       r"(?:then\s+)?(?:run\s+)?((?:echo|printf)\s[^\n]*?)\s*(?:[,;.]\s+(?:what|which|how)\b[^\n]*)?"
                       r"[?.]?\s*$", re.IGNORECASE)
_HOW_MANY = re.compile(r"\bhow many (lines|words) (?:does|do|will|would)\b", re.IGNORECASE)
_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=")


# Readers of a whole task into a Python program, in the order they are asked (the first that reads wins),
# with the title the Activity pane gives running it. Each reads nothing when a word is one it does not know.
_READERS: tuple[tuple[Callable[[str], str | None], str], ...] = (
    (table_question, "Answer from the table with pandas"),
    (chart_question, "Draw the chart with matplotlib and answer"),
    (file_question, "Write the file and answer from it"),
    (date_question, "Work out the dates with datetime"),
    (string_question, "Work on the string in Python"),
    (list_question, "Work on the list in Python"),
    (json_question, "Work on the JSON in Python"),
    (conversion_question, "Convert with exact factors"),
    (sequence_question, "Work out the sequence in Python"),
)


class GivenCode(NamedTuple):
    """The code a task brings with it, and how the Activity pane titles running it."""

    action: Action
    title: str


def given_action(text: str) -> Action | None:
    """The code a task brings with it, if any (read_given)."""
    given = read_given(text)
    return None if given is None else given.action


def read_given(text: str) -> GivenCode | None:
    """The code a task brings with it, if any: a code block ("Run this: ```python ...```"), or, in a
    short task that names its language, a command in backticks, after a colon ("Using bash, what is the
    output of: echo $((17 * 19 + 4))?") or asked about unquoted ("what does seq 3 | tac print in bash?");
    or arithmetic written out, in symbols or words ("What is 98765 multiplied by 4321, minus 17?"),
    printed by Python: exact to the last digit, which a small model re-typing it is not; or a question
    asked of a CSV table pasted below it that table_question reads whole, as pandas code; or a bar or
    pie chart of numbers the task gives, with its one question (chart_question); or a file to write
    under /workspace and one question about it (file_question); or a question about dates or clock
    times (date_question), about a string it quotes (string_question), a list (list_question) or a
    dict or JSON document it gives (json_question), a unit or currency conversion
    (conversion_question), or a number sequence (sequence_question)."""
    block = parse_reply(text).action
    if block is not None and block.kind == "code":
        return GivenCode(block, f"Run the given {block.language} code")
    for reader, title in _READERS:
        program = reader(text)
        if program is not None:
            return GivenCode(Action("code", "python", program), title)
    if len(text) > INLINE_LIMIT:
        return None
    assigned = _SET_THEN.search(text)
    if assigned is not None and _SHELL.search(text):
        return GivenCode(Action("code", "bash", f"{assigned.group(1)}; {assigned.group(2)}"),
                         "Run the given bash code")
    for pattern, looks_right in ((_QUOTED, _starts_like_a_command), (_AFTER_COLON, _starts_like_a_command),
                                 (_UNQUOTED, _looks_like_command)):
        match = pattern.search(text)
        if match is None:
            continue
        code = next(group for group in match.groups() if group is not None).strip()
        if _SHELL.search(text):
            if looks_right(code):
                return _shell_command(text, code)
        elif _PYTHON.search(text) and (action := _python_action(code, lone_name_ok=pattern is not _UNQUOTED)):
            return GivenCode(action, "Run the given python code")
    expression = written_arithmetic(text)
    if expression is not None:
        return GivenCode(Action("code", "python", f"print({expression})"),
                         "Work out the arithmetic as written")
    return None


def _shell_command(text: str, command: str) -> GivenCode:
    """The command, piped to wc when the task asks how many lines (or words) it prints, not what."""
    asked = _HOW_MANY.search(text)
    if asked is None:
        return GivenCode(Action("code", "bash", command), "Run the given bash code")
    counted = asked.group(1).lower()
    return GivenCode(Action("code", "bash", f"{command} | wc -{'l' if counted == 'lines' else 'w'}"),
                     f"Run the given bash code, piped to wc to count its {counted}")


def _starts_like_a_command(code: str) -> bool:
    """Whether a marked span (backticks, or the rest of the line after a colon) starts with a word."""
    return bool(re.match(r"[a-z][\w.-]*(?:\s|$)", code))


def _looks_like_command(code: str) -> bool:
    """Whether an unmarked span reads as a shell command: a known command or an assignment first."""
    first = code.split(maxsplit=1)[0]
    return first in _COMMANDS or bool(_ASSIGNMENT.match(first))


def _python_action(code: str, *, lone_name_ok: bool) -> Action | None:
    """Python the user wrote inline; a lone expression is printed, as the REPL would show it. An
    unmarked lone word ("what does x print") is a word, not a program."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    lone = tree.body[0] if len(tree.body) == 1 else None
    if not lone_name_ok and isinstance(lone, ast.Expr) and isinstance(lone.value, ast.Name):
        return None
    if isinstance(lone, ast.Expr) and not (isinstance(lone.value, ast.Call)
                                           and isinstance(lone.value.func, ast.Name)
                                           and lone.value.func.id == "print"):
        code = f"print({code.strip()})"
    return Action("code", "python", code)
