"""A file under /workspace written with what the task gives, and one question about it answered."""

from __future__ import annotations

import re

from engine.agent.task_values import Value, masked_spans, values_and_words
from engine.tasktext.rounding_request import asked_rounding

__all__ = ["LIMIT", "file_question"]

LIMIT = 600
"""Longest task (characters) read: a file to write and a question about it, in a few sentences."""
_PATH = re.compile(r"^/workspace(?:/[\w-]+)*/[\w-]+\.(?:txt|log|csv|md|dat|text)$")
_RANGE = re.compile(
    r"\b(?:the\s+)?(?:(squares|cubes)\s+of\s+(?:the\s+)?)?(?:(odd|even)\s+)?(?:multiples\s+of\s+(\d+)\s+)?"
    r"(?:whole\s+)?(?:integers|numbers)?\s*(?:from\s+)?(-?\d+)\s*(?:to|through|thru|up\s+to(?:\s+and\s+including)?"
    r"|until|-|\.\.|(down)\s+to)\s*(-?\d+)(?:\s*\(?inclusive\)?)?(?:\s*\(descending\))?")
_CONDITIONS = (  # (pattern, the condition on n)
    (r"even", "n % 2 == 0"), (r"odd", "n % 2 == 1"),
    (r"divisible\s+by\s+both\s+(\d+)\s+and\s+(\d+)", "n % {0} == 0 and n % {1} == 0"),
    (r"divisible\s+by\s+(\d+)", "n % {0} == 0"), (r"multiples\s+of\s+(\d+)", "n % {0} == 0"),
    (r"(?:greater|more|larger|bigger|higher)\s+than\s+(-?\d+)|over\s+(-?\d+)|above\s+(-?\d+)", "n > {0}"),
    (r"(?:less|smaller|lower|fewer)\s+than\s+(-?\d+)|under\s+(-?\d+)|below\s+(-?\d+)", "n < {0}"),
    (r"(?:exactly\s+)?(\d+)\s+digits?(?:\s+long)?", "len(str(abs(n))) == {0}"),
    (r"(?:the\s+)?digit\s+(\d)(?:\s+at\s+least\s+once)?", "{0!r} in str(n)"),
)
_NOUNS = r"(?:numbers|lines|values|squares|cubes|integers)"
_SOME = (r"(?:of\s+(?:them|(?:those|these|the)(?:\s+" + _NOUNS + r")?)(?:\s+in\s+the\s+file)?"
         r"|(?:the\s+)?" + _NOUNS + r")(?:\s+in\s+the\s+file)?")
_COUNTED = re.compile(r"(how\s+many|(?:the\s+)?sum|(?:the\s+)?total)\s+(?:of\s+)?" + _SOME
                      + r"\s+(?:that\s+|which\s+)?(?:are|have|is|has|contain)\s+(?:a\s+)?(.+?)\s*(?:\?|\.|$)")
_QUESTIONS = (  # (pattern, Python printing the answer from `text`, `lines` and `numbers`)
    (r"(?:how\s+many\s+bytes|(?:the\s+)?(?:file'?s?\s+)?size(?:\s+of\s+the\s+file)?(?:\s+in\s+bytes)?"
     r"|byte\s+size)", "print(os.path.getsize(PATH))"),
    (r"how\s+many\s+lines(?:\s+(?:does|are|is))?|number\s+of\s+lines|line\s+count"
     r"|count\s+(?:the\s+)?lines(?:\s+(?:in|of)\s+the\s+file)?", "print(len(lines))"),
    (r"how\s+many\s+words|number\s+of\s+words|word\s+count|count\s+(?:the\s+)?words",
     "print(len(text.split()))"),
    (r"how\s+many\s+characters|number\s+of\s+characters|character\s+count|count\s+(?:the\s+)?characters",
     "print(len(text))"),
    (r"\b(?:sum|total)\b|\badd(?:ed)?\s+up\b", "print(sum(numbers))"),
    (r"\b(?:average|mean)\b", "print(sum(numbers) / len(numbers))"),
    (r"\b(?:largest|biggest|highest|maximum|max)\b(?:\s+(?:number|value))?", "print(max(numbers))"),
    (r"\b(?:smallest|lowest|minimum|min)\b(?:\s+(?:number|value))?", "print(min(numbers))"),
    (r"\blast\s+line\b", "print(lines[-1])"),
    (r"\bfirst\s+line\b", "print(lines[0])"),
    (r"\blongest\s+line\b", "print(max(lines, key=len))"),
)
_CONTAINING = re.compile(r"(?:how\s+many|count\s+(?:the|how\s+many))\s+(?:of\s+the\s+)?lines(?:\s+of\s+PATH)?"
                         r"\s+(?:that\s+)?(?:contain|include|have|mention)(?:s|ing)?\s+(?:the\s+"
                         r"(?:word|text|string)\s+)?QUOTED")
