"""Cache guard: no hit on another question (public adversarial set, each category); paraphrases hit."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine.config import MemorySettings
from engine.events import CacheHit, MessageDone
from engine.llm.scripted import ScriptedModel
from engine.memory.embedder import Embedder
from engine.memory.guard import guard_allows, task_signature
from engine.resources import bundled_embedding_model, data_file
from tests.engine.test_memory_support import ask, types
from tests.fakes import Engines

SET = data_file("cache_adversarial.jsonl")
NEGATIVE_KINDS = ("direction", "operands", "numbers", "units", "currencies", "entities", "files",
                  "negation", "extremes")
# Measured with the shipped threshold (bench/cache.py): 77 of 81 paraphrases hit (0.951).
RECALL_FLOOR = 0.90


def load_set() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture
def similarity() -> Iterator[dict[tuple[str, str], float]]:
    """Cosine similarity of every pair of the set, with the bundled embedding model."""
    rows = load_set()
    texts = sorted({r["a"] for r in rows} | {r["b"] for r in rows})
    embedder = Embedder(bundled_embedding_model())
    try:
        vectors = dict(zip(texts, embedder.embed_sync(texts), strict=True))
    finally:
        embedder.close()
    yield {(r["a"], r["b"]): float(np.dot(vectors[r["a"]], vectors[r["b"]])) for r in rows}


def test_the_set_has_every_kind_of_pair() -> None:
    rows = load_set()
    assert all(set(r) == {"a", "b", "same", "category"} and r["a"] != r["b"] for r in rows)
    negatives = Counter(r["category"] for r in rows if not r["same"])
    assert set(negatives) == set(NEGATIVE_KINDS)
    assert sum(negatives.values()) >= 150 and min(negatives.values()) >= 12
    assert sum(r["same"] for r in rows) >= 60


@pytest.mark.slow  # embeds ~520 texts: about 15 s of one core
def test_production_rule_never_hits_another_question(
    similarity: dict[tuple[str, str], float],
) -> None:
    threshold = MemorySettings().cache_threshold
    rows = load_set()
    hits = {(r["a"], r["b"]) for r in rows
            if similarity[r["a"], r["b"]] >= threshold and guard_allows(r["a"], r["b"])}
    false_hits = [(r["category"], r["a"], r["b"]) for r in rows
                  if not r["same"] and (r["a"], r["b"]) in hits]
    assert false_hits == []
    positives = [r for r in rows if r["same"]]
    recall = sum((r["a"], r["b"]) in hits for r in positives) / len(positives)
    assert recall >= RECALL_FLOOR
    # The threshold alone cannot do it: reversed and swapped tasks are near-identical texts.
    assert sum(similarity[r["a"], r["b"]] >= threshold for r in rows if not r["same"]) > 150


@pytest.mark.parametrize(("a", "b"), [
    # direction and roles
    ("Convert 100 US dollars to euros at a rate of 0.92.",
     "Convert 100 euros to US dollars at a rate of 0.92."),
    ("How many km is 3 miles?", "How many miles is 3 km?"),
    ("Convert hex 1F to binary.", "Convert binary 1F to hex."),
    ("Send 5 coins from Ann to Ben; how many has Ben?", "Send 5 coins from Ben to Ann; how many has Ben?"),
    ("Move the first 2 items of [1, 2, 3] to the end.", "Move the last 2 items of [1, 2, 3] to the end."),
    # non-commutative operands
    ("What is x minus y for x = 2 and y = 7?", "What is y minus x for x = 2 and y = 7?"),
    ("What is 9 to the power of 2?", "What is 2 to the power of 9?"),
    ("Subtract 4 from 11.", "Subtract 11 from 4."),
    ("Compute 12 / 5.", "Compute 5 / 12."),
    ("What is 8 - 2 - 1?", "What is 8 - (2 - 1)?"),
    ("What is 2 + 3 squared?", "What is 3 + 2 squared?"),
    # numbers, written as digits or words
    ("What is 7 factorial?", "What is 8 factorial?"),
    ("List the first twelve squares.", "List the first eleven squares."),
    ("What is 1,500 + 1?", "What is 150 + 1?"),
    ("What is the 4th prime?", "What is the 4 prime?"),
    # units and currencies
    ("Convert 3 kg to pounds.", "Convert 3 kg to ounces."),
    ("Convert 10 MB to KB.", "Convert 10 Mb to KB."),
    ("What is 5 km in miles?", "What is 5 mm in miles?"),
    ("Convert 40 euros to yen at 160.", "Convert 40 pounds sterling to yen at 160."),
    ("What is $20 plus 10%?", "What is €20 plus 10%?"),
    # names, quotes, files and paths
    ("What is the capital of Peru?", "What is the capital of Chile?"),
    ("Reverse the word Hello.", "Reverse the word hello."),
    ("Count the letters in 'abc'.", "Count the letters in 'abd'."),
    ("Count the lines in a.txt.", "Count the lines in b.txt."),
    ("List /workspace/in.", "List /workspace/out."),
    # negation
    ("Sum the odd numbers below 20 not divisible by 3.", "Sum the odd numbers below 20 divisible by 3."),
    ("Count the non-empty lines of x.txt.", "Count the lines of x.txt."),
    ("Print 1 to 10 except 7.", "Print 1 to 10."),
    ("Is 9 not prime?", "Is 9 prime?"),
    # first/last, extremes, order, parity, before/after
    ("Print the first word of 'a b c'.", "Print the last word of 'a b c'."),
    ("Find the largest of [3, 8, 1].", "Find the smallest of [3, 8, 1]."),
    ("Sort [2, 9, 4] ascending.", "Sort [2, 9, 4] descending."),
    ("Sum the even numbers to 50.", "Sum the odd numbers to 50."),
    ("What date is 3 days before 2024-02-28?", "What date is 3 days after 2024-02-28?"),
    ("Count the numbers in [1, 5, 9] at least 5.", "Count the numbers in [1, 5, 9] at most 5."),
    # operation order and other operations
    ("What is the sum of the squares of 1 to 5?", "What is the square of the sum of 1 to 5?"),
    ("Sort [3, 1, 2] then reverse it.", "Reverse [3, 1, 2] then sort it."),
    ("Print numbers 1 to 30 divisible by 3 and 5.", "Print numbers 1 to 30 divisible by 3 or 5."),
    ("Are some of [1, 2, 3] even?", "Are all of [1, 2, 3] even?"),
    ("Do it again.", "Show it again."),
    # each description word stays with its own clause
    ("Sum the even numbers below 10 and the odd numbers below 20.",
     "Sum the odd numbers below 10 and the even numbers below 20."),
    ("What date is 3 days before 2025-01-01 and 2 days after 2025-02-01?",
     "What date is 3 days after 2025-01-01 and 2 days before 2025-02-01?"),
    ("Is 5 > 3 and 2 < 4?", "Is 5 < 3 and 2 > 4?"),
    # "5!" is a factorial; time-relative or random tasks are new questions every time
    ("What is 5!", "What is 5?"),
    ("What is today's date?", "What's today's date?"),
    ("Pick a random number from 1 to 6.", "Pick a random number from 1 to 6"),
    # precedence and wording traps
    ("What is sqrt 9 + 16?", "What is sqrt 16 + 9?"),
    ("Is none of [0, 1] odd?", "Is one of [0, 1] odd?"),
    ("Is 15 prime or not? Answer in words.", "Is 15 prime or? Answer not in words."),
    ("What is twenty three times 2?", "What is 20 times 3 times 2?"),
    # case-insensitive, said in any of its ways, is not case-sensitive
    ("Count 'the' in 'The the', case-insensitive.", "Count 'the' in 'The the'."),
    ("Count 'the' (any case) in 'The the'.", "Count 'the' in 'The the'."),
    ("Sort b, A, c regardless of case.", "Sort b, A, c."),
    # how many of a currency is a conversion to it, not a count
    ("I pay 30 USD at 1 USD = 0.9 EUR. How many euros is that?",
     "I pay 30 USD at 1 USD = 0.9 EUR. How many dollars is that?"),
])
def test_guard_refuses(a: str, b: str) -> None:
    assert not guard_allows(a, b), (task_signature(a).to_json(), task_signature(b).to_json())
    assert not guard_allows(b, a)


@pytest.mark.parametrize(("a", "b"), [
    ("What is 3+4?", "what's 4 + 3"),
    ("What is 12 times 12?", "Compute 12 * 12."),
    ("Multiply 6 and 7.", "What is 7 times 6?"),
    ("Sum up 4, 5 and 6.", "What is the sum of 6, 5 and 4?"),
    ("Please compute the factorial of 10.", "Calculate 10 factorial."),
    ("Convert 5 km to miles.", "What is 5 kilometers in miles?"),
    ("Convert $100 to EUR.", "Convert 100 US dollars to euros."),
    ("How many minutes are in 3 hours?", "Convert 3 hours to minutes."),
    ("How many words are in notes.txt?", "Count the words in notes.txt."),
    ("Write a Python program that prints the first 10 primes.", "List the first ten prime numbers."),
    ("What is 15 minus 9?", "What's 15 - 9?"),
    ("Round 2.345 to two decimal places.", "Round 2.345 to 2 decimal places."),
    ("Count 'the' in 'The the', case-insensitive.", "Count 'the' in 'The the', ignoring case."),
    ("Sort b, A, c without regard to case.", "Sort b, A, c regardless of case."),
])
def test_guard_allows_paraphrases(a: str, b: str) -> None:
    assert guard_allows(a, b), (task_signature(a).to_json(), task_signature(b).to_json())
    assert guard_allows(b, a)


async def test_reversed_conversion_is_not_served_from_the_cache(gb_home: Path, engines: Engines) -> None:
    # The reported bug, end to end: the euro->dollar question got the dollar->euro answer.
    model = ScriptedModel(["92 euros."], repeat_last=True)
    engine = await engines.chat(gb_home, model=model)
    first = await ask(engine, (await engine.new_session()).id,
                      "Convert 100 US dollars to euros at a rate of 0.92.")
    # (A library example's program may answer it, with no model call: whatever it answered is cached.)
    first_answer = next(e for e in first if isinstance(e, MessageDone)).text
    reverse = await ask(engine, (await engine.new_session()).id,
                        "Convert 100 euros to US dollars at a rate of 0.92.")
    assert "cache_hit" not in types(reverse)  # answered afresh, not replayed
    same = await ask(engine, (await engine.new_session()).id,
                     "Convert $100 to EUR at a rate of 0.92.")
    assert "cache_hit" in types(same)
    assert next(e for e in same if isinstance(e, CacheHit)).similarity >= 0.72
    assert next(e for e in same if isinstance(e, MessageDone)).text == first_answer
