"""A question about a list the task gives read whole (sort it, the 3rd largest, remove duplicates, the
running totals), and the Python answering it."""

from __future__ import annotations

import re

from engine.agent.list_builders import (
    Build,
    Given,
    deduplicated,
    flattened,
    longest,
    mode,
    one,
    positions,
    ranked,
    set_op,
    smallest_few,
    sorted_numbers,
    sorted_words,
    two,
)
from engine.agent.phrase_table import all_read, as_yes_no, compile_phrases, first_reading, lowered, mask_flags
from engine.agent.task_values import masked_spans, values_and_words

__all__ = ["LIMIT", "list_question"]

LIMIT = 500
"""Longest task (characters) read: a question and its list or two."""
# In _PHRASES a space stands for any run of whitespace; L and M are the task's lists, N a number, K an
# ordinal (3rd, third), V an item (a number or a quoted string).

_FILLER = frozenset(str.split("""
    what what's whats is the a an of in please tell me give find calculate compute work out i you can could
    would do does it to for my this that just only get show return answer output value how given following
    here we if so let's lets i'd like know want need quick question hey and python using with as new are
    list numbers values these those them result resulting pls please
"""))
_FLAGS = (
    (r"\(?(?:while |but )?ignoring (?:upper/lower |upper and lower |letter )?case\)?|\(?case[- "
     r"]insensitive(?:ly)?\)?", "ignore-case"),
    (r",? ?(?:but |while |and )?(?:keep(?:ing)?|preserv(?:e|ing)) (?:the )?(?:original )?order(?: of "
     r"(?:first )?appearance)?|,? ?in (?:the )?order of first appearance|,? ?in (?:their|its|the) "
     r"(?:original|given) order|,? ?(?:while )?keeping the other (?:numbers|values|elements) in (?:the "
     r"same|their) order|,? ?keeping the given order when \w+ tie|,? ?\(?the last chunk can be "
     r"shorter\)?", "keep-order"),
    (r",? ?(?:and )?keep(?:ing)? the original spelling", "spelling"),
    (r"[.,;(]? ?(?:answer|reply)?(?: with)? ?(?:true|yes) or (?:false|no)[?.)]?", "boolean-form"),
    (r",? ?(?:give (?:it|them|the \w+) )?as a sorted list|, sorted(?: ascending)?(?=\s*[-.?,;]|$)", "sorted"),
    (r"\(?\b(?:0|zero)[- ]based\)?|\(?(?:starting|counting) (?:at|from) (?:0|zero)\)?", "zero-based"),
    (r"\(repeats of the (?:max(?:imum)?|largest) don'?t count\)|\(distinct values?\)", "distinct"),
    (r"[.,;(-]? ?(?:and )?(?:give|reply with|return|answer with|respond with|output|show) (?:me "
     r")?(?:the|a|just the) (?:resulting |new |sorted |final )?list(?: of (?:strings|numbers|lists"
     r"|tuples))?(?: only)?\)?|[.,;(-]? ?(?:answer|reply|respond) (?:as|with) a (?:python )?list(?: of "
     r"(?:strings|numbers|lists|tuples))?|[.,;(-]? ?(?:in )?list form|[.,;(-]? ?list please|[.,;(-]? "
     r"?as a (?:python )?list(?: of (?:lists|tuples|strings|numbers))?|[.,;] ?what(?:'s| is) the "
     r"resulting list\?|[.,;] ?what list (?:is left|results|do i get)\?|[.,;] ?(?:resulting|new) "
     r"list\?|[.,;-] ?what(?:'s| is) the list (?:afterwards|now)\?|,? ?no duplicates|[-.,;] ?what list "
     r"do i get\?|,? ?(?:and )?(?:show|give|tell) (?:me )?what'?s left|[.?] ?list them ascending", "form"),
)
_K = r"(?P<k>K\d|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)"
_INTERSECTION = set_op("&")
_UNION = set_op("|")
_READS_SORTED = (deduplicated, _INTERSECTION, _UNION)
"""The readings that honour "sorted" in a task; to any other, "..., sorted" is a step it does not take."""
_PHRASES: tuple[tuple[str, Build, bool], ...] = (
    (r"sort L (?:in )?(?:descending|decreasing) ?(?:order)?|sort L (?:from )?(?:largest|biggest"
     r"|highest) to (?:smallest|lowest)|sort L (?:from )?high(?:est)? to low(?:est)?|sort L largest "
     r"first", sorted_numbers(True), False),
    (r"sort L(?: (?:in )?(?:ascending|increasing) ?(?:order)?| (?:from )?(?:smallest|lowest) to "
     r"(?:largest|highest|biggest)| (?:from )?low(?:est)? to high(?:est)?| smallest first)?|(?:put"
     r"|arrange) L in (?:ascending|increasing) order", sorted_numbers(False), False),
    (r"(?:sort|put|arrange|order) L (?:in )?(?P<reverse>reverse )?alphabetical(?:ly)? ?(?:order)?(?: "
     r"\(?z to a\)?)?|sort L (?P<reverse>reverse )?alphabetically|alphabeti[sz]e L", sorted_words, False),
    (r"the K (?P<way>largest|biggest|highest|greatest|smallest|lowest|least)(?: (?P<distinct>distinct"
     r"|unique))?(?: (?:numbers?|values?|elements?|items?|entries|words?|names?))?(?: (?:in|of|among"
     r"|from) L)", ranked, False),
    (r"the N (?P<way>largest|biggest|highest|greatest|smallest|lowest|least) (?:numbers?|values?"
     r"|elements?|items?|entries|words?|names?) (?:in|of|among) L", smallest_few, False),
    (r"(?:drop|remove|delete) (?:every|all|each) V(?:'?s)? from L",
     one("print([x for x in l if x != v])"), False),
    (r"move (?:all )?(?:the )?zeros (?:in|of) L to the end",
     one("print([x for x in l if x != 0] + [x for x in l if x == 0])"), False),
    (r"(?:take )?every other (?:element|item|number) (?:of|in) L(?:,? starting (?:with|from) the "
     r"first(?: one)?)?", one("print(l[::2])"), False),
    (r"(?:all )?(?:the )?positions (?:where|at which) V (?:occurs|appears) in L", positions, False),
    (r"(?:order|sort) L by length,? (?:shortest first|from shortest to longest)",
     one("print(sorted(l, key=len))", words_only=True), False),
    (r"remove (?:the |all )?duplicates? (?:from|in|of) L|(?:deduplicate|dedupe) L|L without (?:the "
     r")?duplicates", deduplicated, False),
    (r"how many times does V (?:appear|occur|show up) in L|(?:count|how many) (?:the )?(?:occurrences "
     r"of )?V(?:'?s)? (?:are )?(?:there )?in L", one("print(l.count(v))"), False),
    (r"(?:the )?(?:0-based |zero-based )?index of V in L|(?:at )?what (?:0-based |zero-based )?index "
     r"is V in L", one("print(l.index(v))"), False),
    (r"reverse L|L reversed|(?:the )?reverse of L", one("print(l[::-1])"), False),
    (r"(?:the )?sum of (?:all )?(?:the )?L|add up (?:all )?L|(?:the )?total of L|L added (?:up"
     r"|together)", one("print(sum(l))", numbers_only=True), False),
    (r"(?:the )?product of (?:all )?(?:the )?(?:numbers in )?L|multiply (?:all )?(?:the numbers in "
     r")?L(?: together)?", one("import math\nprint(math.prod(l))", numbers_only=True), False),
    (r"(?:the )?(?:minimum|min|smallest|lowest)(?: value| number)?(?: (?:in|of|among) L)",
     one("print(min(l))", numbers_only=True), False),
    (r"(?:the )?(?:maximum|max|largest|biggest|highest)(?: value| number)?(?: (?:in|of|among) L)",
     one("print(max(l))", numbers_only=True), False),
    (r"(?:the )?(?:average|mean|arithmetic mean)(?: value)? of L",
     one("from statistics import mean\nprint(mean(l))", numbers_only=True), False),
    (r"(?:the )?median of L",
     one("from statistics import median\nprint(median(l))", numbers_only=True), False),
    (r"(?:the )?mode of L", mode, False),
    (r"(?:the )?range (?:\(max(?:imum)? minus min(?:imum)?\) )?of (?:the )?(?:data )?L",
     one("print(max(l) - min(l))", numbers_only=True), False),
    (r"how many (?:numbers?|values?|elements?|items?|entries|words?|names?) (?:are )?(?:there )?in L"
     r"|how many items does L have|(?:the )?length of L", one("print(len(l))"), False),
    (r"(?:add up|sum) (?:only )?the even numbers in L|(?:the )?sum of (?:the |all )?(?:the )?even "
     r"numbers in L", one("print(sum(x for x in l if x % 2 == 0))", numbers_only=True), False),
    (r"(?:add up|sum) (?:only )?the odd numbers in L|(?:the )?sum of (?:the |all )?(?:the )?odd "
     r"numbers in L", one("print(sum(x for x in l if x % 2 == 1))", numbers_only=True), False),
    (r"(?:count|how many) (?:of )?the even numbers(?: are (?:there )?)? in L|how many even numbers "
     r"(?:are )?(?:there )?in L", one("print(sum(x % 2 == 0 for x in l))", numbers_only=True), False),
    (r"(?:count|how many) (?:of )?the odd numbers(?: are (?:there )?)? in L|how many odd numbers "
     r"(?:are )?(?:there )?in L", one("print(sum(x % 2 == 1 for x in l))", numbers_only=True), False),
    (r"filter L to keep only (?:the )?(?:values|numbers|elements) (?:strictly )?(?:greater|larger"
     r"|bigger|more) than N|keep only (?:the )?(?:values|numbers|elements) (?:strictly )?(?:greater"
     r"|larger|bigger|more) than N from L|(?:which|the) numbers in L (?:that )?are (?:strictly "
     r")?(?:greater|larger|bigger|more) than N",
     one("print([x for x in l if x > n])", numbers_only=True), False),
    (r"filter L to keep only (?:the )?(?:values|numbers|elements) (?:strictly )?(?:less|smaller|lower) "
     r"than N|keep only (?:the )?(?:values|numbers|elements) (?:strictly )?(?:less|smaller|lower) than "
     r"N from L|(?:which|the) numbers in L (?:that )?are (?:strictly )?(?:less|smaller|lower) than N",
     one("print([x for x in l if x < n])", numbers_only=True), False),
    (r"merge (?:the )?(?:two )?(?:(?:already[- ])?sorted )?(?:lists )?L and M into one sorted list",
     two("print(sorted(a + b))"), False),
    (r"(?:which|what) (?:numbers|elements|values|items) are in both L and M|(?:the )?intersection of L "
     r"and M|(?:the )?common (?:elements|values|items|numbers) (?:of|in|between) L and M",
     _INTERSECTION, False),
    (r"(?:the )?union of L and M", _UNION, False),
    (r"flatten L(?: into (?:one|a single) (?:flat )?list)?", flattened, False),
    (r"(?:split|break|chunk) L into (?:chunks|groups|pieces) of(?: size)? N",
     one("print([l[i:i + n] for i in range(0, len(l), n)])"), False),
    (r"rotate L (?:to the )?right by N(?: positions?| places?| spots?| steps?)?",
     one("n %= len(l)\nprint(l[-n:] + l[:-n])"), False),
    (r"rotate L (?:to the )?left by N(?: positions?| places?| spots?| steps?)?",
     one("n %= len(l)\nprint(l[n:] + l[:n])"), False),
    (r"rotate L (?:to the )?left by one(?: position| place| spot| step)?",
     one("print(l[1:] + l[:1])"), False),
    (r"rotate L (?:to the )?right by one(?: position| place| spot| step)?",
     one("print(l[-1:] + l[:-1])"), False),
    (r"zip L (?:with|and) M(?: into pairs)?", two("print(list(zip(a, b)))"), False),
    (r"(?:the )?(?:running totals?|cumulative sums?|running sums?)(?: \((?:cumulative sums?|running "
     r"totals?)\))? of L",
     one("from itertools import accumulate\nprint(list(accumulate(l)))", numbers_only=True), False),
    (r"how many (?:distinct|unique|different) (?:numbers?|values?|elements?|items?|entries|words?"
     r"|names?) (?:are )?(?:there )?in L", one("print(len(set(l)))"), False),
    (r"(?:the )?last N (?:numbers?|values?|elements?|items?|entries|words?|names?) of L",
     one("print(l[-n:])"), False),
    (r"(?:the )?first N (?:numbers?|values?|elements?|items?|entries|words?|names?) of L",
     one("print(l[:n])"), False),
    (r"square each (?:number|element|value) (?:in|of) L",
     one("print([x * x for x in l])", numbers_only=True), False),
    (r"is L sorted(?: in (?:ascending|non-decreasing|increasing) order)?",
     one("print(l == sorted(l))"), True),
    (r"which (?:word|name|one) is (?:the )?(?P<way>longest|shortest)(?: (?:in|among|of) L)|(?:the "
     r")?(?P<way>longest|shortest) (?:word|name|string) (?:in|among|of) L", longest, False),
)
_LIST_NOUN = (r"(?:(?:the |this |my )?(?:list|numbers|values|data|array|sequence|items|elements|words|names)"
              r" )?")
