"""A question about a dict or JSON object the task gives read whole (a value by its path, the key with the
largest value, the sum of a field over a list of records), and the Python answering it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from engine.agent.phrase_table import all_read, as_yes_no, compile_phrases, first_reading, lowered, mask_flags
from engine.agent.task_values import masked_spans, values_and_words

__all__ = ["LIMIT", "json_question"]

LIMIT = 1_500
"""Longest task (characters) read: a question and a small JSON document, pretty-printed or not."""
# In _PHRASES a space stands for any run of whitespace; D is the task's dict (or list of records), P a
# path (a.b[1].c), F a field of the records, S a quoted text, N a number.

_PATH = re.compile(r"(?<![\w.'\"\[])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\]|\[(?:'[^'\]]+'|\"[^\"\]]+\")\])+"
                   r"(?![\w(])")
_FILLER = frozenset(str.split("""
    what what's whats is the a an of in please tell me give find calculate compute work out i you can could
    would do does it to for my this that just only get show return answer output how given following here
    we if so let's lets i'd like know want need quick question hey and python using with as are json object
    dict dictionary data these those them result pls from
"""))
_FLAGS = (
    (r"[.,;(-]? ?(?:give|reply with|return|answer with) (?:me )?(?:just |only )?the (?:key|name"
     r"|value)(?: only)?\)?|[.,;(-]? ?(?:key|name|value) only\)?|[.,;(-]? ?(?:give|return) (?:it|the "
     r"result|the answer) as a python (?:dict|list)\)?|[.,;(-]? ?as a python (?:dict|list)|[.,;(-]? "
     r"?python (?:dict|list) please|[.,;(-]? ?give a python (?:dict|list)|[.,;] ?python (?:dict"
     r"|list)\.?", "form"),
    (r"[.,;(-]? ?(?:answer|give it|list them)? ?in the original (?:key )?order\.?", "keep-order"),
    (r"[.,;(]? ?(?:count(?:ing)?|with) the outer(?:most)? (?:dict|object)(?: counted)? as (?:depth"
     r"|level) 1\)?\.?|,? ?counting the outermost object as depth 1", "outer-is-one"),
    (r"\(no spaces(?: at all)?\)", "compact"),
    (r"[.,;(]? ?(?:answer|reply)?(?: with)? ?(?:true|yes) or (?:false|no)[?.)]?", "boolean-form"),
)


@dataclass(frozen=True, slots=True)
class _Given:
    data: object
    paths: list[list[object]]
    fields: list[str]
    texts: list[str]
    numbers: list[float]


Build = Callable[[re.Match[str], _Given], "str | None"]


def _numbers_only(values: list[object]) -> bool:
    return bool(values) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _dict_op(code: str, numeric: bool = False) -> Build:
    """An operation on the dict `d` (its values numbers when `numeric`)."""
    def build(match: re.Match[str], given: _Given) -> str | None:
        data = given.data
        if not isinstance(data, dict) or (numeric and not _numbers_only(list(data.values()))):
            return None
        head = f"d = {data!r}\n"
        if match.groupdict().get("n"):
            head += f"n = {_plain(given.numbers[int(match.group('n')[1:])])!r}\n"
        if match.groupdict().get("s"):
            head += f"s = {given.texts[int(match.group('s')[1:])]!r}\n"
        return head + code
    return build


def _keyed_extreme(match: re.Match[str], given: _Given) -> str | None:
    """The key with the largest (smallest) value; no answer when two tie."""
    data = given.data
    if not isinstance(data, dict) or not _numbers_only(list(data.values())):
        return None
    largest = match.group("way") in ("largest", "highest", "biggest", "greatest", "most", "max", "maximum")
    ranked = sorted(data.values(), reverse=largest)
    if len(ranked) > 1 and ranked[0] == ranked[1]:
        return None
    return f"d = {data!r}\nprint({'max' if largest else 'min'}(d, key=d.get))"


def _depth(match: re.Match[str], given: _Given) -> str | None:
    """Objects nested in objects, the outermost depth 1: only for data without lists inside, where
    whether a list counts as a level cannot change the answer."""
    if not isinstance(given.data, dict) or "[" in repr(given.data):
        return None
    return f"d = {given.data!r}\n{_DEPTH}"


def _at_path(match: re.Match[str], given: _Given) -> str | None:
    path = given.paths[int(match.group("p")[1:])]
    return f"data = {given.data!r}\nprint(data{''.join(f'[{step!r}]' for step in path)})"


def _records(code: str, numeric: bool = True) -> Build:
    """An operation on a field `f` of every record in the list `rows`."""
    def build(match: re.Match[str], given: _Given) -> str | None:
        rows = given.data
        field = given.fields[int(match.group("f")[1:])]
        if not isinstance(rows, list) or not all(isinstance(r, dict) and field in r for r in rows):
            return None
        if numeric and not _numbers_only([r[field] for r in rows]):
            return None
        return f"rows = {rows!r}\nf = {field!r}\n{code}"
    return build


def _named_extreme(match: re.Match[str], given: _Given) -> str | None:
    """The name of the record with the largest (smallest) field; no answer when two tie."""
    rows = given.data
    field = given.fields[int(match.group("f")[1:])]
    if not isinstance(rows, list) or not all(isinstance(r, dict) and {field, "name"} <= set(r) for r in rows):
        return None
    values = [r[field] for r in rows]
    if not _numbers_only(values):
        return None
    largest = match.group("way") in ("largest", "highest", "biggest", "greatest", "most", "max", "maximum")
    if Counter(values)[max(values) if largest else min(values)] > 1:
        return None
    return f"rows = {rows!r}\nprint({'max' if largest else 'min'}(rows, key=lambda r: r[{field!r}])['name'])"


_NESTED_SUM = """data = {data!r}
def numbers(node):
    if isinstance(node, dict):
        node = list(node.values())
    if isinstance(node, list):
        return sum(numbers(x) for x in node)
    return node if isinstance(node, (int, float)) and not isinstance(node, bool) else 0
