"""Tokens of a task's text for the cache guard: literals, numbers, units, expressions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from engine.tasktext import words as W

# Spans compared exactly as typed (quotes, code, paths, dates): replaced by placeholders first
# so that no rewrite below can touch them.
_PROTECTED = re.compile(
    r"""
    (?P<block>```.*?```)
    | (?P<code>`[^`\n]+`)
    | (?<![\w'"])(?P<quote>'[^'\n]+'|"[^"\n]+"|“[^”\n]+”|‘[^’\n]+’)(?!\w)
    | (?P<url>\bhttps?://[^\s'"<>]+[^\s'"<>.,;:!?)])
    | (?P<date>\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b)
    | (?P<time>\b\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?\b)?)
    | (?<![\w/.~-])(?P<path>(?:~|\.{1,2})?/(?:[\w.-]+/)*[\w-]+(?:\.[\w-]+)*/?)(?![\w/])
    | (?<![\w/.~-])(?P<file>(?:\.{1,2}/)?(?:[\w-]+/)*[\w-]+(?:\.[\w-]+)*\.[A-Za-z][A-Za-z0-9]{0,7})
      (?![\w/])(?!\.\w)
    """,
    re.VERBOSE | re.DOTALL,
)
_PLACEHOLDER = "\ue000{}\ue001"


def _phrase_pattern(phrases: dict[str, str]) -> re.Pattern[str]:
    parts = []
    for phrase in sorted(phrases, key=len, reverse=True):
        escaped = re.escape(phrase).replace(r"\ ", r"\s+")
        head = r"(?<![A-Za-z_])" if phrase[0].isalnum() else ""  # "5km" is "5 km"
        tail = r"(?!\w)" if phrase[-1].isalnum() else ""
        parts.append(head + escaped + tail)
    return re.compile("|".join(parts), re.IGNORECASE)


_MEASURES = {**W.UNIT_PHRASES, **W.CURRENCY_PHRASES}
_MEASURE_RE = _phrase_pattern(_MEASURES)
_TOKEN = re.compile(
    r"""
    \ue000(?P<lit>\d+)\ue001
    | (?P<num>(?:\d{1,3}(?:,\d{3})+(?![\d])|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|\.\d+)
      (?:(?P<ordinal>st|nd|rd|th)(?![a-z]))?
    | (?P<measure>\ue002\d+\ue003)
    | (?P<sym>\*\*|//|[-+*/^=<>≤≥×÷()\[\]{}])
    | (?P<punct>[.,;:?!])
    | (?P<word>[^\W\d_][\w]*(?:['’][^\W\d_]+)?(?:-\w+)*)
    """,
    re.VERBOSE,
)
_PHRASES = [(re.compile(p, re.IGNORECASE), r) for p, r in W.PHRASES]
_FACTORIAL = re.compile(r"(?<=[\d)])!(?!=)")  # "5!" is 120, not an exclamation
_REQUEST = re.compile(W.REQUEST, re.IGNORECASE)
_ARITHMETIC = {"+": "sum", "*": "product", "×": "product", "-": "minus", "/": "divide",
               "÷": "divide", "^": "power", "**": "power", "//": "floordiv", "mod": "mod"}
_WORD_OPERATORS = {"plus": "+", "minus": "-", "times": "*", "x": "*", "mod": "mod",
                   "modulo": "mod", "over": "/"}
_SENTENCE_END = {".", "?", "!", ";", ":"}
_BEFORE_A_QUESTION = {"is", "what", "whats", "compute", "calculate", "evaluate", "equals", "solve",
                      "please", "print", "show", "give", "tell", "me", "find", "get", "=", "be"}


@dataclass(slots=True)
class Token:
    """One piece of a task: a literal, number, unit, currency, symbol, punctuation or word."""

    kind: str  # lit, num, ord, unit, cur, sym, punct, word, op, operand, marker
    value: str
    initial: bool = False  # first word of a sentence (its capital says nothing)


def _number(text: str) -> str:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return text
    # 10, 10.0 and 1e1 are the same number; normalize() drops trailing zeros.
    return format(value.normalize(), "f")


def _protect(text: str) -> tuple[str, list[str]]:
    literals: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kind = match.lastgroup or ""
        value = match.group(0)
        if kind == "quote":
            value = "'" + value[1:-1] + "'"
        elif kind in ("file", "path"):
            value = value.removeprefix("./").rstrip("/") or "/"
            stem, _, extension = value.rpartition(".")
            if kind == "file" and len(stem) == 1 and len(extension) == 1:
                return value  # "e.g", "i.e": not a file
        literals.append(value)
        return " " + _PLACEHOLDER.format(len(literals) - 1) + " "

    return _PROTECTED.sub(keep, text), literals


def _lex(text: str) -> list[Token]:
    text, literals = _protect(text)
    text = _FACTORIAL.sub(" factorial ", _REQUEST.sub(" ", text))
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    measures: list[str] = []

    def measure(match: re.Match[str]) -> str:
        measures.append(_MEASURES[re.sub(r"\s+", " ", match.group(0).lower())])
        return " \ue002" + str(len(measures) - 1) + "\ue003 "

    text = _MEASURE_RE.sub(measure, text)
    tokens: list[Token] = []
    sentence_start = True
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or ""
        if kind == "lit":
            tokens.append(Token("lit", literals[int(match.group("lit"))]))
        elif kind == "ordinal" or kind == "num":
            number = _number(match.group("num"))
            if match.group("ordinal"):
                tokens.append(Token("word", "first") if number == "1"
                              else Token("ord", "#" + number))
            else:
                tokens.append(Token("num", number))
        elif kind == "measure":
            code = measures[int(match.group(0)[1:-1])]
            is_currency = (code.isupper() and len(code) == 3) or code in ("cent", "EUR-cent",
                                                                        "peso", "franc", "penny")
            tokens.append(Token("cur" if is_currency else "unit", code))
        elif kind == "sym":
            tokens.append(Token("sym", match.group(0)))
        elif kind == "punct":
            tokens.append(Token("punct", match.group(0)))
            sentence_start = match.group(0) in _SENTENCE_END or sentence_start
            continue
        else:
            tokens.append(Token("word", match.group(0), initial=sentence_start))
        sentence_start = False
    return tokens


def _numbers_from_words(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        lower = token.value.lower()
        parts = lower.split("-")
        if token.kind == "word" and all(p in W.NUMBER_WORDS or p in W.SCALES for p in parts) \
                and parts[0] not in W.SCALES:
            total, current = 0.0, float(sum(W.NUMBER_WORDS.get(p, 0) for p in parts))
            j = i + 1
            while j < len(tokens) and tokens[j].kind == "word":
                word = tokens[j].value.lower()
                if word in W.SCALES:
                    current *= W.SCALES[word]
                    if W.SCALES[word] >= 1000:
                        total, current = total + current, 0.0
                elif word in W.NUMBER_WORDS and current and (
                        (current % 10 == 0 and W.NUMBER_WORDS[word] < 10)
                        or (current % 100 == 0 and W.NUMBER_WORDS[word] < 100)):
                    current += W.NUMBER_WORDS[word]  # twenty three, one hundred twelve
                elif word == "and" and j + 2 < len(tokens) and \
                        tokens[j + 1].value.lower() == "a" and tokens[j + 2].value.lower() == "half":
                    current += 0.5
                    j += 2
                else:
                    break
                j += 1
            out.append(Token("num", _number(repr(total + current))))
            i = j
            continue
        if token.kind == "num" and i + 1 < len(tokens) and tokens[i + 1].kind == "word" \
                and tokens[i + 1].value.lower() in W.SCALES:
            scaled = Decimal(token.value) * W.SCALES[tokens[i + 1].value.lower()]
            out.append(Token("num", _number(str(scaled))))
            i += 2
            continue
        if token.kind == "word" and lower in ("a", "an") and i + 1 < len(tokens) \
                and tokens[i + 1].value.lower() in ("dozen", "hundred", "thousand", "million"):
            out.append(Token("num", str(W.NUMBER_WORDS.get(tokens[i + 1].value.lower())
                                         or W.SCALES[tokens[i + 1].value.lower()])))
            i += 2
            continue
        out.append(token)
        i += 1
    return out


def _classify_units(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for i, token in enumerate(tokens):
        after_number = i > 0 and tokens[i - 1].kind == "num"
        if token.kind == "sym" and token.value == "-" and after_number and i + 1 < len(tokens) \
                and tokens[i + 1].kind == "unit":
            continue  # "a 26.2-mile marathon" is 26.2 miles, not 26.2 minus a mile
        if token.kind == "word":
            lower = token.value.lower()
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if after_number and token.value == "in" and not (
                    nxt is None or nxt.kind in ("punct", "unit", "cur")
                    or nxt.value.lower() in ("to", "into", "and")):
                out.append(token)  # "5 in the list": the preposition, not inches
                continue
            if token.value in W.UNIT_CASED or (after_number and token.value in W.UNIT_AFTER_NUMBER):
                out.append(Token("unit", W.UNIT_CASED.get(token.value)
                                  or W.UNIT_AFTER_NUMBER[token.value]))
                continue
            if token.value in ("C", "F") and any(t.value in ("°C", "°F", "°") for t in out):
                out.append(Token("unit", "°" + token.value))
                continue
            if lower in W.ORDINAL_WORDS:
                out.append(Token("ord", f"#{W.ORDINAL_WORDS[lower]}"))
                continue
        if token.kind == "num" and out and out[-1].kind == "cur" and \
                (len(out) < 2 or out[-2].kind != "num"):
            out.insert(len(out) - 1, token)  # "$75" reads as "75 USD"
            continue
        out.append(token)
    return out


def _is_value(token: Token) -> bool:
    return token.kind == "num" or (token.kind == "word" and len(token.value) == 1
                                   and token.value.lower() not in ("a", "i"))


def _expressions(tokens: list[Token]) -> list[Token]:
    # Operator words between values become symbols; a "-" that starts a value is a sign.
    tokens = list(tokens)
    for i in range(1, len(tokens) - 1):
        word = tokens[i].value.lower()
        if tokens[i].kind == "word" and word in _WORD_OPERATORS and _is_value(tokens[i - 1]) \
                and (_is_value(tokens[i + 1]) or tokens[i + 1].value == "-"):
            tokens[i] = Token("sym", _WORD_OPERATORS[word])
    merged: list[Token] = []
    for token in tokens:
        if token.kind == "num" and merged and merged[-1].value == "-" and (
                len(merged) < 2 or not (_is_value(merged[-2]) or merged[-2].value in (")", "]"))):
            merged[-1] = Token("num", _number("-" + token.value))
            continue
        merged.append(token)
    out: list[Token] = []
    i = 0
    while i < len(merged):
        j, operators, depth, values = i, [], 0, 0
        while j < len(merged):
            token = merged[j]
            if _is_value(token):
                values += 1
            elif token.value in _ARITHMETIC and token.kind == "sym":
                operators.append(token.value)
            elif token.value == "(" and token.kind == "sym":
                depth += 1
            elif token.value == ")" and token.kind == "sym" and depth > 0:
                depth -= 1
            else:
                break
            j += 1
        while j > i and (merged[j - 1].kind == "sym" and merged[j - 1].value != ")"):
            j -= 1  # a run never ends on an operator
        if not operators or values < 2 or depth:
            out.append(merged[i])
            i += 1
            continue
        run = merged[i:j]
        kinds = {_ARITHMETIC[o] for o in operators}
        if len(kinds) > 1 or any(t.value in "()" for t in run):
            text = "".join(t.value if t.kind != "word" else t.value.lower() for t in run)
            out.append(Token("lit", "expr:" + text.replace("**", "^").replace("×", "*")))
        else:
            kind = kinds.pop()
            values_in_run = [t for t in run if _is_value(t)]
            before = out[-1] if out else None
            after = merged[j] if j < len(merged) else None
            # Only a whole question commutes: "sqrt 9 + 16" or "2 + 3 squared" bind one operand.
            if kind in ("sum", "product") and all(t.kind == "num" for t in values_in_run) and (
                    after is None or after.kind == "punct") and (
                    before is None or before.kind == "punct" or (
                        before.kind == "word" and before.value.lower() in _BEFORE_A_QUESTION)):
                values_in_run.sort(key=lambda t: Decimal(t.value))
            out.append(Token("op", kind))
            out.extend(values_in_run)
        i = j
    return out


def tokens(text: str) -> list[Token]:
    """The task's tokens, with number words, units and arithmetic already normalised."""
    return _expressions(_classify_units(_numbers_from_words(_lex(text))))
