"""A unit or currency conversion read whole ("Convert 5 miles to km", "how many ounces in 2.5 lb",
"250 USD in EUR if 1 USD = 0.92 EUR"), and the Python that works it out with exact factors."""

from __future__ import annotations

import re

from engine.agent.unit_table import UNIT_NAMES, Unit, unit_named
from engine.tasktext.rounding_request import asked_rounding

__all__ = ["LIMIT", "conversion_question"]

LIMIT = 300
"""Longest task (characters) read: a conversion is one sentence."""

_AMOUNT = r"(?P<amount>-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d*\.?\d+(?:e[-+]?\d+)?)"
_UNIT = r"(?:u\.?s\.?\s+)?(?:" + "|".join(re.escape(n).replace(r"\-", r"[-\s]+") for n in UNIT_NAMES) + ")"
_DEGREES = r"(?:degrees?\s+|deg\s+)?"
_FROM = _AMOUNT + r"\s*" + _DEGREES + r"(?P<source>" + _UNIT + r")(?![\w/²³])"
_TO = _DEGREES + r"(?P<target>" + _UNIT + r")(?![\w/²³])"
_END = r"\s*(?:,?\s*please)?\s*[?.!]?\s*$"
_LEAD = (r"^\s*(?:(?:hey|ok|so|quick question)[,:]?\s+)?(?:please\s+)?(?:can\s+you\s+|could\s+you\s+)?"
         r"(?:(?:give|tell)\s+me\s+)?")
_QUESTIONS = [re.compile(_LEAD + pattern + _END, re.IGNORECASE) for pattern in (
    r"(?:convert|change|turn|express|translate|write|put)\s+" + _FROM + r"\s+(?:to|into|in)\s+" + _TO,
    r"(?:what\s+is|what's|whats|how\s+much\s+is|what\s+are|how\s+far\s+is|how\s+long\s+is|how\s+heavy\s+is)\s+"
    + _FROM + r"\s+(?:in|to|into|as|expressed\s+in|converted\s+to)\s+" + _TO,
    r"how\s+many\s+" + _TO + r"\s+(?:are\s+)?(?:there\s+)?(?:in|is|are\s+in|make(?:\s+up)?|equals?)\s+"
    r"(?:a\s+|an\s+|one\s+)?"
    + _FROM,
    r"how\s+many\s+" + _TO + r"\s+(?:are\s+)?(?:there\s+)?(?:in|is)\s+(?P<one>an?|one)\s+(?P<single>" + _UNIT
    + r")(?![\w/])",
    _FROM + r"\s*(?:is\s+how\s+many|in|to|into|=\s*\?*|->|\u2192|=\s*how\s+many)\s*" + _TO,
    _FROM + r"\s+(?:is|equals)\s+how\s+many\s+" + _TO,
    _FROM + r"\s*(?:[,;:\u2014\u2013]|--?)\s*how\s+many\s+" + _TO + r"(?:\s+is\s+that)?",
    _TO + r"\s+in\s+(?:a\s+|an\s+|one\s+)?" + _FROM,
    _TO + r"\s+in\s+(?P<one>an?|one)\s+(?P<single>" + _UNIT + r")(?![\w/])",
)]
_ASIDE = (r"\s*\((?:us(?:\s+(?:cups?|gallons?|measures?|units?))?|mechanical|metric"
          r"|10\^(?:3|6|9|12)\s+bytes)\)")
_DECIMAL_BYTES = {"KB", "MB", "GB", "TB"}
_BINARY_BYTES = {"KiB", "MiB", "GiB", "TiB"}
_SAYS_DECIMAL = re.compile(r"\b(?:decimal|si|1,?000\s+(?:bytes|kb|mb|gb)|base[- ]10|10\^(?:3|6|9|12)"
                           r"|powers?\s+of\s+(?:10|ten))\b",
                           re.IGNORECASE)
_CURRENCIES = {
    "usd": "USD", "dollar": "USD", "dollars": "USD", "us dollar": "USD", "us dollars": "USD", "$": "USD",
    "eur": "EUR", "euro": "EUR", "euros": "EUR", "€": "EUR",
    "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "british pounds": "GBP", "pounds sterling": "GBP",
    "£": "GBP",
    "jpy": "JPY", "yen": "JPY", "japanese yen": "JPY", "¥": "JPY",
    "chf": "CHF", "swiss franc": "CHF", "swiss francs": "CHF", "francs": "CHF",
    "cad": "CAD", "canadian dollar": "CAD", "canadian dollars": "CAD",
    "aud": "AUD", "australian dollar": "AUD", "australian dollars": "AUD",
    "inr": "INR", "rupee": "INR", "rupees": "INR", "indian rupees": "INR",
    "cny": "CNY", "yuan": "CNY", "rmb": "CNY", "mxn": "MXN", "pesos": "MXN", "mexican pesos": "MXN",
    "sek": "SEK", "swedish krona": "SEK", "swedish kronor": "SEK", "krona": "SEK", "kronor": "SEK",
    "brl": "BRL", "reais": "BRL", "real": "BRL", "krw": "KRW", "won": "KRW",
}
_MONEY = "(?:" + "|".join(re.escape(n).replace(r"\ ", r"\s+")
                          for n in sorted(_CURRENCIES, key=len, reverse=True)) \
    + ")"