_COMPILED = compile_phrases(_PHRASES, {"L": _LIST_NOUN + r"(?P<l>L\d)", "M": _LIST_NOUN + r"(?P<m>L\d)",
                                       "N": r"(?P<n>N\d)", "K": _K, "V": r"(?P<v>[NS]\d)"})
_REFERENT = re.compile(r"\b(?:these|those|this|the following|the) (?:\w+ )?(?:numbers|values|words|names"
                       r"|items|elements"
                       r"|list|fruits|colors|colours|cities|animals|strings|scores)\b|\bthese \w+\b")


def list_question(task: str) -> str | None:
    """Python printing the answer to one question about a list the task gives ([3, 1, 2], "9, 2 and
    14", words after a colon): sorted either way or alphabetically, the k-th largest or smallest,
    repeats removed, an item counted or found, reversed, sum, product, min, max, mean, median, mode,
    range, length, even or odd numbers added or counted, filtered, two lists merged, intersected,
    joined or zipped, flattened, chunked, rotated, running totals, first or last n. None when any
    word of the task is one these readings do not know, or repeats, ties or case would change the
    answer and the task does not say how."""
    if len(task) > LIMIT:
        return None
    text, flags = mask_flags(task, _FLAGS)
    values, _ = values_and_words(text)
    lists: list[list[object]] = []
    numbers: list[float] = []
    items: list[str] = []
    spans: list[tuple[tuple[int, int], str]] = []
    for value in values:
        if value.kind in ("list", "run"):
            parsed = value.parsed if isinstance(value.parsed, list) else [_plain(n) for n in value.numbers]
            spans.append((value.span, f"L{len(lists)}"))
            lists.append(parsed)
        elif value.kind in ("number", "ordinal"):
            spans.append((value.span, f"{'N' if value.kind == 'number' else 'K'}{len(numbers)}"))
            numbers.append(float(value.text))
        elif value.kind == "string":
            spans.append((value.span, f"S{len(items)}"))
            items.append(value.text)
        else:
            return None
    if not lists or len(lists) > 2:
        return None
    masked = masked_spans(text, spans)
    masked = re.sub(r"\[\s*(L\d)\s*\]", r"\1", masked)
    masked = re.sub(r"(K\d)\s*(?:st|nd|rd|th)\b", r"\1", masked)
    masked = _referred(masked)
    masked = lowered(masked, "LNKS")
    reading = first_reading(masked, _COMPILED, _all_read)
    if reading is None:
        return None
    match, build, yes_no = reading
    if "sorted" in flags and build not in _READS_SORTED:
        return None  # "..., sorted": asked of a reading that does not sort
    code = build(match, Given(lists, numbers, items, flags))
    if code is None:
        return None
    return as_yes_no(code, task) if yes_no else code


def _plain(number: str) -> int | float:
    return float(number) if "." in number else int(number)


def _referred(masked: str) -> str:
    """"Sort these numbers: L0" read as "sort L0": the list after a colon at the end, put where the
    question refers to it."""
    after = re.search(r":\s*(L\d)\s*[.?!]?\s*$", masked)
    if after is None:
        return masked
    head = masked[:after.start()]
    referent = _REFERENT.search(head)
    if referent is None:
        return f"{head} in {after.group(1)}"
    return head[:referent.start()] + after.group(1) + head[referent.end():]


def _all_read(left: str) -> bool:
    return all_read(left, "LNKS", _FILLER)
