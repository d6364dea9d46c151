"""adapt_program(): a worked example's program rewritten for a task that differs only in its values."""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from collections import Counter
from dataclasses import dataclass
from typing import Literal

_QUOTED = re.compile(r"(?<![A-Za-z])'([^'\n]+)'(?![A-Za-z])|\"([^\"\n]+)\""
                     r"|\u201c([^\u201d\n]+)\u201d|\u2018([^\u2019\n]+)\u2019")
_COLLECTION = re.compile(r"\{[^{}\n]*\}|\[[^\[\]\n]*[\"'][^\[\]\n]*\]")
"""A flat object ({"tom": 31, "ann": 45}) or a list with text in it (["b", "a"]), written in the
task: one value, found in the program as the same dict or list."""
_TABLE = re.compile(r"\n((?:[^\n]*,[^\n]*(?:\n|$)){2,})\s*$")
"""A table pasted below the question, as comma-separated lines (a header and rows): one value, found
in the program as a string holding the same lines."""
_NAMED_CHARACTER = re.compile(r"\b(?:letter|character|char|digit|symbol)\s+([A-Za-z0-9])\b", re.IGNORECASE)
"""A character named without quotes ("the letter s"): a text value, as if quoted."""
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b|\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2}),\s*(\d{4})\b",
                   re.IGNORECASE)
"""A date, as 2024-02-10 or February 10, 2024: one value, written in programs as date(2024, 2, 10)."""
_NUMBER = r"-?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
_RUN = re.compile(rf"(?<![\w.])(?<![A-Za-z_]-){_NUMBER}"
                  rf"(?:(?:\s*,\s+(?:and\s+)?|\s+and\s+){_NUMBER})+(?!\w|\.\d)")
"""Two or more numbers in a row ("12, 5, 9 and 21"; "462 and 1071"): one value, a list."""
_SINGLE = re.compile(rf"(?<![\w.])(?<![A-Za-z_]-)({_NUMBER})(?:st|nd|rd|th)?(?!\w|\.\d)")
"""A number on its own, or an ordinal ("the 45th"); not the 8 of UTF-8 nor the 5 of UTC-5."""
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_BASH_NUMBER = re.compile(r"(?<![\w.$#{-])\d+(?:\.\d+)?(?![\w.])")
"""A number in a shell script: not part of a word, a file name, $1 or ${#v}."""
_WORD = re.compile(r"[a-z]+|[+*/^%=<>()!\u00d7\u00f7]|(?<=\s)-(?=\s)")
"""A word, or an operator: "(1 - 2) / 3" and "(1 + 2) * 3" do not ask the same."""
_FILLER = frozenset((
    "a", "an", "the", "of", "is", "are", "was", "be", "what", "whats", "how", "many", "much", "find",
    "compute", "calculate", "give", "me", "tell", "please", "in", "to", "for", "there", "with",
    "between", "from", "this", "these", "that", "those", "it", "its", "do", "does", "using", "python",
    "value", "result", "number", "numbers", "list", "get", "show", "count", "determine", "work", "out",
    "rounded", "round", "place", "places", "json", "dict", "dictionary", "object", "given", "following",
    "bash", "shell", "evaluate", "exactly", "just", "kindly", "case",
))
"""Words that do not change what a task asks; all other words must be the same in both tasks."""
_SAME_MEANING = {
    "largest": "max", "biggest": "max", "highest": "max", "greatest": "max", "maximum": "max",
    "smallest": "min", "lowest": "min", "least": "min", "minimum": "min",
    "average": "mean", "total": "sum", "integer": "int", "integers": "int",
    "kilometres": "kilometer", "kilometre": "kilometer", "kilometers": "kilometer", "km": "kilometer",
    "metres": "meter", "metre": "meter", "meters": "meter", "characters": "character",
    "chars": "character", "char": "character", "colour": "color", "avg": "mean", "%": "percent",
    "percentage": "percent", "increasing": "ascending", "decreasing": "descending",
    "reversed": "reverse", "backwards": "reverse", "uppercase": "upper", "lowercase": "lower",
}
"""Words that ask the same thing ("the largest" and "the highest" value), in one spelling."""
_YES_NO = re.compile(r"\s*(?:is|are|was|were|does|do|did|can|will|has|have|should)\b", re.IGNORECASE)
_FREE_CONSTANT = 2.0
"""A number in the program that is not one of its task's values must be this small (an exponent of
0.5, a start of 1); a larger one (1001 for "1 to 1000") was derived from the task's values, and a
program with it cannot be adapted by substitution."""
_NUMERIC = ("number", "ordinal")
_PLACEHOLDER = "__adapted_value_{}__"
_LAYOUT = (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT)

Language = Literal["python", "bash"]


