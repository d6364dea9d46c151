"""Benchmark: how many tasks the table, chart, file, date, string, list, JSON, conversion and sequence
readers read, and how many of those they answer right, run in the sandbox image. Sets: the library's
examples and data/dev's tasks; and for each reader a set written apart from it: data/dev/tables.jsonl
(170 questions, 20 of each hundred meant to be misread), charts.jsonl and files.jsonl (60 each, the
last 15 meant to be misread), dates.jsonl, strings.jsonl, lists.jsonl, json.jsonl, conversions.jsonl
and sequences.jsonl (80 each, the last 20 meant to be misread). An answer is right when it equals the
expected one, or holds it as the eval's checks read a reply (the date reader prints "2025-05-21 (May
21, 2025)"). A wrong answer is the figure that matters: it must stay 0. Needs Docker and the sandbox
image."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.adapt_audit import run_all, same_answer  # noqa: E402
from bench.eval_check import is_correct, parse_number  # noqa: E402
from engine.agent.chart_question import chart_question  # noqa: E402
from engine.agent.conversion_question import conversion_question  # noqa: E402
from engine.agent.date_question import date_question  # noqa: E402
from engine.agent.file_question import file_question  # noqa: E402
from engine.agent.json_question import json_question  # noqa: E402
from engine.agent.list_question import list_question  # noqa: E402
from engine.agent.sequence_question import sequence_question  # noqa: E402
from engine.agent.string_question import string_question  # noqa: E402
from engine.agent.table_question import table_question  # noqa: E402
from engine.agent.task_values import PASTED_TABLE  # noqa: E402
from engine.examples_data import load_library  # noqa: E402

DEV = ROOT / "data" / "dev"


def _tasks(name: str) -> list[tuple[str, str, str]]:
    lines = (DEV / name).read_text().splitlines()
    return [(t["id"], t["task"], str(t["answer"])) for t in map(json.loads, lines)]


def question_sets() -> dict[str, tuple[Callable[[str], str | None], list[tuple[str, str, str]]]]:
    """(the reader, its (id, task, answer) questions) per set."""
    library = [(e.id, e.task, e.answer) for e in load_library()]
    dev = _tasks("tasks.jsonl") + _tasks("tasks_b.jsonl")
    tabled = [q for q in library + dev if PASTED_TABLE.search(q[1])]
    return {"tables: library + dev A+B": (table_question, tabled),
            "tables: dev tables": (table_question, _tasks("tables.jsonl")),
            "charts: library + dev A+B": (chart_question, library + dev),
            "charts: dev charts": (chart_question, _tasks("charts.jsonl")),
            "files: library + dev A+B": (file_question, library + dev),
            "files: dev files": (file_question, _tasks("files.jsonl")),
            "dates: library + dev A+B": (date_question, library + dev),
            "dates: dev dates": (date_question, _tasks("dates.jsonl")),
            "strings: library + dev A+B": (string_question, library + dev),
            "strings: dev strings": (string_question, _tasks("strings.jsonl")),
            "lists: library + dev A+B": (list_question, library + dev),
            "lists: dev lists": (list_question, _tasks("lists.jsonl")),
            "json: library + dev A+B": (json_question, library + dev),
            "json: dev json": (json_question, _tasks("json.jsonl")),
            "conversions: library + dev A+B": (conversion_question, library + dev),
            "conversions: dev conversions": (conversion_question, _tasks("conversions.jsonl")),
            "sequences: library + dev A+B": (sequence_question, library + dev),
            "sequences: dev sequences": (sequence_question, _tasks("sequences.jsonl"))}


# A library answer written with its unit or its sum ("62.14 miles", "25! = 15511210043330985984000000"):
# its number is the answer, compared as the eval compares numbers (62.1371192 rounds to 62.14).
_NUMBER_WITH_WORDS = re.compile(r"(?:[^=\n]*=\s*)?(-?\d[\d,]*(?:\.\d+)?)\s*(?:°?[A-Za-zµ][A-Za-z/ ²³]*|%)?")


def _right(printed: str, answer: str) -> bool:
    if same_answer(printed.rstrip("%"), answer.rstrip("%")) or is_correct(printed, answer, "exact"):
        return True
    try:
        parse_number(answer)
    except ValueError:
        worded = _NUMBER_WITH_WORDS.fullmatch(answer.strip())
        return worded is not None and is_correct(printed, worded.group(1), "number")
    return is_correct(printed, answer, "number")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image", default="glassbox-sandbox:latest")
    parser.add_argument("--verbose", action="store_true", help="print every wrong answer")
    args = parser.parse_args()
    for name, (reader, questions) in question_sets().items():
        jobs = [{"id": qid, "language": "python", "code": code, "answer": answer}
                for qid, task, answer in questions if (code := reader(task)) is not None]
        results = run_all(args.image, jobs, workers=1, prefix="glassbox-reader-bench")
        right = 0
        for job, result in zip(jobs, results, strict=True):
            printed = str(result["stdout"]).strip()
            if _right(printed, job["answer"]) and result["rc"] == 0:
                right += 1
            elif args.verbose:
                print(f"  wrong {job['id']}: printed {printed[:60]!r}, expected {job['answer'][:60]!r}")
        print(f"{name:>26}: {len(questions):>4} tasks, read {len(jobs):>4}, right {right:>4}, "
              f"wrong {len(jobs) - right}")


if __name__ == "__main__":
    main()
