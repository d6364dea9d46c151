"""A question about a quoted string read whole (reverse it, count its vowels, is it a palindrome), and the
Python answering it."""

from __future__ import annotations

import re

from engine.agent.phrase_table import all_read, as_yes_no, compile_phrases, first_reading, lowered, mask_flags
from engine.agent.string_builders import (
    Build,
    Given,
    anagrams,
    counted_char,
    counted_word,
    hashed,
    indexed,
    levenshtein,
    longest_word,
    most_common,
    numeric,
    one,
    padded,
    pair,
    palindrome,
    replaced,
    run_length,
    shifted,
    title_cased,
    with_number,
)

__all__ = ["LIMIT", "string_question"]

LIMIT = 400
"""Longest task (characters) read: a question and its string, a sentence or two."""
# In _OPS a space stands for any run of whitespace; S, T, U are the task's strings, N a number.

_QUOTED = re.compile(r"(?<![A-Za-z0-9])'([^'\n]*)'(?![A-Za-z0-9])|\"([^\"\n]*)\"|\u201c([^\u201d\n]*)\u201d"
                     r"|\u2018([^\u2019\n]*)\u2019")
_AFTER_COLON = re.compile(r":[ \t]+(\S[^\n:]*?)[ \t]*$")
_NAMED = re.compile(r"\b(?:the\s+)?(?:word|string|name)\s+([A-Za-z][\w.-]*[A-Za-z0-9]|[A-Za-z])"
                    r"(?=[\s?.,!]*$|\s)",
                    re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])(\d+)(?![\w.])")
# Unquoted, a word that can only be data: an identifier with _ or a dot (report_final.pdf, .pdf, user_id)
# or letters and digits mixed (abc123def45g6). The names of case styles are words of the question.
_CODEISH = re.compile(r"(?<![\w.'\"-])(?:\w*[A-Za-z]\w*_\w+|\w+_\w*[A-Za-z]\w*|[A-Za-z]\w*\.[A-Za-z]\w*"
                      r"|\.[A-Za-z]\w*"
                      r"|(?=[a-z]*\d)(?=\d*[a-z])[a-z\d]{6,})(?![\w'\"-]|\.\w)")
_STYLE_NAMES = frozenset(("snake_case", "screaming_snake_case", "e.g", "i.e", "sha256", "sha512",
                          "rotthirteen"))