_RATE = re.compile(r"(?:\(|,|;|\bif\b|\bwhen\b|\bat\b|\bwith\b|\bwhere\b|\busing\b|\bgiven\b|\brate\b|:)?\s*"
                   r"(?:a\s+|the\s+)?(?:exchange\s+)?(?:rate\s+)?(?:of\s+|is\s+)?1\s*(?P<base>" + _MONEY
                   + r")\s*(?:=|is|equals|buys)\s*"
                   r"(?P<rate>\d*\.?\d+)\s*(?P<quote>" + _MONEY + r")\s*\)?", re.IGNORECASE)
_MONEY_FROM = (r"(?:(?P<symbol>[$€£¥])\s*" + _AMOUNT + r"|" + _AMOUNT.replace("amount", "amount2")
               + r"\s*(?P<source>"
               + _MONEY + r"))")
_MONEY_QUESTIONS = [re.compile(_LEAD + pattern + r"\s*[?.!]?\s*$", re.IGNORECASE) for pattern in (
    r"(?:convert|change|exchange|turn)\s+" + _MONEY_FROM + r"\s+(?:to|into|in)\s+(?P<target>" + _MONEY + r")",
    r"(?:what\s+is|what's|how\s+much\s+is)\s+" + _MONEY_FROM + r"\s+(?:in|to|into)\s+(?P<target>" + _MONEY
    + r")",
    r"how\s+many\s+(?P<target>" + _MONEY + r")\s+(?:is|are|do\s+i\s+get\s+for|would\s+i\s+get\s+for|for"
    r"|will\s+"
    r"i\s+get\s+for)\s+" + _MONEY_FROM,
)]


def conversion_question(task: str) -> str | None:
    """Python printing a conversion of an amount from one unit to another of the same dimension
    (length, mass, volume, time, speed, area, data, energy, power, pressure, temperature) with
    exact factors, or between two currencies at a rate the task states as "1 A = r B"; rounded
    when the task asks. None for anything else (a rate given without saying which way, two
    conversions, a step before or after)."""
    if len(task) > LIMIT:
        return None
    rounding = asked_rounding(task)
    text = task if rounding is None else rounding.question
    digits = None if rounding is None else rounding.digits
    money = _money(text, digits)
    if money is not None:
        return money
    based = _base_conversion(text)
    if based is not None:
        return based
    plain = _without_stated_factor(re.sub(_ASIDE, " ", text, flags=re.IGNORECASE).strip())
    if plain is None:
        return None
    for question in _QUESTIONS:
        found = question.match(plain)
        if found is None:
            continue
        groups = found.groupdict()
        amount = "1" if groups.get("one") else groups["amount"]
        source = unit_named(groups.get("single") or groups["source"])
        target = unit_named(groups["target"])
        if source is None or target is None or source[0] != target[0] or source == target:
            return None
        if ({source[2], target[2]} & _DECIMAL_BYTES and not {source[2], target[2]} & _BINARY_BYTES
                and not _SAYS_DECIMAL.search(task)):
            return None  # "MB" is 10^6 or 2^20 bytes as people use it; the task must say which
        return _program(float(amount.replace(",", "")), source, target, digits)
    return None


_STATED = re.compile(r"[,(;]?\s*(?:using|with|where|given|assuming|taking)?\s*(?:that\s+)?1\s+(?P<one>"
                     + _UNIT + r")\s*(?:=|is|equals)\s*(?P<size>\d*\.?\d+)\s*(?P<other>" + _UNIT
                     + r")(?![\w/])\s*\)?",
                     re.IGNORECASE)


def _without_stated_factor(text: str) -> str | None:
    """The task without a factor it states ("using 1 mile = 1.609344 km"), when that is the exact one;
    None when it states another (the task's own factor would then be the one to use)."""
    stated = list(_STATED.finditer(text))
    if len(stated) > 1:
        return None
    if not stated:
        return text
    one, other = unit_named(stated[0].group("one")), unit_named(stated[0].group("other"))
    if one is None or other is None or one[0] != other[0] or one[0] == "temperature":
        return None
    if abs(one[1] / other[1] - float(stated[0].group("size"))) > 1e-9 * one[1] / other[1]:
        return None
    return (text[:stated[0].start()] + " " + text[stated[0].end():]).strip()


_BASES = {"binary": 2, "bin": 2, "base 2": 2, "base-2": 2, "octal": 8, "oct": 8, "base 8": 8, "base-8": 8,
          "decimal": 10, "base 10": 10, "base-10": 10, "denary": 10, "hexadecimal": 16, "hex": 16,
          "base 16": 16,
          "base-16": 16}
