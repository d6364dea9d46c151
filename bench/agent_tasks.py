"""Benchmark: the agent on a fixed task set (data/agent_tasks.json) through `glassbox ask --json`.

For each task prints whether the final answer holds the expected value, the steps, tokens and
seconds it took, and for the whole set the share of run time spent in the model (sum of usage
duration_s), in the sandbox (sum of exec_finished duration_s plus container start-up: code step start
to exec start), start-up (model load: run start to first step) and in the engine itself (the
rest of run_finished.duration_s; goal under 5%). Each task runs in a fresh session of a
throw-away GLASSBOX_HOME with --no-cache, greedy sampling and the default model.

Usage: .venv/bin/python bench/agent_tasks.py [--tasks FILE] [--only ID,ID] [--keep-home]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.llm.registry import KNOWN_MODELS  # noqa: E402
from engine.paths import default_models_dir  # noqa: E402

_NUMBER_RE = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


@dataclass
class TaskResult:
    """What one task cost and whether it was solved."""

    task_id: str
    solved: bool
    status: str
    answer: str
    steps: int
    actions: int
    tokens: int
    run_s: float
    process_s: float
    model_s: float
    sandbox_s: float
    startup_s: float


def solved(answer: str, expected: str) -> bool:
    """True if a number in the answer equals the expected value (391 matches 391.0, 1,048,576)."""
    want = float(expected)
    for match in _NUMBER_RE.findall(answer):
        try:
            if float(match.replace(",", "")) == want:
                return True
        except ValueError:
            continue
    return False


def run_task(glassbox: str, task: dict[str, str], env: dict[str, str], timeout: float) -> TaskResult:
    """One `glassbox ask --new --json` run, summarised from its JSON lines."""
    began = time.monotonic()
    proc = subprocess.Popen(
        [glassbox, "ask", task["text"], "--new", "--json", "--no-cache"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )
    events: list[dict[str, Any]] = []
    assert proc.stdout is not None
    # A timer, not a check per line: a run that hangs silently prints no line to check on.
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    # Arrival times let the bench charge container start-up (code step start to exec start)
    # to the sandbox and model loading (run start to first step) to start-up, not the engine.
    for line in proc.stdout:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        event["_at"] = time.monotonic()
        events.append(event)
    proc.wait()
    killer.cancel()
    process_s = time.monotonic() - began
    startup_s = 0.0
    run_at = next((e["_at"] for e in events if e["type"] == "run_started"), None)
    first_step_at = next((e["_at"] for e in events if e["type"] == "step_started"), None)
    if run_at is not None and first_step_at is not None:
        startup_s = first_step_at - run_at
    acquire_s = 0.0
    step_at = {e["step_id"]: e["_at"] for e in events if e["type"] == "step_started"}
    for e in events:
        if e["type"] == "exec_started" and e.get("step_id") in step_at:
            acquire_s += e["_at"] - step_at[e["step_id"]]
    answer = next((e["text"] for e in events if e["type"] == "message_done"), "")
    end = next((e for e in events if e["type"] in ("run_finished", "run_failed")), {})
    status = end.get("status", "failed" if end else f"no end (exit {proc.returncode})")
    if end.get("type") == "run_failed":
        answer = answer or end.get("error", "")
    usage = [e for e in events if e["type"] == "usage"]
    return TaskResult(
        task_id=task["id"], solved=solved(answer, task["expected"]), status=status,
        answer=" ".join(answer.split())[:60],
        steps=sum(e["type"] == "step_finished" for e in events),
        actions=sum(e["type"] == "step_finished" and e["kind"] in ("code", "tool", "retry") for e in events),
        tokens=sum(u["prompt_tokens"] + u["completion_tokens"] for u in usage),
        run_s=float(end.get("duration_s") or 0.0), process_s=process_s,
        model_s=sum(float(u.get("duration_s") or 0.0) for u in usage),
        sandbox_s=acquire_s + sum(float(e.get("duration_s") or 0.0)
                                  for e in events if e["type"] == "exec_finished"),
        startup_s=startup_s,
    )


def main() -> int:
    """Run the task set and print the table and the time split."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=Path, default=ROOT / "data" / "agent_tasks.json")
    parser.add_argument("--only", help="comma-separated task ids")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per task")
    parser.add_argument("--keep-home", action="store_true", help="keep the throw-away GLASSBOX_HOME")
    args = parser.parse_args()
    tasks: list[dict[str, str]] = json.loads(args.tasks.read_text())["tasks"]
    if args.only:
        wanted = set(args.only.split(","))
        tasks = [t for t in tasks if t["id"] in wanted]
    glassbox = str(Path(sys.executable).with_name("glassbox"))
    model = os.environ.get("GLASSBOX_LLM__MODEL") or str(
        default_models_dir() / KNOWN_MODELS["smollm2"].filename)
    if not Path(model).exists():
        print(f"The default model is missing: {model}", file=sys.stderr)
        return 2
    home = Path(tempfile.mkdtemp(prefix="glassbox-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLASSBOX_")}
    env.update(GLASSBOX_HOME=str(home), GLASSBOX_LLM__MODEL=model, GLASSBOX_LLM__TEMPERATURE="0")
    results: list[TaskResult] = []
    try:
        print(f"{'task':<6} {'ok':<3} {'status':<10} {'steps':>5} {'acts':>4} {'tokens':>6} "
              f"{'run s':>6} {'proc s':>6}  answer")
        for task in tasks:
            r = run_task(glassbox, task, env, args.timeout)
            results.append(r)
            print(f"{r.task_id:<6} {'yes' if r.solved else 'no':<3} {r.status:<10} {r.steps:>5} "
                  f"{r.actions:>4} {r.tokens:>6} {r.run_s:>6.2f} {r.process_s:>6.2f}  {r.answer}", flush=True)
    finally:
        if args.keep_home:
            print(f"GLASSBOX_HOME kept at {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    run_total = sum(r.run_s for r in results)
    model_total = sum(r.model_s for r in results)
    sandbox_total = sum(r.sandbox_s for r in results)
    startup_total = sum(r.startup_s for r in results)
    engine_total = max(run_total - model_total - sandbox_total - startup_total, 0.0)
    print(f"\nsolved {sum(r.solved for r in results)}/{len(results)}; "
          f"{sum(r.steps for r in results)} steps, {sum(r.tokens for r in results):,} tokens, "
          f"{run_total:.2f} s of runs ({sum(r.process_s for r in results):.1f} s with process start-up)")
    if run_total > 0:
        print(f"time in model {model_total / run_total:6.1%}  ({model_total:.2f} s)")
        print(f"time in sandbox {sandbox_total / run_total:4.1%}  ({sandbox_total:.2f} s, with container"
              " start-up)")
        print(f"start-up        {startup_total / run_total:4.1%}  ({startup_total:.2f} s: model load"
              " before the first step)")
        print(f"time in engine {engine_total / run_total:5.1%}  ({engine_total:.2f} s; goal under 5%)")
    return 0 if results and all(r.solved for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
