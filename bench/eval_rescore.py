"""Benchmark helper: scores saved replies (agent_eval.py --json) again with today's checker.

When bench/eval_check.py changes, the figures of a finished run can be read again without running
the model: each reply is checked against its task's answer and check, as agent_eval.py scores it (a
run that gave up is never solved). Prints every task whose verdict changed, then agent_eval.py's
tables from the rescored results.

Usage: .venv/bin/python bench/eval_rescore.py RESULTS.json [--tasks data/eval/tasks.jsonl]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.eval_check import is_correct  # noqa: E402
from bench.eval_report import ConfigRun, TaskResult, markdown_table, trust_table  # noqa: E402


def rescored(results: list[TaskResult], checks: dict[str, str]) -> list[TaskResult]:
    """The results with `solved` decided again by today's checker."""
    return [dataclasses.replace(r,
                                solved=r.label != "gave up" and is_correct(r.reply, r.answer, checks[r.id]))
            for r in results]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="per-task results from agent_eval.py --json")
    parser.add_argument("--tasks", type=Path, default=ROOT / "data" / "eval" / "tasks.jsonl")
    args = parser.parse_args()
    tasks = [json.loads(line) for line in args.tasks.read_text(encoding="utf-8").splitlines() if line.strip()]
    saved = [TaskResult(**row) for row in json.loads(args.results.read_text(encoding="utf-8"))]
    now = rescored(saved, {task["id"]: task["check"] for task in tasks})
    for before, after in zip(saved, now, strict=True):
        if before.solved != after.solved:
            print(f"{after.config:<18} {after.id:<14} {'no -> ok' if after.solved else 'ok -> no'}  "
                  f"{' '.join(after.reply.split())[:70]!r} (want {after.answer[:30]})")
    runs: dict[str, ConfigRun] = {}
    for result in now:
        runs.setdefault(result.config, ConfigRun(result.config)).results.append(result)
    kinds = list(dict.fromkeys(result.kind for result in now))
    print()
    print(markdown_table(list(runs.values()), kinds))
    if any(name != "plain" for name in runs):
        print()
        print(trust_table(list(runs.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