_BASE = r"(?:binary|bin|octal|oct|decimal|denary|hexadecimal|hex|base[- ](?:2|8|10|16))"
_DIGITS = r"(?P<digits>(?:0[xob])?[0-9a-fA-F]+)"
_BASE_QUESTIONS = [re.compile(_LEAD + pattern + r"(?:\s*\(?(?:just\s+the\s+digits|digits\s+only),?\s*(?:no\s+"
                              r"prefix)?\)?)?\s*[?.!]?\s*$", re.IGNORECASE) for pattern in (
    r"(?:convert|change|turn|express|write)\s+(?:the\s+)?(?:(?P<source>" + _BASE + r")\s+(?:number\s+)?)?"
    + _DIGITS + r"\s+(?:from\s+(?P<source2>" + _BASE + r")\s+)?(?:to|into|in)\s+(?P<target>" + _BASE + r")",
    r"(?:what\s+is|what's|whats)\s+(?:the\s+)?(?:(?P<source>" + _BASE + r")\s+(?:number\s+)?)?" + _DIGITS
    + r"\s+(?:in|to|as)\s+(?P<target>" + _BASE + r")",
)]


def _base_conversion(text: str) -> str | None:
    """A whole number written in one base (binary, octal, decimal, hex; 0x/0b/0o prefixes read)
    printed in another, without a prefix, hex digits in capitals."""
    for question in _BASE_QUESTIONS:
        found = question.match(text)
        if found is None:
            continue
        digits = found.group("digits")
        named = found.group("source") or found.groupdict().get("source2")
        prefixed = {"0x": 16, "0b": 2, "0o": 8}.get(digits[:2].lower())
        source = _BASES[named.lower()] if named else prefixed or 10
        if prefixed and prefixed != source:
            return None
        body = digits[2:] if prefixed else digits
        try:
            int(body, source)
        except ValueError:
            return None
        target = _BASES[found.group("target").lower()]
        if target == source:
            return None
        shown = {2: "format(n, 'b')", 8: "format(n, 'o')", 10: "n", 16: "format(n, 'X')"}[target]
        return f"n = int({body!r}, {source})\nprint({shown})"
    return None


def _program(amount: float, source: Unit, target: Unit, digits: int | None) -> str:
    if source[0] == "temperature":
        to_celsius = {"°C": "x", "°F": "(x - 32) * 5 / 9", "K": "x - 273.15"}[source[2]]
        from_celsius = {"°C": "c", "°F": "c * 9 / 5 + 32", "K": "c + 273.15"}[target[2]]
        lines = [f"x = {amount!r}", f"c = {to_celsius}", f"value = {from_celsius}"]
    else:
        lines = [f"x = {amount!r}",
                 f"value = x * {source[1]!r} / {target[1]!r}  # {source[2]} -> {target[2]}"]
    return "\n".join([*lines, _shown("value", target[2], digits)])


def _shown(name: str, symbol: str, digits: int | None) -> str:
    """The value printed: rounded as asked, else whole when it is, else to 12 significant digits."""
    if digits is not None:
        return f"print(f'{{{name}:.{digits}f}} {symbol}')"
    return (f"print(f'{{round({name})}} {symbol}' if abs({name} - round({name})) < 1e-9 * max(1, abs({name}))"
            f" else f'{{{name}:.12g}} {symbol}')")


def _money(text: str, digits: int | None) -> str | None:
    """An amount in one currency in another, at the rate the task gives as "1 A = r B" (either way)."""
    rates = list(_RATE.finditer(text))
    if len(rates) != 1:
        return None
    rate = rates[0]
    question = (text[:rate.start()] + " " + text[rate.end():]).strip(" ,;:")
    for pattern in _MONEY_QUESTIONS:
        found = pattern.match(question)
        if found is None:
            continue
        groups = found.groupdict()
        written = groups.get("symbol") or groups.get("source") or ""
        source = _CURRENCIES.get(re.sub(r"\s+", " ", written.lower()))
        target = _CURRENCIES.get(re.sub(r"\s+", " ", groups["target"].lower()))
        base = _CURRENCIES.get(re.sub(r"\s+", " ", rate.group("base").lower()))
        quote = _CURRENCIES.get(re.sub(r"\s+", " ", rate.group("quote").lower()))
        amount = (groups.get("amount") or groups.get("amount2") or "").replace(",", "")
        if None in (source, target, base, quote) or source == target or not amount:
            return None
        if (source, target) == (base, quote):
            value = f"{float(amount)!r} * {float(rate.group('rate'))!r}"
        elif (source, target) == (quote, base):
            value = f"{float(amount)!r} / {float(rate.group('rate'))!r}"
        else:
            return None
        return f"value = {value}\nprint(f'{{value:.{2 if digits is None else digits}f}} {target}')"
    return None