_FILLER = frozenset(str.split("""
    write wrote save saved put store create make give tell print show report read load open then back it
    to in into a an the file its and me what is are was how many does do did of that this with please
    can could you i then after once when holding holds containing contains contain one per line each own
    on numbers number values lines text string word words line so now there in it's whats what's
    afterwards finally first writing holding has have having if find their them which item items lines
    bytes characters please called lists listing generate i'd like once written curious those inclusive
    counting big
"""))


def file_question(task: str) -> str | None:
    """Python that writes the file the task names under /workspace with what it gives (a quoted text,
    a list of lines, numbers one per line, or the integers, squares or cubes of a range) and prints
    the answer to its one question: the size in bytes, the number of lines or words, how many lines
    contain a quoted text, the sum, average, largest or smallest number, the first, last or longest
    line. None when anything else is in the task."""
    if len(task) > LIMIT:
        return None
    rounding = asked_rounding(task)
    text = task if rounding is None else rounding.question
    values, _ = values_and_words(text)
    paths = [v for v in values if v.kind == "string" and _PATH.match(v.text)]
    if len(paths) != 1:
        return None
    rest_values = [v for v in values if v is not paths[0]]
    content = _content(text, rest_values)
    if content is None:
        return None
    lines_text, spans, needle = content
    masked = masked_spans(text, [*[(s, "DATA") for s in spans], (paths[0].span, "PATH")]
                          + ([(needle.span, "QUOTED")] if needle else [])).lower()
    masked = masked.replace("data", "DATA").replace("path", "PATH").replace("quoted", "QUOTED")
    newline = _trailing_newline(masked)
    if newline is None:
        return None
    masked, trailing = newline
    asked = _question(masked, needle)
    if asked is None:
        return None
    code, left = asked
    if not _all_read(left):
        return None
    return _program(paths[0].text, lines_text, trailing, code, None if rounding is None else rounding.digits)


def _content(text: str, values: list[Value]) -> tuple[str, list[tuple[int, int]], Value | None] | None:
    """The file's text (without a final newline), where it stands in the task, and a quoted text the
    question looks for in its lines."""
    ranges = list(_RANGE.finditer(text))
    strings = [v for v in values if v.kind == "string"]
    lists = [v for v in values if v.kind in ("list", "run")]
    if len(ranges) == 1 and not lists and len(strings) <= 1:
        body = _range_lines(ranges[0])
        return None if body is None else (body, [ranges[0].span()], strings[0] if strings else None)
    if ranges:
        return None
    if len(lists) == 1 and len(strings) <= 1:
        listed = lists[0]
        items = [str(x) for x in listed.parsed] if isinstance(listed.parsed, list) else list(listed.numbers)
        if not items or any("\n" in item for item in items):
            return None
        return "\n".join(items), [listed.span], strings[0] if strings else None
    if len(strings) in (1, 2) and not lists:
        written, needle = strings[0], strings[1] if len(strings) == 2 else None
        if "\n" in written.text:
            return None
        return written.text, [written.span], needle
    return None


def _range_lines(found: re.Match[str]) -> str | None:
    """The numbers of "the squares of 1 to 30", "the odd numbers from 1 to 99", "the multiples of 7
    from 7 up to and including 700", "100 down to 1", a line each."""
    power = {"squares": 2, "cubes": 3}.get(found.group(1) or "", 1)
    first, last = int(found.group(4)), int(found.group(6))
    descending = bool(found.group(5))
    if (descending and first < last) or (not descending and first > last) or abs(last - first) > 100_000:
        return None
    step = 1 if first <= last else -1
    numbers = [n for n in range(first, last + step, step)
               if (found.group(2) != "odd" or n % 2) and (found.group(2) != "even" or not n % 2)
               and (not found.group(3) or n % int(found.group(3)) == 0)]
    return "\n".join(str(n ** power) for n in numbers) if numbers else None