_FILLER = frozenset(str.split("""
    what what's whats is the a an of in please tell me give find calculate compute work out i you can could
    would do does it to for my this that string text word phrase sentence result resulting just only get
    show return answer output value how given following here we if so let's lets i'd like know want need
    quick question hey and python using with as back new are do
"""))
_FLAGS = (  # (a phrase, the flag it sets): removed before the question is read
    (r"\(?(?:if you )?(?:ignor(?:e|ing)|disregard(?:ing)?|not counting) (?:the )?(?:letter )?case"
     r"(?:,? (?:and )?(?:spaces|punctuation|whitespace))*\)?|\(?case[- ]insensitive(?:ly)?\)?",
     "ignore-case"),
    (r"\(?(?:if you )?(?:ignor(?:e|ing)|disregard(?:ing)?) (?:spaces|whitespace)(?:,? (?:and )?"
     r"(?:case|punctuation))*\)?", "ignore-spaces"),
    (r"\(?(?:if you )?(?:ignor(?:e|ing)|disregard(?:ing)?) punctuation(?:,? (?:and )?(?:case|spaces))*\)?",
     "ignore-punctuation"),
    (r"\(?count(?:ing)? overlapping (?:occurrences|matches)(?: too)?\)?|\(?overlapping (?:occurrences|"
     r"matches) count\)?", "overlapping"),
    (r"\(\s*a,\s*e,\s*i,\s*o,\s*(?:and )?u(?:,\s*(?:either|any|both) cases?|,\s*upper or lower(?:\s*case)?)?"
     r"\s*\)", "aeiou"),
    (r"\(?(?:spaces|punctuation|other characters|non-letters)(?: and \w+)? (?:stay|are kept|remain|"
     r"stay as (?:they are|is))(?: as (?:they are|is))?\)?|[.,]?\s*keep(?:ing)? (?:the )?case and"
     r" punctuation\.?", "letters-only"),
    (r"\(\s*uses every letter[^)]*\)|\(\s*all lowercase, words joined by hyphens\s*\)"
     r"|,?\s*keeping (?:only )?the first occurrence(?: of each)?(?: and preserving (?:the )?"
     r"order)?|\(\s*utf-?8,? no (?:trailing )?newline\s*\)", "said"),
    (r",?\s*(?:writing )?each character followed by its count(?:\s*\((?:like|e\.g\.) \w+\))?",
     "char-then-count"),
    (r"\(?(?:the letter )?y (?:counts|is counted) as a consonant(?:,\s*spaces don'?t count)?\)?",
     "y-consonant"),
    (r"\(?\b(?:0|zero)[- ]based\)?|\(?counting from (?:0|zero)\)?", "zero-based"),
    (r"[.,;(]?\s*(?:answer|reply|respond)(?: with)? (?:true|yes) or (?:false|no)\)?"
     r"|[.,;(]?\s*(?:true|yes) or (?:false|no)\s*[?.)]?", "boolean-form"),
    (r"[.,;(]?\s*(?:give|return|reply with|answer with) (?:me )?(?:just |only )?the "
     r"(?:string|character|letter|word|text|resulting \w+|encrypted text|encoded string|padded string)"
     r"(?: only)?\s*[.)]?|\bjust the (?:character|letter|string)\b", "form"),
)
_DO = r"(?:(?:convert|change|turn|make|transform|write|put|rewrite) )?"
_IN = r" (?:in|of|from|inside|within) "
_COUNT = r"(?:how many|count(?: the)?(?: number of)?|(?:the )?number of) "
_OPS: tuple[tuple[str, Build, bool], ...] = (  # (the question, its builder, whether it asks yes or no)
    (r"revers(?:e|ing) the order of (?:the )?words" + _IN + "S", one("print(' '.join(reversed(s.split())))"),
     False),
    (r"reverse each word" + _IN + r"S(?: individually)?(?:,? but keep the words in (?:their )?"
     r"(?:original )?order)?", one("print(' '.join(w[::-1] for w in s.split(' ')))"), False),
    (r"(?:reverse|reversing) S|S reversed|S (?:spelled |written )?backwards?|(?:the )?reverse of S",
     one("print(s[::-1])"), False),
    (_DO + r"S (?:to|into|in) (?:all )?(?:upper\s*case|upper-case|all caps|capital letters|caps)"
     r"|(?:upper\s*case|upper-case) S", one("print(s.upper())"), False),
    (_DO + r"S (?:to|into|in) (?:all )?(?:lower\s*case|lower-case|small letters)"
     r"|(?:lower\s*case|lower-case) S",
     one("print(s.lower())"), False),
    (_DO + r"S (?:to|into|in) title[- ]?case|title[- ]?case S|capitali[sz]e (?:the first letter of )?"
     r"(?:each|every) word" + _IN + "S", title_cased, False),
    (r"swap (?:the )?case (?:of )?(?:(?:every|each|all) letters? )?(?:in|of) S|swapcase S",
     one("print(s.swapcase())"), False),
    (r"character count(?:,? please)?(?:,? (?:spaces included|including spaces))?:? S|(?:the )?length of S"
     r"|how many characters (?:are )?(?:there )?(?:in|does) S(?: have| contain)?|how long is S",
     one("print(len(s))"), False),
    (_COUNT + r"vowels (?:are )?(?:there )?(?:in|does) S(?: have| contain)?|"
     + _COUNT + r"vowels" + _IN + "S",
     one("print(sum(c in 'aeiouAEIOU' for c in s))"), False),
    (_COUNT + r"consonants (?:are )?(?:there )?(?:in|does) S(?: have| contain)?|" + _COUNT + "consonants"
     + _IN + "S", one("print(sum(c.isascii() and c.isalpha() and c.lower() not in 'aeiou'"
                      " for c in s))"), False),
    (r"how many times does the word T (?:appear|occur|show up)" + _IN + r"S|" + _COUNT
     + r"(?:occurrences of |times )?the word T" + _IN + "S", counted_word, False),
    (r"how many times does (?:the )?(?:letter |character |char |substring |sequence )?T "
     r"(?:appear|occur|show up)" + _IN + r"S|how many T'?s? (?:are )?(?:there )?in S|" + _COUNT
     + r"(?:occurrences of |times )?(?:the )?(?:lowercase |uppercase |capital )?(?:letter |character "
     r"|substring )?T" + _IN + "S", counted_char, False),
    (r"is S a palindrome|(?:if|whether) S is a palindrome|does S read the same (?:forwards? "
     r"and backwards?|backwards?(?: and forwards?)?)", palindrome, True),
    (r"are S and T anagrams(?: of each other)?|is S an anagram of T|(?:if|whether) S and"
     r" T are anagrams(?: of each other)?", anagrams, True),
    (r"replace (?:every |all |each )?(?:occurrences? of )?(?:the )?(?:word |letter |character )?"
     r"T (?:with|by) U in S|in S,? replace (?:every |all |each )?(?:occurrences? of )?T "
     r"(?:with|by) U", replaced, False),
    (r"(?:remove|delete|strip(?: out)?) (?:all )?(?:the )?spaces from S", one("print(s.replace(' ', ''))"),
     False),
    (r"(?:remove|delete|strip(?: out)?) (?:all |every |each )?(?:the )?vowels? (?:from|in) S",
     one("import re\nprint(re.sub('[aeiouAEIOU]', '', s))"), False),
    (r"(?:the )?first non-?\s?repeat(?:ing|ed) (?:character|char|letter)" + _IN + "S",
     one("print(next(c for c in s if s.count(c) == 1))"), False),
    (r"(?:which|what) (?:letter|character) (?:appears|occurs|shows up) (?:the )?most(?: often| frequently)?"
     + _IN + r"S|(?:the )?most (?:common|frequent) (?:letter|character)" + _IN + "S", most_common, False),
    (r"(?:the )?rotthirteen (?:of |encoding of )?S|(?:apply |encode )?rotthirteen (?:to |on )?S"
     r"|S in rotthirteen", one("import codecs\nprint(codecs.encode(s, 'rot13'))"), False),
    (r"(?:apply|use) (?:a )?caesar (?:cipher|shift) (?:with (?:a )?shift of |of |by )N (?:to|on) S"
     r"|(?:caesar[- ]shift|shift) (?:(?:each|every|all|the) letters? (?:of|in) )?S (?:forward )?by N"
     r"(?: (?:places|positions|letters))?|(?P<back>decode|decrypt) S (?:with|using) (?:a )?caesar "
     r"(?:cipher|shift) (?:of )?N", shifted, False),
    (r"(?:the )?longest word" + _IN + "S", longest_word, False),
    (_COUNT + r"words (?:are )?(?:there )?in S|" + _COUNT + r"words" + _IN + r"S|word count of S",
     one("print(len(s.split()))"), False),
    (r"sort (?:the )?(?:letters|characters) (?:of|in) S (?:alphabetically|in alphabetical order)",
     one("print(''.join(sorted(s)))"), False),
    (r"convert (?:the )?(?:camel\s*case )?(?:identifier |name )?S (?:from camel\s*case )?to "
     r"snake[_ ]case", one("import re\nprint(re.sub(r'(?<!^)(?=[A-Z])', '_', s).lower())"), False),
    (r"convert (?:the )?(?:snake[_ ]case )?(?:identifier |name )?S (?:from snake[_ ]case )?to "
     r"camel\s*case",
     one("head, *rest = s.split('_')\nprint(head.lower() + ''.join(w.capitalize() for w in rest))"),
     False),
    (r"(?:at )?what index (?:does|is) T (?:first )?(?:appear|occur|found|start)s?" + _IN + r"S|(?:the )?"
     r"index of (?:the )?(?:(?P<last>last) |first )?(?:occurrence of )?T" + _IN + "S", indexed, False),
    (r"(?:the )?(?:ascii|unicode) (?:code|value|number|code point) (?:of|for) (?:the )?(?:lowercase |"
     r"uppercase |capital )?(?:letter |character )?S", one("print(ord(s))"), False),
    (r"(?:which|what) character (?:has|is) (?:the )?(?:ascii|unicode) (?:code|value) N",
     numeric("print(chr(n))"), False),
    (r"repeat S N times(?: in a row)?|S repeated N times", with_number("print(s * n)"), False),
    (r"does S (?:start|begin) with T", pair("print(s.startswith(t))"), True),
    (r"does S end with T", pair("print(s.endswith(t))"), True),
    (r"how many (?:distinct|unique|different) characters (?:are )?(?:there )?in S",
     one("print(len(set(s)))"), False),
    (r"(?:the )?hamming distance between S and T",
     pair("print(sum(x != y for x, y in zip(s, t)) if len(s) == len(t) else 'lengths differ')"), False),
    (r"(?:the )?(?:levenshtein|edit) distance between S and T", levenshtein, False),
    (r"how many (?:uppercase|capital|upper-case) letters (?:are )?(?:there )?in S",
     one("print(sum(c.isupper() for c in s))"), False),
    (r"how many (?:lowercase|lower-case|small) letters (?:are )?(?:there )?in S",
     one("print(sum(c.islower() for c in s))"), False),
    (r"how many digits? (?:characters )?(?:are )?(?:there )?in S", one("print(sum(c.isdigit() for c in s))"),
     False),
    (r"(?:the )?first N (?:characters|letters|chars) of S", with_number("print(s[:n])"), False),
    (r"(?:the )?last N (?:characters|letters|chars) of S", with_number("print(s[-n:])"), False),
    (r"(?:what )?(?:character|letter|char) is at index N" + _IN + "S", with_number("print(s[n])"), False),
    (r"(?:the )?sum of (?:the )?ascii (?:values|codes) of (?:the |all )?(?:characters|letters)?\s*"
     r"(?:in|of) S", one("print(sum(map(ord, s)))"), False),
    (r"is S a pangram", one("print(set('abcdefghijklmnopqrstuvwxyz') <= set(s.lower()))"), True),
    (r"(?:does|is) S (?:consist (?:only )?of (?:only )?digits|contain only digits|all digits"
     r"|numeric)", one("print(s.isdigit())"), True),
    (r"(?:remove|delete) (?:the )?duplicate (?:characters|letters) from S",
     one("print(''.join(dict.fromkeys(s)))"), False),
    (r"(?:make|form|create|build|give me) (?:an? )?(?:uppercase )?acronym (?:from|of|for) S|(?:the )?"
     r"acronym (?:of|for) S", one("print(''.join(w[0].upper() for w in s.split()))"), False),
    (r"right[- ]justify S in a (?:field|width) of (?:width )?N (?:using|with) T as the "
     r"(?:fill|padding)(?: character)?", padded("rjust"), False),
    (r"left[- ]justify S in a (?:field|width) of (?:width )?N (?:using|with) T as the "
     r"(?:fill|padding)(?: character)?", padded("ljust"), False),
    (r"cent(?:er|re) S in a (?:field of )?(?:width|field) (?:of )?N (?:using|with) T as"
     r" the (?:fill|padding)(?: character)?", padded("center"), False),
    (r"convert S to kebab[- ]case", one("print('-'.join(s.lower().split()))"), False),
    (r"run-?length encode S", run_length, False),
    (r"(?:the )?(?:first N hex (?:characters|digits|chars) of (?:the )?)?(?P<algo>sha-?256|sha-?1|md5|"
     r"sha-?512) (?:hex )?(?:hash|digest|hex digest|checksum) of S", hashed, False),
)


