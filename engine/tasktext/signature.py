"""Task signatures for the cache guard: operations, and operands in order, of a task's text."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.tasktext import words as W
from engine.tasktext.lexer import Token, tokens

_COMMUTATIVE = {"sum", "product", "gcd", "lcm", "max", "min", "average", "median"}
_TO_MARKERS = {"to", "into", "through", "thru", "till", "until"}
_IN_MARKERS = {"in", "as"}
_PATH = re.compile(r"(?:~|\.{1,2})?/|[\w-]+(?:/[\w.-]+)*\.[A-Za-z][A-Za-z0-9]{0,7}$")
_CLAUSE_WORDS = {"and", "then", "but", "while", "whereas", "afterwards"}
# "What number cubed gives 35?" asks for the operand, not the result: "35 cubed" read backwards.
_ASKS_FOR_OPERAND = re.compile(
    r"\b(?:what|which)\s+(?:\w+\s+)?(?:numbers?|integers?|values?|powers?|exponents?)\b(?:,?\s+when\b"
    r"|[^.?!]*\b(?:gives?|yields?|produces?|makes?|equals?|results?\s+in|has|have)\b)",
    re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause of a task: what it does and what to, as compared by the guard."""

    steps: tuple[str, ...]
    """Order-sensitive operations (sum, square, sort, first, ...) in order of mention."""
    words: frozenset[str]
    """Other known operation and description words."""
    operands: tuple[str, ...]
    """Numbers, units, currencies, names, files, quotes and direction marks, in order."""


@dataclass(frozen=True, slots=True)
class TaskSignature:
    """What two tasks must share exactly for one's answer to serve the other.

    Clauses keep each description word with its own operands: "even below 10 and odd below 20"
    is not "odd below 10 and even below 20".
    """

    clauses: tuple[Clause, ...]

    def to_json(self) -> list[dict[str, Any]]:
        """JSON-ready form (for debugging and the bench)."""
        return [{"steps": list(c.steps), "words": sorted(c.words), "operands": list(c.operands)}
                for c in self.clauses]


def _stems(word: str) -> list[str]:
    # Crude suffix stripping; both tasks get the same, so it need only be consistent.
    stems = [word]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        stems.append(word[:-1])
    if len(word) > 4:
        if word.endswith("es"):
            stems.append(word[:-2])
        if word.endswith("ies"):
            stems.append(word[:-3] + "y")
        if word.endswith("ed"):
            stems += [word[:-2], word[:-1]]
        if word.endswith("ing"):
            stems += [word[:-3], word[:-3] + "e"]
    return stems


def _canonical(word: str) -> str | None:
    """The operation a word names, or None for an operand (a name, an unknown word)."""
    found = None
    for stem in _stems(word):  # the most stripped match wins: "lines" -> "line"
        if stem in W.SYNONYMS:
            found = W.SYNONYMS[stem]
        elif stem in W.OPERATIONS:
            found = stem
    return found


def _is_filler(word: str) -> bool:
    return any(stem in W.FILLER for stem in _stems(word))


def _commutative_lists(tokens: list[Token]) -> list[Token]:
    """Sort the numbers of "sum of 8, 13 and 21", "multiply 6 by 9", "the larger of 14 and 41"."""
    out = list(tokens)
    for i, token in enumerate(out):
        verb = token.value.lower()
        if token.kind != "word" or _canonical(verb) not in _COMMUTATIVE:
            continue
        j = i + 1
        while j < len(out) and out[j].kind == "word" and out[j].value.lower() in ("of", "the"):
            j += 1
        separators = {",", "and", "with"} | ({"by"} if _canonical(verb) == "product" else set()) \
            | ({"to"} if verb == "add" else set())
        numbers, k = [], j
        while k < len(out) and out[k].kind == "num":
            numbers.append(k)
            k += 1
            while k < len(out) and out[k].value.lower() in separators and out[k].kind != "lit":
                k += 1
            if k < len(out) and out[k].kind != "num":
                k = numbers[-1] + 1
                break
        end = out[k] if k < len(out) else None
        if len(numbers) >= 2 and (end is None or end.kind == "punct"):
            values = sorted((out[n] for n in numbers), key=lambda t: Decimal(t.value))
            out[j:k] = values
    return out


_CLITIC = re.compile(r"['’](?:s|m|re|ll|ve|d)$")


def _operand(token: Token) -> str:
    if token.kind == "word":
        word = _CLITIC.sub("", token.value)
        word = word.lower() if token.initial else word
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        return word
    prefix = {"unit": "u:", "cur": "c:", "num": "", "ord": "", "lit": "", "sym": ""}
    return prefix.get(token.kind, token.kind + ":") + token.value


def _resolve(tokens: list[Token]) -> list[Token]:
    """Words become operations, operands, negations or direction marks; filler goes."""
    out: list[Token] = []
    for token in tokens:
        if token.kind == "word":
            lower = _CLITIC.sub("", token.value.lower())  # I'm, that's, we'll
            if lower in _CLAUSE_WORDS:
                out.append(Token("punct", "|"))
            elif lower in W.NEGATIONS:
                out.append(Token("neg", "¬"))
            elif lower in _TO_MARKERS or lower == "from" or lower in _IN_MARKERS:
                out.append(Token("marker", lower))
            elif _is_filler(lower):
                continue
            elif (operation := _canonical(lower)) is not None:
                out.append(Token("op", operation))
            else:
                out.append(Token("operand", _operand(token)))
        elif token.kind == "sym" and token.value in "<>≤≥":
            out.append(Token("op", token.value))
        elif token.kind in ("punct", "op"):
            out.append(token)
        else:
            out.append(Token("operand", _operand(token)))
    return out


