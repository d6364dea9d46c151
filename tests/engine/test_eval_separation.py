"""The eval set (data/eval/tasks.jsonl) is sound and cannot be gamed by the worked-example library.

(a) At least 120 tasks across at least 12 kinds, unique ids, known checks, and no answer the
    task itself already shows (a reply that echoes the task must not score).
(b) No eval task is a near-duplicate of a library task: cosine similarity with the bundled
    all-MiniLM-L6-v2 embedding model stays below 0.92 for every (eval task, library task) pair.
(c) No eval answer appears in the library's `code`. An answer is looked for when it is
    distinctive enough to mean something if found:
      - numeric answers ("number" check) with at least 4 significant digits (sign, decimal
        point, leading and trailing zeros dropped): 9396, 271.74 and 3486784400 are looked for;
        120, 2.5, 1600 and -8000 are too common in any code to say anything;
      - text answers ("exact"/"contains") of at least 3 characters, except a lone weekday or
        month name (a calendar example may list them all without giving anything away).
    "Appears" means, for a number, the same literal not inside a longer number (9396 is found
    in `x = 9396`, not in `19396` or `9396.5`); for text, the answer's tokens (words and
    single punctuation marks, case-folded, quote marks alike, whitespace ignored) occur as a
    contiguous run of the code's tokens.
The library (data/examples/library.jsonl) is written separately and arrives with a merge:
(b) and (c) skip locally while it is missing and fail in CI.
"""

from __future__ import annotations

import calendar
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from bench.eval_check import contains_run, numbers_in, parse_number, tokens
from engine.resources import data_file
from tests.conftest import require

EVAL_FILE = data_file("eval", "tasks.jsonl")
LIBRARY_FILE = data_file("examples", "library.jsonl")
NEAR_DUPLICATE = 0.92
COMMON_WORDS = {name.casefold() for name in [*calendar.day_name, *calendar.month_name] if name}

Record = dict[str, str]
Embed = Callable[[Sequence[str]], np.ndarray]


def load_jsonl(path: Path) -> list[Record]:
    """One JSON object per non-empty line; a bad line names its number."""
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise AssertionError(f"{path}:{number} is not JSON: {exc}") from None
    return records


def significant_digits(answer: str) -> int:
    """Digits of a number without sign, point, leading zeros and trailing zeros."""
    digits = "".join(c for c in answer if c.isdigit()).strip("0")
    return len(digits)


def is_distinctive(task: Record) -> bool:
    """Whether finding this answer in library code would mean the library gives it away."""
    answer = task["answer"].strip()
    if task["check"] == "number":
        return significant_digits(answer) >= 4
    return len(answer) >= 3 and answer.casefold() not in COMMON_WORDS


def leaked_answers(eval_tasks: Sequence[Record], library: Sequence[Record]) -> list[tuple[str, str, str]]:
    """(eval id, library id, answer) for every distinctive eval answer found in library code."""
    codes = [(example.get("id", "?"), example.get("code", "")) for example in library]
    found = []
    for task in eval_tasks:
        if is_distinctive(task):
            found += [(task["id"], lib_id, task["answer"]) for lib_id, code in codes
                      if answer_in_code(task, code)]
    return found


def answer_in_code(task: Record, code: str) -> bool:
    """Whether the code holds the answer: a number as a whole literal, text as a run of tokens."""
    answer = task["answer"].strip()
    if task["check"] == "number":
        # Not a part of a longer number: 9396 is not in 19396, 9396.5 or 0.9396.
        return re.search(rf"(?<![\w.]){re.escape(answer)}(?!\w|\.\d)", code) is not None
    return contains_run(tokens(code), tokens(answer))


def near_duplicates(eval_tasks: Sequence[Record], library: Sequence[Record], embed: Embed,
                    threshold: float = NEAR_DUPLICATE) -> list[tuple[str, str, float]]:
    """(eval id, library id, cosine) for every pair at or above `threshold`."""
    if not eval_tasks or not library:
        return []
    left = embed([t["task"] for t in eval_tasks])
    right = embed([example["task"] for example in library])
    similarity = left @ right.T  # the embedder returns unit vectors
    rows, cols = np.nonzero(similarity >= threshold)
    return [(eval_tasks[r]["id"], library[c].get("id", "?"), float(similarity[r, c]))
            for r, c in zip(rows, cols, strict=True)]


def echoed_by_task(task: Record) -> bool:
    """True when the task text already shows its own answer."""
    answer, text = task["answer"], task["task"]
    if task["check"] == "number":
        want = parse_number(answer)
        return any(parse_number(n) == want for n in numbers_in(text))
    if task["check"] == "contains":
        return answer.casefold() in text.casefold()
    return contains_run(tokens(text), tokens(answer))


