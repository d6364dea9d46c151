"""Soak: many agent turns with the real model and sandbox in one engine; does anything grow?

Runs TURNS agent turns (default 200) in one Engine, a new session every 4th turn (and every 20th
turn back in a session six sessions old, long retired, so its files are restored), with the real
default model (greedy) and the real Docker sandbox at its default settings (cap of live session
containers and warm pool), the semantic cache bypassed so every turn runs the agent. Prints
turns finished, the most sandbox containers running at once, and resident memory, threads and
open file descriptors at turns 20, 100 and 200 (and every 20th turn), then the containers left
after close. Goals: all turns finish; containers never above cap + pool; resident memory growth
at most 5 MB per 100 turns after turn 20; threads and descriptors flat; none left.

Each turn is kept short (at most --max-steps actions, --max-tokens per model call, no plan)
so that 200 of them fit in a sitting on a small machine; what is measured is what stays
behind between turns, which short turns exercise as well as long ones.

With --scripted a scripted model replaces llama (each turn runs one program, then answers):
the engine, store, memory layer and sandbox alone, 200 turns in a few minutes.

Usage: .venv/bin/python bench/soak.py [--turns N] [--every N] [--revisit N] [--no-memory]
                                      [--max-steps N] [--max-tokens N] [--threads N]
                                      [--image IMAGE] [--scripted]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import ctypes
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TASKS = (
    "What is {a} * {b}? Compute it with Python.",
    "Use Python to add up the numbers from 1 to {a}.",
    "Write the numbers {a} and {b} to a file nums.txt, then read it back and print their sum.",
    "What is {a} + {b}?",
)
CHECKPOINTS = (20, 100, 200)


def process_figures() -> tuple[float, int, int, float, float]:
    """Resident memory (MB), threads, open descriptors, and resident memory split into anonymous
    (the heap: what a leak grows) and file-backed (mapped model and database pages), from /proc."""
    status = Path("/proc/self/status").read_text().splitlines()
    fields = {line.split(":")[0]: line.split(":")[1].split() for line in status if ":" in line}
    rss_mb = int(fields["VmRSS"][0]) / 1024
    anon_mb, file_mb = int(fields["RssAnon"][0]) / 1024, int(fields["RssFile"][0]) / 1024
    return rss_mb, int(fields["Threads"][0]), len(os.listdir("/proc/self/fd")), anon_mb, file_mb


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def heap_in_use_mb() -> float:
    """Bytes malloc has handed out and not had back (glibc's mallinfo2, every arena): when
    resident memory grows and this does not, the growth is freed memory malloc keeps
    (fragmentation), not a leak. NaN where mallinfo2 is missing (not glibc >= 2.33)."""
    try:
        mallinfo2 = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        return float("nan")
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    return (info.uordblks + info.hblkhd) / 2**20


async def count_containers(client: Any, stop: asyncio.Event, peak: list[int]) -> None:
    """Track the most running containers this process owns, polled every 0.2 s."""
    from engine.sandbox.dockerapi import blocking
    from engine.sandbox.reaper import LABEL_OWNER_PID

    mine = {"label": f"{LABEL_OWNER_PID}={os.getpid()}"}
    while not stop.is_set():
        # One request (containers.list would inspect each container too).
        running = await blocking(client.api.containers, filters=mine, quiet=True)
        peak[0] = max(peak[0], len(running))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.2)


def scripted_model(turns: int) -> Any:
    """A model that writes one short program, then answers, turn after turn (no llama)."""
    from engine.llm.scripted import ScriptedModel

    replies: list[str] = []
    for turn in range(turns):
        code = f"open('f{turn}.txt', 'w').write('x')\nprint({turn} * 2)"
        replies += [f"```python\n{code}\n```", f"The answer is {turn * 2}."]
    return ScriptedModel(replies)


async def soak(turns: int, every: int, revisit: int, memory: bool,
               limits: dict[str, str], scripted: bool) -> int:
    from engine.config import load_settings
    from engine.events import ExecFinished, RunFailed, RunFinished, SandboxRestored
    from engine.sandbox.dockerapi import connect
    from engine.sandbox.reaper import LABEL_OWNER_PID
    from engine.service import Engine, SubmitOptions
    from tests.conftest import real_model_path

    model = real_model_path()
    if model is None and not scripted:
        print("the default model is not downloaded (run `make model`)")
        return 2
    os.environ["GLASSBOX_LLM__MODEL"] = str(model)
    os.environ["GLASSBOX_LLM__TEMPERATURE"] = "0"
    os.environ["GLASSBOX_AGENT__PLAN_MODE"] = "never"
    os.environ.update(limits)
    settings = load_settings()
    cap, pool = settings.sandbox.max_live_sessions, settings.sandbox.pool_size
    name = "scripted (no llama)" if scripted else model.name if model else "?"
    print(f"model {name}, memory layer {'on' if memory else 'off'}, "
          f"{settings.agent.max_steps} steps and {settings.llm.max_tokens} tokens a call at most, "
          f"sandbox cap {cap} + pool {pool}", flush=True)
    client = connect(settings=settings.sandbox)
    fake = scripted_model(turns * 2) if scripted else None
    engine = await Engine.open(settings, memory=memory, model=fake)
    stop = asyncio.Event()
    peak = [0]
    watcher = asyncio.create_task(count_containers(client, stop, peak))
    outcomes: collections.Counter[str] = collections.Counter()
    executions = restored = 0
    turn_seconds: list[float] = []
    figures: dict[int, tuple[float, int, int, float, float]] = {}
    heap: dict[int, float] = {}
    blocks: dict[int, int] = {}
    started = time.monotonic()
    session_id = ""
    sessions: list[str] = []
    failures: collections.Counter[str] = collections.Counter()
    try:
        for turn in range(1, turns + 1):
            if (turn - 1) % every == 0:
                session_id = (await engine.new_session(f"soak {turn}")).id
                sessions.append(session_id)
            target = session_id
            if revisit and turn % revisit == 0 and len(sessions) > 5:
                target = sessions[-6]  # long retired by now: its files come back
            a, b = 11 + turn % 37, 3 + turn % 19
            text = TASKS[turn % len(TASKS)].format(a=a, b=b)
            turn_started = time.monotonic()
            events = await engine.submit(target, text,
                                         SubmitOptions(mode="agent", use_cache=False)).wait()
            turn_seconds.append(time.monotonic() - turn_started)
            if fake is not None:
                fake.prompts.clear()  # the scripted model records every prompt
            end = events[-1]
            outcomes[end.status if isinstance(end, RunFinished) else
                     "failed" if isinstance(end, RunFailed) else "no end"] += 1
            if isinstance(end, RunFailed):
                failures[end.error[:160]] += 1
            executions += sum(isinstance(e, ExecFinished) for e in events)
            restored += sum(isinstance(e, SandboxRestored) for e in events)
            del events
            if turn % 20 == 0 or turn in CHECKPOINTS:
                figures[turn] = process_figures()
                heap[turn] = heap_in_use_mb()
                blocks[turn] = sys.getallocatedblocks()
                rss, threads, fds, anon, mapped = figures[turn]
                print(f"turn {turn:>4}  {time.monotonic() - started:7.0f} s  rss {rss:7.1f} MB "
                      f"(anon {anon:.1f}, file {mapped:.1f}, malloc in use {heap[turn]:.1f}, "
                      f"python blocks {blocks[turn]})  "
                      f"threads {threads:>3}  fds {fds:>4}  containers peak {peak[0]}",
                      flush=True)
    finally:
        stop.set()
        await watcher
        await engine.close()
    left = client.containers.list(all=True, filters={"label": f"{LABEL_OWNER_PID}={os.getpid()}"})
    client.close()

    finished = sum(outcomes.values())
    print()
    print(f"turns finished      {finished} of {turns} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(outcomes.items()))})")
    for error, count in failures.most_common(3):
        print(f"  failed {count}x: {error}")
    print(f"executions          {executions}, sessions restored after retirement {restored}")
    if turn_seconds:
        print(f"seconds a turn      median {sorted(turn_seconds)[len(turn_seconds) // 2]:.1f}, "
              f"max {max(turn_seconds):.1f}")
    print(f"containers at once  {peak[0]} (cap {cap} + pool {pool} = {cap + pool})")
    print(f"{'at turn':<10}{'rss MB':>10}{'anon MB':>10}{'file MB':>10}{'malloc MB':>11}"
          f"{'threads':>10}{'fds':>8}")
    for turn in CHECKPOINTS:
        if turn in figures:
            rss, threads, fds, anon, mapped = figures[turn]
            print(f"{turn:<10}{rss:>10.1f}{anon:>10.1f}{mapped:>10.1f}{heap[turn]:>11.1f}"
                  f"{threads:>10}{fds:>8}")
    first, last = min(figures, default=0), max(figures, default=0)
    base = 20 if 20 in figures else first
    if last > base:
        growth = (figures[last][0] - figures[base][0]) / (last - base) * 100
        print(f"rss growth after turn {base}: {growth:.1f} MB per 100 turns (goal <= 5)")
        anon_growth = (figures[last][3] - figures[base][3]) / (last - base) * 100
        print(f"  of which anonymous (heap): {anon_growth:.1f} MB per 100 turns; the rest is "
              "file-backed (mapped model and database pages)")
        in_use = (heap[last] - heap[base]) / (last - base) * 100
        print(f"  malloc'd and not freed: {in_use:.1f} MB per 100 turns (anonymous growth beyond "
              "this is freed memory malloc keeps, or Python's own arenas)")
        print(f"  python blocks: {(blocks[last] - blocks[base]) / (last - base) * 100:+.0f} "
              "per 100 turns (objects Python keeps alive)")
    print(f"containers left     {len(left)}")
    ok = (finished == turns and peak[0] <= cap + pool and not left)
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--every", type=int, default=4, help="turns per session")
    parser.add_argument("--revisit", type=int, default=20,
                        help="every N-th turn goes back to a session 6 sessions old (0: never)")
    parser.add_argument("--no-memory", action="store_true",
                        help="without the memory layer (embeddings, recall)")
    parser.add_argument("--max-steps", type=int, default=3, help="actions per turn")
    parser.add_argument("--max-tokens", type=int, default=192, help="tokens per model call")
    parser.add_argument("--threads", type=int, default=0, help="model threads (0: per core)")
    parser.add_argument("--image", default="", help="sandbox image (default: the setting's)")
    parser.add_argument("--scripted", action="store_true",
                        help="a scripted model instead of llama: the engine and sandbox alone, fast")
    args = parser.parse_args()
    limits = {"GLASSBOX_AGENT__MAX_STEPS": str(args.max_steps),
              "GLASSBOX_LLM__MAX_TOKENS": str(args.max_tokens),
              "GLASSBOX_LLM__THREADS": str(args.threads)}
    if args.image:
        limits["GLASSBOX_SANDBOX__IMAGE"] = args.image
    with tempfile.TemporaryDirectory(prefix="glassbox-soak-") as home:
        os.environ["GLASSBOX_HOME"] = home
        for name in list(os.environ):
            if name.startswith("GLASSBOX_") and name not in ("GLASSBOX_HOME",
                                                             "GLASSBOX_TEST_MODEL"):
                del os.environ[name]
        return asyncio.run(soak(args.turns, args.every, args.revisit, not args.no_memory,
                                limits, args.scripted))


if __name__ == "__main__":
    sys.exit(main())