@dataclass(frozen=True, slots=True)
class _Value:
    kind: str
    """"string" (quoted), "dict" or "list" (a collection), "table" (CSV lines), "date", "run"
    (several numbers) or "number"."""
    text: str
    numbers: tuple[str, ...] = ()
    parsed: object = None


def adapt_program(example_task: str, code: str, task: str, language: Language = "python") -> str | None:
    """The example's program with the example task's values replaced by the task's, when the two
    tasks ask the same thing (the same words and operators, in the same order, once values and filler
    words are left out) with values
    of the same kinds in the same order; None when that does not hold or the program has a value
    that is not the example task's (then substitution would be a guess)."""
    if _asks_for_language(task) != language and (language == "bash" or _asks_for_language(task)):
        # "Using bash, ..." is answered by a shell script, and a task that names no language by
        # Python: the shell's conventions differ (-17 % 5 is -2, an extension has no dot).
        return None
    example_values, example_words = _values_and_words(example_task)
    values, words = _values_and_words(task)
    kinds = Counter(v.kind for v in example_values)
    if kinds and max(kinds.values()) == 1:
        # One value of each kind: which is which is plain, wherever the task puts it
        example_words, words = (tuple(w for w in seq if not w.startswith("<") or w == "<yes-no>")
                                for seq in (example_words, words))
    if example_words != words or not example_values:
        return None
    if [v.kind for v in example_values] != [v.kind for v in values]:
        return None
    pairs = list(zip(example_values, values, strict=True))
    runs: list[str] = []
    for old, new in pairs:
        if old.kind == "run" or (old.kind == "date" and language == "python"):
            # Python gets a placeholder, filled in last: the task's new list must not be counted
            # among the program's own numbers (a 4 in it is not the "4 decimals" of the example).
            hole = _PLACEHOLDER.format(f"run{len(runs)}") if language == "python" else None
            replaced = _replace_run(code, old.numbers, new.numbers, language, hole)
            if replaced is None:
                return None
            code = replaced
            runs.append(", ".join(_as_code(n) for n in new.numbers))
    if language == "bash":
        return _replace_in_script(code, pairs)
    code_with_holes, filled = _take_out_collections(code, pairs)
    if code_with_holes is None:
        return None
    adapted = _replace_tokens(code_with_holes, pairs)
    if adapted is None:
        return None
    for index, literal in enumerate(filled):
        adapted = adapted.replace(_PLACEHOLDER.format(index), literal)
    for index, numbers in enumerate(runs):
        adapted = adapted.replace(_PLACEHOLDER.format(f"run{index}"), numbers)
    return adapted


def _values_and_words(text: str) -> tuple[list[_Value], tuple[str, ...]]:
    """The task's values in order, and its words in order with each value's kind in its place
    ("In 'X', count the letter 'Y'" is not "Count the letter 'Y' in 'X'")."""
    found: list[tuple[int, _Value]] = []
    quoted = list(_QUOTED.finditer(text))
    collections = [m for m in _COLLECTION.finditer(text)
                   if not any(q.start() < m.start() and m.end() <= q.end() for q in quoted)]
    taken: list[tuple[int, int]] = []
    table = _TABLE.search(text)
    if table is not None:
        found.append((table.start(1), _Value("table", table.group(1), parsed=table.group(1).strip())))
        taken.append(table.span(1))
        collections = [m for m in collections if m.end() <= table.start(1)]
    for match in collections:
        parsed = _parse_collection(match.group())
        if parsed is not None:
            kind = "dict" if isinstance(parsed, dict) else "list"
            found.append((match.start(), _Value(kind, match.group(), parsed=parsed)))
            taken.append(match.span())
    rest = text
    for start, end in taken:
        rest = rest[:start] + " " * (end - start) + rest[end:]
    for match in _QUOTED.finditer(rest):
        found.append((match.start(), _Value("string", next(g for g in match.groups() if g is not None))))
    rest = _QUOTED.sub(_blank, rest)
    for match in _NAMED_CHARACTER.finditer(rest):
        found.append((match.start(1), _Value("string", match.group(1))))
    rest = _NAMED_CHARACTER.sub(lambda m: m.group()[:m.start(1) - m.start()] + " ", rest)
    for match in _DATE.finditer(rest):
        year, month, day = ((match[1], match[2], match[3]) if match[1] else
                            (match[6], str(_MONTHS.index(match[4].lower()) + 1), match[5]))
        found.append((match.start(), _Value("date", match.group(), (year, month, day))))
    rest = _DATE.sub(_blank, rest)
    for match in _RUN.finditer(rest):
        numbers = tuple(_PLAIN_NUMBER.findall(re.sub(r"(\d),(\d{3})", r"\1\2", match.group())))
        found.append((match.start(), _Value("run", match.group(), numbers)))
    rest = _RUN.sub(_blank, rest)
    for match in _SINGLE.finditer(rest):
        kind = "number" if match.group() == match.group(1) else "ordinal"
        found.append((match.start(), _Value(kind, match.group(1).replace(",", ""))))
    rest = _SINGLE.sub(_blank, rest)
    found.sort(key=lambda f: f[0])
    # In order: "6 feet to meters" and "5 meters to feet" have the same words, not the same question.
    marks = [(m.start(), _stem(_SAME_MEANING.get(m.group(), m.group()))) for m in _WORD.finditer(rest.lower())
             if m.group() not in _FILLER]
    words = [word for _, word in sorted(marks + [(start, f"<{value.kind}>") for start, value in found])]
    # "between X and Y" asks what "from X to Y" asks
    words = [word for index, word in enumerate(words)
             if not (word == "and" and 0 < index < len(words) - 1
                     and words[index - 1].startswith("<") and words[index + 1].startswith("<"))]
    if _YES_NO.match(text):
        words.insert(0, "<yes-no>")  # "Is 97 prime?" is not "What is the 97th prime?"
    return [value for _, value in found], tuple(words)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def _asks_for_language(task: str) -> Language | None:
    lowered = task.lower()
    if re.search(r"\b(?:bash|shell)\b", lowered):
        return "bash"
    return "python" if re.search(r"\b(?:python|pandas|matplotlib)\b", lowered) else None