@pytest.fixture(scope="module")
def embed() -> Embed:
    from bench.amx import avoid_amx_weight_repacking
    from engine.memory.embedder import Embedder

    avoid_amx_weight_repacking()
    embedder = Embedder(data_file("models", "all-MiniLM-L6-v2.Q8_0.gguf"))
    return embedder.embed_sync


# -- (a) the eval set itself -------------------------------------------------------------


def test_eval_set_is_large_varied_and_well_formed() -> None:
    tasks = load_jsonl(EVAL_FILE)
    kinds = Counter(t["kind"] for t in tasks)
    assert len(tasks) >= 120
    assert len(kinds) >= 12, kinds
    assert min(kinds.values()) >= 8, kinds
    ids = [t["id"] for t in tasks]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    for task in tasks:
        assert set(task) == {"id", "kind", "task", "answer", "check"}, task["id"]
        assert task["check"] in ("number", "exact", "contains"), task["id"]
        assert task["task"].strip() and task["answer"].strip(), task["id"]
        if task["check"] == "number":
            assert isinstance(parse_number(task["answer"]), Decimal), task["id"]


def test_no_eval_task_shows_its_own_answer() -> None:
    echoed = [t["id"] for t in load_jsonl(EVAL_FILE) if echoed_by_task(t)]
    assert echoed == []


# -- (b) and (c) against the real library --------------------------------------------------


def test_no_eval_task_is_a_near_duplicate_of_a_library_example(embed: Embed) -> None:
    require(LIBRARY_FILE.exists(), f"the worked-example library {LIBRARY_FILE} is not merged yet")
    duplicates = near_duplicates(load_jsonl(EVAL_FILE), load_jsonl(LIBRARY_FILE), embed)
    assert duplicates == []


def test_no_eval_answer_appears_in_library_code() -> None:
    require(LIBRARY_FILE.exists(), f"the worked-example library {LIBRARY_FILE} is not merged yet")
    assert leaked_answers(load_jsonl(EVAL_FILE), load_jsonl(LIBRARY_FILE)) == []


# -- the helpers, on a throw-away library ---------------------------------------------------

EVAL_SAMPLE = [
    {"id": "e-pow", "kind": "arithmetic", "task": "What is 7 to the power of 13?",
     "answer": "96889010407", "check": "number"},
    {"id": "e-rev", "kind": "strings", "task": "Reverse the characters of the word 'glassbox'.",
     "answer": "xobssalg", "check": "exact"},
    {"id": "e-small", "kind": "arithmetic", "task": "What is 5 * 24?", "answer": "120", "check": "number"},
    {"id": "e-day", "kind": "dates_times", "task": "What day of the week was 1969-07-20?",
     "answer": "Sunday", "check": "exact"},
]


def write_library(folder: Path, examples: list[dict[str, str]]) -> Path:
    path = folder / "library.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in examples), encoding="utf-8")
    return path


def test_leaked_answers_finds_distinctive_answers_only(tmp_path: Path) -> None:
    library = load_jsonl(write_library(tmp_path, [
        {"id": "l-leak", "task": "t", "code": "print(96889010407)"},
        {"id": "l-text", "task": "t", "code": "word = 'XOBSSALG'[::-1]"},
        {"id": "l-longer", "task": "t", "code": "print(196889010407, 96889010407.5)"},
        {"id": "l-common", "task": "t", "code": "print(120)\ndays = ['Sunday', 'Monday']"},
    ]))
    assert leaked_answers(EVAL_SAMPLE, library) == [
        ("e-pow", "l-leak", "96889010407"), ("e-rev", "l-text", "xobssalg"),
    ]


def test_near_duplicates_flags_a_copy_but_not_an_unrelated_task(tmp_path: Path, embed: Embed) -> None:
    library = load_jsonl(write_library(tmp_path, [
        {"id": "l-copy", "task": "What is 7 to the power of 13?", "code": ""},
        {"id": "l-other", "task": "Plot a histogram of ages and save it to /workspace/out/ages.png.",
         "code": ""},
    ]))
    duplicates = near_duplicates(EVAL_SAMPLE, library, embed)
    assert [(e, lib) for e, lib, _ in duplicates] == [("e-pow", "l-copy")]
    assert duplicates[0][2] > 0.99


def test_echoed_by_task_catches_an_answer_the_task_already_shows() -> None:
    assert echoed_by_task({"task": "Largest of 3, 9, 4?", "answer": "9", "check": "number"})
    assert echoed_by_task({"task": "Which is first: pear or apple?", "answer": "apple", "check": "exact"})
    assert not echoed_by_task(EVAL_SAMPLE[0]) and not echoed_by_task(EVAL_SAMPLE[1])