print(numbers(data))"""
_DEPTH = """def depth(node):
    if isinstance(node, dict):
        return 1 + max((depth(v) for v in node.values()), default=0)
    if isinstance(node, list):
        return max((depth(v) for v in node), default=0)
    return 0
print(depth(d))"""
_WAY = r"(?P<way>largest|highest|biggest|greatest|most|max|maximum|smallest|lowest|least|min|minimum)"
_PHRASES: tuple[tuple[str, Build, bool], ...] = (
    (r"(?:the )?value (?:at|of|stored at|under) (?:the )?(?:path |key )?P(?: in D)?"
     r"|(?:what is |what's )?P(?: equal to)?(?: in D)?", _at_path, False),
    (r"how many (?:top-level )?keys does D (?:have|contain)|how many (?:top-level )?keys (?:are "
     r"(?:there )?)?in D|how many (?:top-level )?keys are there", _dict_op("print(len(d))"), False),
    (r"how many keys does (?:the )?S (?:object |dict )?have(?: in D)?",
     _dict_op("print(len(d[s]) if isinstance(d.get(s), dict) else 'not an object')"), False),
    (r"how many (?:keys|values) (?:map to|have (?:the )?value|are) (?:none|null)(?: in D)?",
     _dict_op("print(sum(v is None for v in d.values()))"), False),
    (r"(?:the )?sum (?:of )?all (?:the )?numbers (?:in|of) D|(?:add up|sum) all (?:of )?the numbers "
     r"(?:in|of) D", lambda m, g: _NESTED_SUM.format(data=g.data), False),
    (r"(?:the )?sum (?:of )?(?:all )?(?:the )?values (?:in|of) D|sum (?:all )?(?:of )?the values in D"
     r"|add up (?:all )?the values (?:in|of) D", _dict_op("print(sum(d.values()))", numeric=True), False),
    (r"(?:the )?(?:average|mean)(?: value| of the values)? (?:in|of) D",
     _dict_op("from statistics import mean\nprint(mean(d.values()))", numeric=True), False),
    (r"(?:the )?(?:max|maximum|largest|highest|biggest) value (?:in|of) D",
     _dict_op("print(max(d.values()))", numeric=True), False),
    (r"(?:the )?(?:min|minimum|smallest|lowest) value (?:in|of) D",
     _dict_op("print(min(d.values()))", numeric=True), False),
    (r"which (?:key|item|one|product|region|fruit|city|name|person|category|day|month|player|team"
     r"|entry|word|color|colour|language|country|student|employee|department|store|subject) has the "
     r"(?P<way>largest|highest|biggest|greatest|most|max|maximum|smallest|lowest|least|min|minimum)(?: "
     r"value| count| number| amount| total| score)?(?: in D)?|(?:the )?key (?:with|of) the "
     r"(?P<way>largest|highest|biggest|greatest|most|max|maximum|smallest|lowest|least|min|minimum) "
     r"value(?: in D)?", _keyed_extreme, False),
    (r"invert D(?: so (?:that )?(?:the )?values become (?:the )?keys)?",
     _dict_op("print({v: k for k, v in d.items()})"), False),
    (r"sort the keys of D alphabetically|(?:the )?keys of D (?:sorted )?alphabetically",
     _dict_op("print(sorted(d))"), False),
    (r"which keys have (?:a )?values? (?:greater|more|larger|bigger|higher) than N(?: in D)?",
     _dict_op("print([k for k, v in d.items() if v > n])", numeric=True), False),
    (r"which keys have (?:a )?values? (?:less|smaller|lower) than N(?: in D)?",
     _dict_op("print([k for k, v in d.items() if v < n])", numeric=True), False),
    (r"does (?:the )?key S exist (?:at the top level )?(?:of|in) D|is S a (?:top-level )?key (?:of|in) "
     r"D", _dict_op("print(s in d)"), True),
    (r"(?:the )?(?:maximum )?nesting depth (?:of (?:objects in )?)?D", _depth, False),
    (r"(?:the )?length of the compact json(?: string)? (?:for|of) D|how (?:long|many characters) is "
     r"the compact json(?: string)? (?:for|of) D",
     lambda m, g: f"import json\nprint(len(json.dumps({g.data!r}, separators=(',', ':'))))", False),
    (r"sort the keys of D by (?:their )?values?,? (?:in )?descending(?: order)?|sort the keys of D by "
     r"(?:their )?values?,? (?:from )?(?:highest|largest) (?:to (?:lowest|smallest)|first)",
     _dict_op("print(sorted(d, key=d.get, reverse=True))", numeric=True), False),
    (r"sort the keys of D by (?:their )?values?(?:,? (?:in )?ascending(?: order)?|,? (?:from "
     r")?(?:lowest|smallest) (?:to (?:highest|largest)|first))?",
     _dict_op("print(sorted(d, key=d.get))", numeric=True), False),
    (r"how many distinct values are (?:there )?in D", _dict_op("print(len(set(d.values())))"), False),
    (r"how many (?:elements|items|entries|objects|records) (?:are )?(?:there )?in (?:this )?(?:json "
     r")?(?:array )?D",
     lambda m, g: f"rows = {g.data!r}\nprint(len(rows))" if isinstance(g.data, list) else None, False),
    (r"(?:the )?(?:sum|total) of (?:the |all )?F(?: values| fields)?(?: (?:in|of|across|over) D)?",
     _records("print(sum(r[f] for r in rows))"), False),
    (r"(?:the )?(?:average|mean) F(?: (?:in|of|across|over) D)?|(?:the )?(?:average|mean) of (?:the "
     r")?F(?: (?:in|of|across|over) D)?",
     _records("from statistics import mean\nprint(mean(r[f] for r in rows))"), False),
    (r"(?:who|which (?:one|record|item|product|person)) has the (?P<way>largest|highest|biggest"
     r"|greatest|most|max|maximum|smallest|lowest|least|min|minimum) F", _named_extreme, False),
)
_COMPILED = compile_phrases(_PHRASES, {"D": r"(?:(?:this|the) (?:json|dict|object|array) )?(?P<d>D0)",
                                       "P": r"(?P<p>P\d)", "F": r"(?P<f>F\d)", "S": r"(?P<s>S\d)",
                                       "N": r"(?P<n>N\d)"})


def json_question(task: str) -> str | None:
    """Python printing the answer to one question about the one dict, JSON object or list of records
    the task gives: a value by its path (a.b.c, users[1].email), how many keys, the sum, mean, max
    or min of the values, the key with the largest or smallest value, inverted, keys sorted or
    picked by value, whether a key exists, a field summed or averaged over the records, the name of
    the record with the largest field. None when any word is one these readings do not know."""
    if len(task) > LIMIT:
        return None
    text, _ = mask_flags(task, _FLAGS)  # the flags name phrases these readings already honour
    unquoted = re.sub(r"\"[^\"\n]*\"|'[^'\n]*'", lambda m: " " * len(m.group()), text)  # no paths in strings
    raw_paths = [(m.span(), m.group()) for m in _PATH.finditer(unquoted)]
    path_marks = {span: f"P{index}" for index, (span, _) in enumerate(raw_paths)}
    text = masked_spans(text, [(span, mark) for span, mark in path_marks.items()])
    values, _ = values_and_words(text)
    documents = [v for v in values if v.kind in ("dict", "list")]
    if len(documents) != 1:
        return None
    data = documents[0].parsed
    texts: list[str] = []
    numbers: list[float] = []
    spans: list[tuple[tuple[int, int], str]] = [(documents[0].span, "D0")]
    for value in values:
        if value.kind == "string":
            spans.append((value.span, f"S{len(texts)}"))
            texts.append(value.text)
        elif value.kind == "number":
            spans.append((value.span, f"N{len(numbers)}"))
            numbers.append(float(value.text))
        elif value is not documents[0]:
            return None
    paths = [_steps(data, path) for _, path in raw_paths]
    if any(path is None for path in paths):
        return None
    masked = masked_spans(text, spans)
    fields = _fields(data)
    found_fields: list[str] = []

    def field_mark(match: re.Match[str]) -> str:
        """A field named in the question, quoted (an S mark) or as a bare word, marked F."""
        name = texts[int(match.group("text")[1:])] if match.group("text") else match.group("word")
        if name not in fields:
            return match.group()
        found_fields.append(name)
        return f"F{len(found_fields) - 1}"

    if fields:
        names = "|".join(re.escape(f) for f in sorted(fields, key=len, reverse=True))
        masked = re.sub(rf"\b(?P<text>S\d)\b|\b(?P<word>{names})\b", field_mark, masked)
    masked = lowered(masked, "DPFSN")
    masked = _referred(masked)
    reading = first_reading(masked, _COMPILED, _all_read)
    if reading is None:
        return None
    match, build, yes_no = reading
    code = build(match, _Given(data, [p for p in paths if p is not None], found_fields, texts, numbers))
    if code is None:
        return None
    return as_yes_no(code, task) if yes_no else code


def _plain(number: float) -> int | float:
    return int(number) if number.is_integer() else number


def _fields(data: object) -> set[str]:
    """The keys every record of a list of records has (none for a dict)."""
    if not isinstance(data, list) or not data or not all(isinstance(r, dict) for r in data):
        return set()
    return set.intersection(*(set(r) for r in data if isinstance(r, dict)))


def _steps(data: object, path: str) -> list[object] | None:
    """The keys and indexes of a path (a.b[1]['c']) that exist in the data: its first name skipped
    when it names the data itself (data.users[1] with data = {...} given as "data")."""
    steps: list[object] = [int(i) if i else (k or q or r) for k, i, q, r in
                           re.findall(r"([A-Za-z_]\w*)|\[(\d+)\]|\['([^']+)'\]|\[\"([^\"]+)\"\]", path)]
    for start in (0, 1):
        node: object = data
        for step in steps[start:]:
            node = _child(node, step)
        if node is not _MISSING and steps[start:]:
            return steps[start:]
    return None


_MISSING = object()


def _child(node: object, step: object) -> object:
    """node[step] when the data has it, else _MISSING."""
    if isinstance(node, dict):
        return node.get(step, _MISSING)
    if isinstance(node, list) and isinstance(step, int) and step < len(node):
        return node[step]
    return _MISSING


_REFERENT = re.compile(r"\b(?:this|the|these) (?:json )?(?:dict(?:ionary)?|object|array|data|json|list"
                       r"|records)\b")


def _referred(masked: str) -> str:
    """The document given apart from the question: "Given D, what is ...", "In D, ...", "name = D.",
    taken out so the question reads alone; "How many keys does this dict have: D" read as "... does
    D have"."""
    after = re.search(r"[.?:]\s*D0\s*[.?]?\s*$", masked)
    if after is not None:
        head = masked[:after.start()]
        referent = _REFERENT.search(head)
        masked = (head if referent is None else head[:referent.start()] + "D0" + head[referent.end():]) + "?"
    return re.sub(r"^\s*(?:(?:given|here(?:'s| is)|in)(?:\s+(?:this|the)\s+(?:json|dict|object|data))?,?"
                  r"|[A-Za-z_]\w*\s*=)?\s*D0\s*(?:[,.:;]|--)?\s*(?=\S)", " ", masked)


def _all_read(left: str) -> bool:
    return all_read(left, "DPFSN", _FILLER)