def _marks(tokens: list[Token]) -> list[Token]:
    """Attach negations to the next word; keep a direction mark only before an operand."""
    out: list[Token] = []
    negate = False
    marker: str | None = None
    for token in tokens:
        if token.kind == "neg":
            negate = not negate
        elif token.kind == "marker":
            marker = token.value
        elif token.kind == "punct":
            marker = None
            if negate and token.value in ".?!;":
                out.append(Token("op", "¬"))  # "is 15 prime or not?"
                negate = False
            out.append(token)
        else:
            arrow = "←" if marker == "from" else "→"
            if marker is not None and token.kind == "operand":
                target = token.value.startswith(("u:", "c:"))
                if marker not in _IN_MARKERS or target:
                    out.append(Token("operand", arrow))
            elif marker is not None and (marker not in _IN_MARKERS or token.value in W.FORMATS):
                # "binary to decimal": the target is an operation word; its side still matters.
                out.append(Token("operand", arrow + token.value))
            marker = None
            out.append(Token(token.kind, ("¬" if negate else "") + token.value))
            negate = False
    if negate:
        out.append(Token("op", "¬"))
    return out


def _conversions(tokens: list[Token]) -> list[Token]:
    """ "How many km is 10 miles" asks what "10 miles to km" asks."""
    out = list(tokens)
    for i in range(len(out) - 3):
        window = out[i:i + 4]
        if window[0].value == "count" and window[0].kind == "op" \
                and window[1].value.startswith(("u:", "c:")) and window[2].value.lstrip("-")[:1].isdigit() \
                and window[3].value.startswith(("u:", "c:")):
            out[i:i + 4] = [window[2], window[3], Token("operand", "→"), window[1]]
            return out
    for i in range(len(out) - 1):
        # "... at 1 USD = 0.92 EUR. How many euros is that?": a currency is never counted, only converted to
        if out[i].value == "count" and out[i].kind == "op" and out[i + 1].value.startswith("c:") \
                and not (i + 2 < len(out) and out[i + 2].value.lstrip("-")[:1].isdigit()):
            out[i] = Token("operand", "→")
            break
        # "A marathon is 26.2 miles. How many kilometres is that?": 26.2 miles to km, as a unit asked
        # for at the end of a question, after a quantity with its unit
        if out[i].value == "count" and out[i].kind == "op" and out[i + 1].value.startswith("u:") \
                and (i + 2 == len(out) or out[i + 2].kind == "punct") and _quantity_before(out[:i]):
            out[i] = Token("operand", "→")
            break
    return out


def _quantity_before(tokens: list[Token]) -> bool:
    return any(number.value.lstrip("-")[:1].isdigit() and unit.value.startswith("u:")
               for number, unit in itertools.pairwise(tokens))


def _from_to(operands: list[str]) -> list[str]:
    # "from A to B" says what "A to B" says; a lone "from" (subtract 3 from 10) stays.
    out = []
    for i, value in enumerate(operands):
        if value == "←" and "→" in operands[i + 1:]:
            continue
        out.append(value)
    return out


def _clauses(tokens: list[Token]) -> list[list[Token]]:
    """Split at sentence ends, commas outside brackets, and, then, but."""
    clauses: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.kind == "operand" and token.value in ("[", "(", "{"):
            depth += 1
        elif token.kind == "operand" and token.value in ("]", ")", "}"):
            depth = max(0, depth - 1)
        if token.kind == "punct" and (depth == 0 or token.value != ","):
            clauses.append([])
        elif token.kind != "punct":
            clauses[-1].append(token)
    merged: list[list[Token]] = []
    for clause in (c for c in clauses if c):
        if merged and all(_PATH.match(t.value) for t in merged[-1]):
            merged[-1] = merged[-1] + clause  # "read data.csv and print the mean"
        else:
            merged.append(clause)
    return merged


def _clause(tokens: list[Token]) -> Clause:
    steps: list[str] = []
    words: set[str] = set()
    operands: list[str] = []
    for token in tokens:
        if token.kind == "operand":
            operands.append(token.value)
        elif token.value in W.TRANSFORMS:
            if token.value not in steps:
                steps.append(token.value)
        else:
            words.add(token.value)
    return Clause(tuple(steps), frozenset(words), tuple(_from_to(operands)))


def task_signature(text: str) -> TaskSignature:
    """Operations and ordered operands of a task's clauses, normalised for exact comparison."""
    resolved = _conversions(_marks(_resolve(_commutative_lists(tokens(text)))))
    clauses = tuple(_clause(c) for c in _clauses(resolved))
    if clauses and _ASKS_FOR_OPERAND.search(text):
        clauses = (Clause((), frozenset({"asks-for-operand"}), ()), *clauses)
    return TaskSignature(clauses)
