"""Benchmark: how many questions asked of a pasted table the table reader reads, and how many of those
it answers right, run in the sandbox image. Sets: the library's examples with a table, data/dev's
tasks with one, and data/dev/tables.jsonl (170 questions written apart from the reader, 20 of each
hundred meant to be misread). A wrong answer is the figure that matters: it must stay 0. Needs
Docker and the sandbox image."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.adapt_audit import run_all, same_answer  # noqa: E402
from engine.agent.table_question import table_question  # noqa: E402
from engine.agent.task_values import PASTED_TABLE  # noqa: E402
from engine.examples_data import load_library  # noqa: E402

DEV = ROOT / "data" / "dev"


def question_sets() -> dict[str, list[tuple[str, str, str]]]:
    """(id, task, answer) per set."""
    library = [(e.id, e.task, e.answer) for e in load_library() if PASTED_TABLE.search(e.task)]
    dev = [(t["id"], t["task"], str(t["answer"]))
           for name in ("tasks.jsonl", "tasks_b.jsonl")
           for t in map(json.loads, (DEV / name).read_text().splitlines()) if PASTED_TABLE.search(t["task"])]
    tables = [(t["id"], t["task"], str(t["answer"]))
              for t in map(json.loads, (DEV / "tables.jsonl").read_text().splitlines())]
    return {"library": library, "dev A+B": dev, "dev tables": tables}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image", default="glassbox-sandbox:latest")
    parser.add_argument("--verbose", action="store_true", help="print every wrong answer")
    args = parser.parse_args()
    for name, questions in question_sets().items():
        jobs = [{"id": qid, "language": "python", "code": code, "answer": answer}
                for qid, task, answer in questions if (code := table_question(task)) is not None]
        results = run_all(args.image, jobs, workers=1, prefix="glassbox-table-bench")
        right = 0
        for job, result in zip(jobs, results, strict=True):
            printed = str(result["stdout"]).strip()
            if same_answer(printed.rstrip("%"), job["answer"].rstrip("%")) and result["rc"] == 0:
                right += 1
            elif args.verbose:
                print(f"  wrong {job['id']}: printed {printed[:60]!r}, expected {job['answer'][:60]!r}")
        print(f"{name:>10}: {len(questions):>4} questions, read {len(jobs):>4}, right {right:>4}, "
              f"wrong {len(jobs) - right}")


if __name__ == "__main__":
    main()
