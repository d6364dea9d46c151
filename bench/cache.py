"""Benchmark: semantic-cache precision and recall on data/cache_eval.json, hit vs solve latency."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.config import load_settings
from engine.events import CacheHit, RunFinished
from engine.llm.scripted import ScriptedModel
from engine.memory.service import MemoryService
from engine.resources import data_file
from engine.service import Engine, SubmitOptions

REAL_MODEL = Path.home() / ".local/share/glassbox/models/SmolLM2-135M-Instruct.Q4_1.gguf"


async def precision_recall(engine: Engine, groups: list[dict[str, object]], show: bool) -> None:
    memory = engine.memory
    assert isinstance(memory, MemoryService)
    source: dict[str, str] = {}
    for group in groups:
        seed = str(group["seed"])
        events = await engine.submit((await engine.new_session()).id, seed,
                                     SubmitOptions(mode="chat", use_cache=False)).wait()
        source[seed] = events[0].run_id
    row = await engine.store.fetchone("SELECT context_key FROM memory_cache LIMIT 1")
    key = str(row[0])  # every first message of a session shares one context
    tp = fp = fn = tn = 0
    wrong: list[str] = []
    for group in groups:
        seed = str(group["seed"])
        for text in group["paraphrases"]:  # type: ignore[attr-defined]
            hit = await memory.lookup(text, key, await memory.embedder.embed_one(text))
            if hit is not None and hit.run_id == source[seed]:
                tp += 1
            else:
                fn += 1
                fp += hit is not None
                wrong.append(f"  missed paraphrase: {text!r}")
        for text in group["near_misses"]:  # type: ignore[attr-defined]
            hit = await memory.lookup(text, key, await memory.embedder.embed_one(text))
            if hit is None:
                tn += 1
            else:
                fp += 1
                wrong.append(f"  FALSE HIT: {text!r} -> {hit.task!r}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    print(f"threshold {engine.settings.memory.cache_threshold}: {tp} true hits, {fp} false hits, "
          f"{fn} missed paraphrases, {tn} near misses correctly refused")
    print(f"cache precision {precision:.3f}  recall {recall:.3f}")
    if show and wrong:
        print("\n".join(wrong))


async def latency(engine: Engine, task: str, paraphrase: str, runs: int) -> None:
    # Solving means what a user gets by default: the agent (model + sandbox), not bare chat.
    solve, hit = [], []
    for _ in range(runs):
        started = time.perf_counter()
        events = await engine.submit((await engine.new_session()).id, task,
                                     SubmitOptions(use_cache=False)).wait()
        solve.append(time.perf_counter() - started)
        assert isinstance(events[-1], RunFinished), events[-1]
        started = time.perf_counter()
        events = await engine.submit((await engine.new_session()).id, paraphrase,
                                     SubmitOptions()).wait()
        hit.append(time.perf_counter() - started)
        assert any(isinstance(e, CacheHit) for e in events), "expected a cache hit"
    s, h = statistics.median(solve), statistics.median(hit)
    print(f"solve p50 {s * 1000:.1f} ms, hit p50 {h * 1000:.1f} ms, hit / solve {h / s:.4f} "
          "(goal <= 0.05)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    groups = json.loads(data_file("cache_eval.json").read_text(encoding="utf-8"))["groups"]
    with tempfile.TemporaryDirectory() as home:
        os.environ["GLASSBOX_HOME"] = home
        settings = load_settings()
        engine = await Engine.open(settings, database=Path(home) / "eval.db",
                                   model=ScriptedModel(["A stored answer."], repeat_last=True))
        try:
            configured = settings.memory.cache_threshold
            await precision_recall(engine, groups, show=True)
            for threshold in (0.80, 0.85, 0.88):  # what a less conservative setting would give
                engine.settings.memory.cache_threshold = threshold
                await precision_recall(engine, groups, show=False)
            engine.settings.memory.cache_threshold = configured
        finally:
            await engine.close()
        if REAL_MODEL.exists():
            settings.llm.model = str(REAL_MODEL)
            settings.llm.temperature = 0.0
            engine = await Engine.open(settings, database=Path(home) / "latency.db")
            print(f"latency with the real chat model {REAL_MODEL.name} (default agent mode, greedy):")
        else:
            engine = await Engine.open(settings, database=Path(home) / "latency.db",
                                       model=ScriptedModel(["A stored answer."] * 99))
            print("latency with a scripted model (the real SmolLM2 file is absent):")
        try:
            await latency(engine, "Calculate 12 * 34 with Python.",
                          "Use Python to calculate 12 * 34.", args.runs)
        finally:
            await engine.close()


if __name__ == "__main__":
    asyncio.run(main())