_NOUN = (r"(?:(?:the\s+|this\s+)?(?:string|word|text|phrase|sentence|name|identifier|filename|file\s+name)"
         r"\s+)?")
_COMPILED = compile_phrases(_OPS, {"S": _NOUN + r"(?P<s>S\d)", "T": _NOUN + r"(?P<t>S\d)", "U": r"(?P<u>S\d)",
                                   "N": r"(?P<n>N\d)"})


def string_question(task: str) -> str | None:
    """Python printing the answer to one question about a string the task gives in quotes (or after a
    colon, or as "the word X"): reversed, upper/lower/title/swapped case, its length, vowels,
    consonants, a letter or word counted, palindrome, anagrams, replace, remove spaces or vowels,
    first non-repeating or most common letter, ROT13 and Caesar shifts, words counted or reversed,
    the longest word, letters sorted, case styles, indexes, ASCII codes, prefixes and suffixes, edit
    distances. None when any word of the task is one these readings do not know."""
    if len(task) > LIMIT:
        return None
    text, flags = mask_flags(task, _FLAGS)
    text = re.sub(r"\brot[- ]?13\b", "rotthirteen", text, flags=re.IGNORECASE)
    text = re.sub(r"\bsha-(1|256|512)\b", r"sha\1", text, flags=re.IGNORECASE)
    strings, masked = _strings(text)
    numbers = [int(n) for n in _NUMBER.findall(masked)]
    marks = iter(range(len(numbers)))
    masked = _NUMBER.sub(lambda _: f"N{next(marks)}", masked)
    masked = lowered(masked, "SN")
    if not strings and not numbers:
        return None
    masked = re.sub(r"(?<=[a-z]):\s*(S\d)", r" \1", masked)  # "in this sentence: 'x'"
    given = Given(strings, numbers, flags)
    prefix = _common_prefix(masked, strings)
    if prefix is not None:
        return prefix
    reading = first_reading(masked, _COMPILED, _all_read)
    if reading is None:
        return None
    match, build, yes_no = reading
    code = build(match, given)
    if code is None:
        return None
    return as_yes_no(code, task) if yes_no else code


