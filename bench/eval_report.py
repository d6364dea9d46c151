"""The eval's per-task results and the tables agent_eval.py and eval_rescore.py print from them."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class TaskResult:
    """One task under one configuration: the reply, whether it is right, and what it cost."""

    config: str
    id: str
    kind: str
    solved: bool
    seconds: float
    tokens_in: int
    tokens_out: int
    reply: str
    answer: str
    error: str = ""
    cached: bool = False
    label: str = ""


TRUST_LABELS = ("all agree", "check it", "code ran", "no code ran", "gave up", "cache")


@dataclass
class ConfigRun:
    """The results of one configuration (one round of it) and the settings it could not apply."""

    name: str
    results: list[TaskResult] = field(default_factory=list)
    skipped_settings: list[str] = field(default_factory=list)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def markdown_table(runs: list[ConfigRun], kinds: list[str]) -> str:
    """Solved/total by kind and overall, and median seconds and tokens per task, one column a run."""
    head = "| | " + " | ".join(r.name for r in runs) + " |"
    lines = [head, "|---" * (len(runs) + 1) + "|"]
    for kind in kinds:
        cells = []
        for run in runs:
            rows = [r for r in run.results if r.kind == kind]
            cells.append(f"{sum(r.solved for r in rows)}/{len(rows)}")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    overall = []
    for run in runs:
        total = len(run.results)
        solved = sum(r.solved for r in run.results)
        overall.append(f"**{solved}/{total}** ({solved / total:.0%})" if total else "0/0")
    lines.append("| **all** | " + " | ".join(overall) + " |")
    for label, key in (("median s/task", "seconds"), ("median tokens in", "tokens_in"),
                       ("median tokens out", "tokens_out")):
        cells = [f"{median([getattr(r, key) for r in run.results]):.1f}" if key == "seconds"
                 else f"{median([getattr(r, key) for r in run.results]):.0f}" for run in runs]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if any(run.skipped_settings for run in runs):
        cells = [", ".join(run.skipped_settings) or "-" for run in runs]
        lines.append("| settings missing | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def trust_table(runs: list[ConfigRun]) -> str:
    """Solved/total for each way a reply presents itself (a trustworthy label is right more often)."""
    agent_runs = [run for run in runs if run.name != "plain"]
    lines = ["| reply shows | " + " | ".join(r.name for r in agent_runs) + " |",
             "|---" * (len(agent_runs) + 1) + "|"]
    for label in TRUST_LABELS:
        cells = []
        for run in agent_runs:
            rows = [r for r in run.results if r.label == label]
            cells.append(f"{sum(r.solved for r in rows)}/{len(rows)}" if rows else "-")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
