"""Benchmark: the eval set (data/eval/tasks.jsonl), plain model vs agent configurations, side by side.

Configurations (--configs, comma-separated; default: all):
  plain              the model alone: one chat completion, system prompt "Answer with the final
                     answer only.", no agent, no code.
  agent-no-examples  the engine in agent mode, agent.examples=0, one candidate, memory off.
  agent-examples     agent mode with worked examples (agent.examples=3), one candidate, memory off.
  agent-plan-auto    as agent-examples, but agent.plan_mode=auto (plans multi-part tasks).
  agent-vote         agent mode with examples and agent.candidates=3, memory off.
  memory-twice       agent mode at default agent settings with recall and the cache on; the whole
                     eval runs twice in the same data dir (the second score must not be lower).
"memory off" is memory.recall_enabled=false (and recall_top_k=0), memory.cache_enabled=false.
Every configuration gets a fresh GLASSBOX_HOME. All run greedy (temperature 0) with the default
model (SmolLM2-135M, or GLASSBOX_TEST_MODEL) on --threads (default 2) threads. A setting the
engine does not have stops the bench with its name; --skip-missing runs without it and says so
in the table. Replies are scored by bench/eval_check.py.

Usage: .venv/bin/python bench/agent_eval.py [--configs plain,agent-examples] [--limit N]
       [--kinds arithmetic,bash] [--json OUT] [--set agent.max_steps=4] [--skip-missing] [--threads N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# Read by OpenMP when llama.cpp loads. Spinning threads on a busy 2-core machine made generation
# 60x slower here (40 tokens: 82 s spinning, 1.4 s passive); set it in the environment to override.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.amx import avoid_amx_weight_repacking  # noqa: E402
from bench.eval_check import is_correct  # noqa: E402
from bench.eval_report import ConfigRun, TaskResult, markdown_table, trust_table  # noqa: E402

TASKS_FILE = ROOT / "data" / "eval" / "tasks.jsonl"
PLAIN_SYSTEM_PROMPT = "Answer with the final answer only."
# recall_top_k=0 as well: an engine without recall_enabled (before the examples work) stops recall so.
MEMORY_OFF = {"memory.recall_enabled": False, "memory.recall_top_k": 0, "memory.cache_enabled": False}
MEMORY_ON = {"memory.recall_enabled": True, "memory.cache_enabled": True}
# Setting names live here only, so a rename in engine/config.py is a one-line change.
CONFIGS: dict[str, dict[str, Any]] = {
    "plain": {},
    "agent-no-examples": {"agent.examples": 0, "agent.candidates": 1, **MEMORY_OFF},
    "agent-examples": {"agent.examples": 3, "agent.candidates": 1, "agent.plan_mode": "never", **MEMORY_OFF},
    "agent-no-similar": {"agent.examples": 3, "agent.candidates": 1, "agent.plan_mode": "never",
                         "agent.adapt_similar": False, **MEMORY_OFF},
    "agent-plan-auto": {"agent.examples": 3, "agent.candidates": 1, "agent.plan_mode": "auto", **MEMORY_OFF},
    "agent-vote": {"agent.examples": 3, "agent.candidates": 3, **MEMORY_OFF},
    "memory-twice": {**MEMORY_ON},
}
ROUNDS = {"memory-twice": 2}


class MissingSettingError(RuntimeError):
    """A configuration names a setting this engine does not have."""


@dataclass
class Reply:
    """What the model or engine said for one task."""

    text: str
    tokens_in: int = 0
    tokens_out: int = 0
    error: str = ""
    cached: bool = False
    clean_runs: int = 0
    """Executions that exited 0 (the answer could rest on what they printed)."""
    status: str = ""


def trust_label(reply: Reply) -> str:
    """How the reply presents its own reliability: what a user would see before trusting it."""
    if reply.cached:
        return "cache"
    if reply.status not in ("", "completed") or reply.error:
        return "gave up"
    if "check it" in reply.text:
        return "check it"
    if " candidate programs agree" in reply.text or "other drafts were the same code" in reply.text:
        return "all agree"
    return "code ran" if reply.clean_runs else "no code ran"


def load_tasks(path: Path, kinds: Sequence[str] | None, limit: int | None) -> list[dict[str, str]]:
    """Eval tasks in file order, filtered by kind, at most `limit` per kind."""
    tasks = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if kinds:
        unknown = set(kinds) - {t["kind"] for t in tasks}
        if unknown:
            raise SystemExit(f"Unknown kinds: {', '.join(sorted(unknown))}.")
        tasks = [t for t in tasks if t["kind"] in kinds]
    if limit is not None:
        seen: dict[str, int] = {}
        kept = []
        for task in tasks:
            seen[task["kind"]] = seen.get(task["kind"], 0) + 1
            if seen[task["kind"]] <= limit:
                kept.append(task)
        tasks = kept
    return tasks


def model_path() -> Path:
    """The default chat model file, found the way tests/conftest.py finds it."""
    from engine.llm.registry import KNOWN_MODELS
    from engine.paths import default_models_dir

    override = os.environ.get("GLASSBOX_TEST_MODEL")
    path = Path(override) if override else default_models_dir() / KNOWN_MODELS["smollm2"].filename
    if not path.exists():
        raise SystemExit(f"The default model is missing: {path} (run `glassbox models pull smollm2`).")
    return path


def apply_settings(settings: Any, values: dict[str, Any], skip_missing: bool) -> tuple[Any, list[str]]:
    """Settings with dotted values applied; a name the engine lacks raises (or is listed, if skipping)."""
    skipped: list[str] = []
    sections: dict[str, dict[str, Any]] = {}
    for dotted, value in values.items():
        section_name, _, name = dotted.partition(".")
        section = getattr(settings, section_name, None)
        if section is None or name not in type(section).model_fields:
            if skip_missing:
                skipped.append(dotted)
                continue
            raise MissingSettingError(
                f"The engine has no setting {dotted!r} (engine/config.py); rename it in CONFIGS in "
                "bench/agent_eval.py, or pass --skip-missing to run without it."
            )
        sections.setdefault(section_name, {})[name] = value
    for section_name, update in sections.items():
        section = getattr(settings, section_name)
        # Validated through the section's own model, so a wrong type fails here, not mid-run.
        checked = type(section).model_validate({**section.model_dump(), **update})
        settings = settings.model_copy(update={section_name: checked})
    return settings, skipped


async def ask_engine(engine: Any, text: str) -> Reply:
    """One task in a new session in agent mode: the final reply and the tokens it took.

    The only code that speaks to the engine's run API; adapt it here when that API changes.
    """
    from engine.events import CacheHit, ExecFinished, MessageDone, RunFailed, RunFinished, UsageUpdated

    try:
        from engine.run import SubmitOptions
    except ImportError:
        from engine.service import SubmitOptions

    session = await engine.new_session()
    handle = engine.submit(session.id, text, SubmitOptions(mode="agent"))
    reply = Reply(text="")
    async for event in handle:
        if isinstance(event, MessageDone):
            reply.text = event.text
            reply.cached = reply.cached or event.cached
        elif isinstance(event, UsageUpdated):
            reply.tokens_in += event.prompt_tokens
            reply.tokens_out += event.completion_tokens
        elif isinstance(event, CacheHit):
            reply.cached = True
        elif isinstance(event, RunFailed):
            reply.error = event.error
        elif isinstance(event, ExecFinished):
            reply.clean_runs += event.exit_code == 0 and not event.timed_out
        elif isinstance(event, RunFinished):
            reply.status = event.status
    return reply


async def ask_plain(model: Any, text: str) -> Reply:
    """One chat completion of the plain model, greedy, with a short neutral system prompt."""
    from engine.config import LLMSettings
    from engine.llm.base import ChatMessage, GenDone, SamplingParams

    llm = LLMSettings()
    params = SamplingParams(temperature=0.0, top_p=llm.top_p, top_k=llm.top_k,
                            repeat_penalty=llm.repeat_penalty, max_tokens=llm.max_tokens, seed=llm.seed)
    messages = [ChatMessage("system", PLAIN_SYSTEM_PROMPT), ChatMessage("user", text)]
    async for item in model.stream(messages, params):
        if isinstance(item, GenDone):
            return Reply(item.text, item.prompt_tokens, item.completion_tokens)
    return Reply("", error="the model stream ended without a result")


def score(config: str, task: dict[str, str], reply: Reply, seconds: float) -> TaskResult:
    """A TaskResult for one reply."""
    label = trust_label(reply)
    # A run that gave up says so ("still failing after 3 tries"): its text is no answer, even when
    # a number in it happens to equal the expected one.
    return TaskResult(
        config=config, id=task["id"], kind=task["kind"],
        solved=label != "gave up" and is_correct(reply.text, task["answer"], task["check"]), seconds=seconds,
        tokens_in=reply.tokens_in, tokens_out=reply.tokens_out, reply=reply.text,
        answer=task["answer"], error=reply.error, cached=reply.cached, label=label,
    )


def report(result: TaskResult) -> None:
    """One progress line per task."""
    shown = " ".join((result.reply or result.error).split())[:70]
    print(f"  {result.config:<18} {result.id:<13} {'ok ' if result.solved else 'no '} "
          f"{result.seconds:6.1f}s {result.tokens_in:>6}+{result.tokens_out:<5} "
          f"{'[cache] ' if result.cached else ''}{shown}  (want {result.answer[:30]})", flush=True)


async def run_tasks(name: str, tasks: list[dict[str, str]], ask: Any, limit_s: float) -> list[TaskResult]:
    """Every task through `ask`, each with a wall-clock guard."""
    results = []
    for task in tasks:
        began = time.perf_counter()
        try:
            reply = await asyncio.wait_for(ask(task["task"]), limit_s)
        except TimeoutError:
            reply = Reply("", error=f"no reply within {limit_s:.0f} s")
        result = score(name, task, reply, time.perf_counter() - began)
        report(result)
        results.append(result)
    return results


async def run_plain(tasks: list[dict[str, str]], path: Path, limit_s: float, threads: int
                    ) -> list[ConfigRun]:
    from engine.config import LLMSettings
    from engine.llm.llama_backend import LlamaChatModel

    model = await LlamaChatModel.load(path, LLMSettings(model=str(path), temperature=0.0, threads=threads))
    try:
        return [ConfigRun("plain", await run_tasks("plain", tasks, lambda t: ask_plain(model, t), limit_s))]
    finally:
        await model.close()


async def run_agent(name: str, tasks: list[dict[str, str]], path: Path, args: argparse.Namespace
                    ) -> list[ConfigRun]:
    """One agent configuration in its own fresh GLASSBOX_HOME (rounds share it)."""
    from engine.config import Settings
    from engine.service import Engine

    home = Path(tempfile.mkdtemp(prefix=f"glassbox-eval-{name}-"))
    os.environ["GLASSBOX_HOME"] = str(home)
    base = Settings()
    values = {"llm.model": str(path), "llm.temperature": 0.0, "llm.threads": args.threads,
              "agent.max_wall_s": args.timeout, **CONFIGS[name], **dict(args.set)}
    settings, skipped = apply_settings(base, values, args.skip_missing)
    for dotted in skipped:
        print(f"  {name}: the engine has no setting {dotted}; running without it", flush=True)
    engine = await Engine.open(settings, database=home / "data" / "glassbox.db")
    runs = []
    try:
        for round_index in range(ROUNDS.get(name, 1)):
            label = name if ROUNDS.get(name, 1) == 1 else f"{name}#{round_index + 1}"
            results = await run_tasks(label, tasks, lambda t: ask_engine(engine, t), args.timeout * 1.5)
            runs.append(ConfigRun(label, results, skipped))
    finally:
        await engine.close()
        if args.keep_home:
            print(f"  {name}: GLASSBOX_HOME kept at {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    return runs


def parse_set(text: str) -> tuple[str, Any]:
    """A --set dotted=value pair; the value is read as JSON when it parses (0, true, 0.5)."""
    dotted, sep, raw = text.partition("=")
    if not sep or "." not in dotted:
        raise argparse.ArgumentTypeError(f"--set wants section.name=value, got {text!r}")
    try:
        return dotted, json.loads(raw)
    except json.JSONDecodeError:
        return dotted, raw


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated configuration names")
    parser.add_argument("--limit", type=int, help="only the first N tasks of each kind")
    parser.add_argument("--kinds", help="comma-separated kinds")
    parser.add_argument("--tasks", type=Path, default=TASKS_FILE)
    parser.add_argument("--json", type=Path, help="write per-task results to this file")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per task (agent.max_wall_s)")
    parser.add_argument("--set", type=parse_set, action="append", default=[],
                        help="extra setting for every agent configuration, e.g. agent.max_steps=4")
    parser.add_argument("--skip-missing", action="store_true", help="run without settings the engine lacks")
    parser.add_argument("--threads", type=int, default=2, help="llama.cpp threads (llm.threads)")
    parser.add_argument("--allow-amx", action="store_true",
                        help="keep llama.cpp's AMX weight repacking (it segfaults on some VMs)")
    parser.add_argument("--keep-home", action="store_true", help="keep each configuration's GLASSBOX_HOME")
    args = parser.parse_args()
    names = [n for n in args.configs.split(",") if n]
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        parser.error(f"unknown configurations {unknown}; known: {', '.join(CONFIGS)}")
    tasks = load_tasks(args.tasks, args.kinds.split(",") if args.kinds else None, args.limit)
    path = model_path()
    if not args.allow_amx and avoid_amx_weight_repacking():
        print("AMX weight repacking is off (see bench/amx.py; --allow-amx keeps it)")
    runs: list[ConfigRun] = []
    for name in names:
        print(f"== {name}: {len(tasks)} tasks", flush=True)
        if name == "plain":
            runs += asyncio.run(run_plain(tasks, path, args.timeout, args.threads))
        else:
            try:
                runs += asyncio.run(run_agent(name, tasks, path, args))
            except MissingSettingError as exc:
                print(f"{name}: {exc}", file=sys.stderr)
                return 2
    kinds = list(dict.fromkeys(t["kind"] for t in tasks))
    print()
    print(markdown_table(runs, kinds))
    if any(run.name != "plain" for run in runs):
        print()
        print(trust_table(runs))
    twice = [r for r in runs if r.name.startswith("memory-twice#")]
    if len(twice) == 2:
        first, second = (sum(x.solved for x in r.results) for r in twice)
        verdict = "ok" if second >= first else "LOWER: memory made the second run worse"
        print(f"\nmemory-twice: first {first}, second {second}: {verdict}")
    if args.json:
        rows = [asdict(r) for run in runs for r in run.results]
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"per-task results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