def _strings(text: str) -> tuple[list[str], str]:
    """The strings the task gives, and the task with each replaced by S0, S1..."""
    strings: list[str] = []

    def mark(found: str) -> str:
        strings.append(found)
        return f" S{len(strings) - 1} "

    masked = _QUOTED.sub(lambda m: mark(next(g for g in m.groups() if g is not None)), text)
    if strings:
        return strings, masked
    after = _AFTER_COLON.search(text)
    if after is not None:
        return [after.group(1)], text[:after.start()] + " S0 "
    masked = _CODEISH.sub(lambda m: m.group() if m.group().lower() in _STYLE_NAMES else mark(m.group()), text)
    if strings:
        return strings, masked
    named = list(_NAMED.finditer(text))
    if len(named) == 1:
        return [named[0].group(1)], text[:named[0].start(1)] + " S0 " + text[named[0].end(1):]
    return [], text


_PREFIX = re.compile(r"(?:the\s+)?longest\s+common\s+prefix\s+of\s+"
                     r"(?:(?:these|the)\s+(?:words|strings)\s*:?\s*)?"
                     r"(?:S\d,?\s+)*(?:and\s+)?S\d")


def _common_prefix(masked: str, strings: list[str]) -> str | None:
    """"the longest common prefix of 'flower', 'flow' and 'flight'" (or of words listed after a colon)."""
    found = _PREFIX.search(masked)
    if found is None or not _all_read(masked[:found.start()] + " " + masked[found.end():]):
        return None
    listed = strings[0].rstrip("?. ")
    words = strings if len(strings) > 1 else re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", listed)
    if len(words) < 2 or len(re.findall(r"S\d", found.group())) != len(strings):
        return None
    return f"import os\nprint(os.path.commonprefix({words!r}))"


def _all_read(left: str) -> bool:
    return all_read(left, "SN", _FILLER)
