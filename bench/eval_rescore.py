"""Benchmark helper: scores saved replies (agent_eval.py --json) again with today's checker.

When bench/eval_check.py changes, the figures of a finished run can be read again without running
the model: each reply is checked against its task's answer and check, as agent_eval.py scores it
(a run that gave up is never solved). Prints solved/total per configuration, before and after, by
kind, and every task whose verdict changed.

Usage: .venv/bin/python bench/eval_rescore.py RESULTS.json [--tasks data/eval/tasks.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.eval_check import is_correct  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="per-task results from agent_eval.py --json")
    parser.add_argument("--tasks", type=Path, default=ROOT / "data" / "eval" / "tasks.jsonl")
    args = parser.parse_args()
    checks = {row["id"]: row["check"] for row in map(json.loads, args.tasks.read_text().splitlines()) if row}
    results = json.loads(args.results.read_text(encoding="utf-8"))
    before: dict[str, int] = defaultdict(int)
    after: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in results:
        config = row["config"]
        solved = row["label"] != "gave up" and is_correct(row["reply"], row["answer"], checks[row["id"]])
        total[config] += 1
        before[config] += bool(row["solved"])
        after[config] += solved
        by_kind[config][row["kind"]] += solved
        if solved != row["solved"]:
            print(f"{config:<18} {row['id']:<14} {'no -> ok' if solved else 'ok -> no'}  "
                  f"{' '.join(row['reply'].split())[:70]!r} (want {row['answer'][:30]})")
    print()
    for config in total:
        kinds = ", ".join(f"{kind} {count}" for kind, count in by_kind[config].items())
        print(f"{config:<18} {before[config]}/{total[config]} -> {after[config]}/{total[config]}  ({kinds})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