def _parse_collection(text: str) -> object:
    """A dict or list written as Python or JSON; None when it is neither."""
    for parse in (ast.literal_eval, json.loads):
        try:
            parsed = parse(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(parsed, dict | list) and parsed:
            return parsed
    return None


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _as_code(number: str) -> str:
    """A task's number as a Python literal ("007" is not one)."""
    return str(int(number)) if re.fullmatch(r"-?\d+", number) else number


def _value_of(literal: str) -> float | None:
    try:
        return float(literal.replace("_", ""))
    except ValueError:
        return None


def _replace_run(code: str, old: tuple[str, ...], new: tuple[str, ...], language: Language,
                 hole: str | None = None) -> str | None:
    """`old` written out once in the program (a list, or a date's year, month and day) becomes `new`."""
    separator = r"\s*,\s*" if language == "python" else r"(?:\s*,\s*|[ \t]+)"
    pattern = r"(?<![\w.])" + separator.join(re.escape(_as_code(n)) for n in old) + r"(?![\w.])"
    found = re.findall(pattern, code)
    if len(found) != 1:
        return None  # the list is not written out once in the program
    joiner = ", " if language == "python" or "," in found[0] else " "
    return re.sub(pattern, lambda _: hole or joiner.join(_as_code(n) for n in new), code)


def _take_out_collections(code: str, pairs: list[tuple[_Value, _Value]]) -> tuple[str | None, list[str]]:
    """The program with each example dict or list (or the string holding it as JSON) cut out for a
    placeholder, and what goes back in its place; None when one is not written once."""
    wanted = [(old, new) for old, new in pairs if old.kind in ("dict", "list", "table")]
    if not wanted:
        return code, []
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None, []
    lines = code.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    spans: list[tuple[int, int, str]] = []
    for index, (old, new) in enumerate(wanted):
        hits: list[tuple[int, int, str]] = []
        for node in ast.walk(tree):
            if not isinstance(node, ast.expr):
                continue
            literal = _literal_for(node, old, new)
            if literal is None or node.end_lineno is None or node.end_col_offset is None:
                continue
            start = starts[node.lineno - 1] + _char_offset(lines[node.lineno - 1], node.col_offset)
            end = starts[node.end_lineno - 1] + _char_offset(lines[node.end_lineno - 1], node.end_col_offset)
            hits.append((start, end, literal))
        if len(hits) != 1:
            return None, []
        spans.append((*hits[0][:2], _PLACEHOLDER.format(index)))
        wanted[index] = (old, _Value(new.kind, hits[0][2]))
    for start, end, hole in sorted(spans, reverse=True):
        code = code[:start] + hole + code[end:]
    return code, [new.text for _, new in wanted]


def _literal_for(node: ast.expr, old: _Value, new: _Value) -> str | None:
    """What replaces `node` when it is the example's collection: the task's, written as the program
    wrote the example's (a dict or list display, or a JSON string)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and old.kind == "table":
        header, rows = str(new.parsed).split("\n", 1)
        if node.value.strip() != old.parsed or _columns(header) != _columns(str(old.parsed).split("\n")[0]):
            return None  # another table, or one with other columns (the program names its own)
        # The program's own header: "Item, Qty" names the columns "item,qty" names
        table = str(old.parsed).split("\n")[0] + "\n" + rows
        return repr(table + ("\n" if node.value.endswith("\n") else ""))
    if old.kind == "table":
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            if json.loads(node.value) == old.parsed:
                return repr(json.dumps(new.parsed))
        except ValueError:
            return None
        return None
    if not isinstance(node, ast.Dict | ast.List):
        return None
    try:
        if ast.literal_eval(node) != old.parsed:
            return None
    except ValueError:
        return None
    return repr(new.parsed)


def _columns(header: str) -> list[str]:
    return [name.strip().lower() for name in header.split(",")]


def _char_offset(line: str, utf8_offset: int) -> int:
    return len(line.encode("utf-8")[:utf8_offset].decode("utf-8", errors="replace"))


def _replace_tokens(code: str, pairs: list[tuple[_Value, _Value]]) -> str | None:
    numbers: dict[float, str] = {}
    for old, new in pairs:
        if old.kind in _NUMERIC:
            key = _value_of(old.text)
            if key is None or numbers.get(key, new.text) != new.text:
                return None  # one value of the example stands for two of the task's
            numbers[key] = _as_code(new.text)
    strings: dict[str, str] = {}
    for old, new in pairs:
        if old.kind == "string" and strings.setdefault(old.text, new.text) != new.text:
            return None  # 'A', 'B', 'A' cannot become 'X', 'Y', 'Z'
    if len(set(strings.values())) != len(strings):
        return None  # nor 'X', 'Y', 'X': the program may tell its 'A' from its 'C'

    in_runs = {_value_of(n) for _, new in pairs if new.kind in ("run", "date") for n in new.numbers}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    signed = _signed_values(tokens)
    in_code = Counter(signed.values())
    in_task = Counter(_value_of(old.text) for old, _ in pairs if old.kind in _NUMERIC)
    if any(in_code[key] > in_task[key] and _value_of(new) != key for key, new in numbers.items()):
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
            elif (value is None or abs(value) > _FREE_CONSTANT) and value not in in_runs:
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
    """Whether an f-string's expressions hold a number that is a task value or above _FREE_CONSTANT
    (format specs like :.3f are not numbers)."""
    prefix = literal[:literal.index(literal.lstrip("rRbBuUfF")[0])] if literal.lstrip("rRbBuUfF") else ""
    if "f" not in prefix.lower():
        return False
    for expression in re.findall(r"\{([^{}]*)\}", literal):
        for match in _BASH_NUMBER.finditer(expression.split(":")[0] if "[" not in expression else expression):
            value = _value_of(match.group())
            if value is None or value in numbers or abs(value) > _FREE_CONSTANT:
                return True
    return False


def _signed_values(tokens: list[tokenize.TokenInfo]) -> dict[int, float | None]:
    """Each number token's value, by index; negative after a unary minus ("[-7, 3]", "x = -2")."""
    values: dict[int, float | None] = {}
    for index, token in enumerate(tokens):
        if token.type != tokenize.NUMBER:
            continue
        value = _value_of(token.string)
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


def _replace_in_script(code: str, pairs: list[tuple[_Value, _Value]]) -> str | None:
    """The shell script with the example's values replaced: dates and text where the script quotes
    them, numbers where they stand alone; None on a value it does not use as written, or a number
    of its own above _FREE_CONSTANT."""
    filled: list[str] = []

    def hole(text: str) -> str:
        filled.append(text)
        return _PLACEHOLDER.format(len(filled) - 1)

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
    numbers = {_value_of(old.text): _as_code(new.text) for old, new in pairs if old.kind in _NUMERIC}
    if len(numbers) != sum(old.kind in _NUMERIC for old, _ in pairs) or None in numbers:
        return None
    in_runs = {_value_of(n) for _, new in pairs if new.kind == "run" for n in new.numbers}
    in_code = Counter(_value_of(m.group()) for m in _BASH_NUMBER.finditer(code))
    in_task = Counter(_value_of(old.text) for old, _ in pairs if old.kind in _NUMERIC)
    if any(in_code[key] > in_task[key] and _value_of(new) != key for key, new in numbers.items()):
        return None
    used: set[float | None] = set()
    failed = False

    def number(match: re.Match[str]) -> str:
        nonlocal failed
        value = _value_of(match.group())
        if value in numbers:
            used.add(value)
            return numbers[value]
        if value is None or (abs(value) > _FREE_CONSTANT and value not in in_runs):
            failed = True
        return match.group()

    code = _BASH_NUMBER.sub(number, code)
    if failed or used != set(numbers):
        return None
    for index, text in enumerate(filled):
        code = code.replace(_PLACEHOLDER.format(index), text)
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