def _counted(masked: str) -> tuple[str, str] | None:
    """"how many of them are divisible by 6", "the sum of the numbers that are even": (code counting
    or adding up the numbers that are, the task without the question)."""
    found = _COUNTED.search(masked)
    if found is None:
        return None
    parts = []
    for clause in re.split(r"\s+and\s+(?!\d)", found.group(2).strip()):
        match = next(((m, template) for pattern, template in _CONDITIONS
                      if (m := re.fullmatch(pattern, clause.strip()))), None)
        if match is None:
            return None
        groups = [g for g in match[0].groups() if g is not None]
        arguments = groups if "str(n)" in match[1] else [int(g) for g in groups]
        parts.append("(" + match[1].format(*arguments) + ")")
    picked = f"for n in numbers if {' and '.join(parts)}"
    code = f"print(sum(1 {picked}))" if found.group(1).startswith("how") else f"print(sum(n {picked}))"
    return code, masked[:found.start()] + " " + masked[found.end():]


def _trailing_newline(masked: str) -> tuple[str, bool] | None:
    """The task without its words on the last newline, and whether the file ends with one. Lines
    ("one per line") end with one unless the task says otherwise; a single text does not."""
    ends = re.search(r"\(?\b(?:followed\s+by|with|plus|and|ending\s+with|ends\s+with)\s+(?:a\s+|one\s+)?"
                     r"(?:single\s+)?(?:trailing\s+)?newline(?:\s+at\s+the\s+end|\s+after\s+(?:the\s+last(?:\s+\w+)?|every\s+line)"
                     r"(?:,?\s+including\s+the\s+last)?(?:\s+too)?)?\)?"
                     r"|\(?\bnewline\s+after\s+the\s+last(?:\s+\w+)?(?:\s+too)?\)?", masked)
    bare = re.search(r"\(?\b(?:with\s+)?no\s+(?:trailing\s+|final\s+)?newline(?:\s+at\s+the\s+end)?\)?"
                     r"|\bwithout\s+a\s+(?:trailing\s+|final\s+)?newline\)?", masked)
    if ends and bare:
        return None
    per_line = re.search(r"\bone\s+per\s+line\b|\beach\s+on\s+its\s+own\s+line\b|\bon\s+separate\s+lines\b"
                         r"|\bone\s+(?:number|value|word|item)\s+per\s+line\b", masked)
    for found in (ends, bare):
        if found:
            masked = masked[:found.start()] + " " + masked[found.end():]
    return masked, bool(ends) or (bool(per_line) and not bare)


def _question(masked: str, needle: Value | None) -> tuple[str, str] | None:
    """(the code printing the answer, the task without the question) for the task's one question."""
    if needle is not None:
        found = _CONTAINING.search(masked)
        if found is None:
            return None
        code = f"print(sum({needle.text!r} in line for line in lines))"
        return code, masked[:found.start()] + " " + masked[found.end():]
    counted = _counted(masked)
    if counted is not None:
        return counted
    hits = [(code, m) for pattern, code in _QUESTIONS for m in re.finditer(pattern, masked)]
    if len({code for code, _ in hits}) != 1:
        return None
    code = hits[0][0]
    left = masked
    for _, match in sorted(hits, key=lambda hit: hit[1].start(), reverse=True):
        left = left[:match.start()] + " " + left[match.end():]
    return code, left


def _all_read(left: str) -> bool:
    words = re.findall(r"[a-z0-9']+|DATA|PATH|QUOTED", left)
    return all(w in _FILLER or w in ("DATA", "PATH", "QUOTED") for w in words) and words.count("DATA") == 1


def _program(path: str, body: str, trailing: bool, code: str, digits: int | None) -> str:
    if digits is not None and code.startswith("print(sum(numbers) / len"):
        code = f"print(round(sum(numbers) / len(numbers), {digits}))"
    content = body + ("\n" if trailing else "")
    return "\n".join([
        "import os",
        f"os.makedirs(os.path.dirname({path!r}), exist_ok=True)",
        f"with open({path!r}, 'w', encoding='utf-8', newline='') as handle:",
        f"    handle.write({content!r})",
        f"with open({path!r}, encoding='utf-8', newline='') as handle:",
        "    text = handle.read()",
        "lines = text.splitlines()",
        "numbers = [float(n) if '.' in n else int(n) for n in text.split()"
        " if n.lstrip('-').replace('.', '', 1).isdigit()]",
        code.replace("PATH", repr(path)),
    ])
