"""Dashboard speed benchmark: screen vs headless tok/s, flush cost growth, key latency, start-up, then
huge output (bench/tui_output.py) and a long session (bench/tui_session.py); each figure with the
phase of main-thread time that dominates it. `--stream-only` stops after start-up."""

from __future__ import annotations

import asyncio
import atexit
import compileall
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "tui"))
sys.path.insert(0, str(ROOT / "bench"))

from glassbox_factory import FixedTimingModel, make_app  # noqa: E402
from phases import PhaseClock, breakdown, counts, dominant  # noqa: E402
from pty_launch import EMPTY_APP, time_to_text  # noqa: E402
from textual import events  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.widgets import Markdown  # noqa: E402

from engine.events import TokenDelta  # noqa: E402
from engine.llm.base import CancelToken, ChatMessage, GenDone, GenItem, GenToken, SamplingParams  # noqa: E402
from engine.llm.scripted import _tokens  # noqa: E402
from engine.service import SubmitOptions  # noqa: E402
from tui.app import GlassboxApp  # noqa: E402
from widgets import first_frame  # noqa: E402

TOKEN_DELAY_S = 0.002
ROUNDS = 3
"""Paired headless/screen rounds: on this shared machine one round in a few loses ~0.1 s to a pause
at its end (a garbage collection, another process), so the median of rounds is the figure."""


class ThreadedModel(FixedTimingModel):
    """The scripted reply produced at a fixed pace by a thread, as the llama backend produces tokens:
    the UI's work on the event loop cannot slow the producer down, only delay what is shown."""

    async def stream(
        self, messages: Sequence[ChatMessage], params: SamplingParams, cancel: CancelToken | None = None
    ) -> AsyncIterator[GenItem]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        pieces = _tokens(self._next_reply(messages))[: params.max_tokens]
        delay = self._token_delay_s

        def produce() -> None:
            start = time.perf_counter()
            for index, piece in enumerate(pieces):
                # Paced against the start, so a late wake-up is made up and the rate stays fixed.
                wait = start + (index + 1) * delay - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                if cancel is not None and cancel.cancelled:
                    break
                loop.call_soon_threadsafe(queue.put_nowait, piece)
            loop.call_soon_threadsafe(queue.put_nowait, None)

        started = time.perf_counter()
        producer = threading.Thread(target=produce, daemon=True)
        producer.start()
        emitted: list[str] = []
        while (piece := await queue.get()) is not None:
            emitted.append(piece)
            yield GenToken(piece)
        ended = time.perf_counter()
        yield GenDone(text="".join(emitted), finish_reason="stop", prompt_tokens=1,
                      completion_tokens=len(emitted), ttft_s=0.0,
                      tokens_per_s=len(emitted) / (ended - started), duration_s=ended - started,
                      context_used=len(emitted) + 1, context_max=self.context_size)


def reply(n_tokens: int) -> str:
    """Prose in 40-word paragraphs; every word is one ScriptedModel token."""
    words = [f"w{i}" + ("\n\n" if i % 40 == 39 else "") for i in range(n_tokens)]
    return " ".join(words).replace("\n\n ", "\n\n")


def fresh_home() -> Path:
    path = Path(tempfile.mkdtemp(prefix="gb-bench-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    os.environ["GLASSBOX_HOME"] = str(path / "home")
    os.environ["GLASSBOX_LLM__MAX_TOKENS"] = "12000"
    return path


def bench_app(n: int, threaded: bool) -> GlassboxApp:
    """The dashboard over the scripted model; `threaded` swaps in the thread-paced producer."""
    app = make_app(fresh_home(), [reply(n)], token_delay_s=TOKEN_DELAY_S, fixed_timing=False,
                   context_size=32768)
    if threaded:
        app.scripted_model.__class__ = ThreadedModel  # type: ignore[attr-defined]
    return app


async def headless_rate(n: int, threaded: bool) -> float:
    """Tokens/s the engine delivers with no UI (first to last delta), from the same producer."""
    app = bench_app(n, threaded)
    engine = await app.engine_factory(app.settings)
    session = await engine.new_session()
    stamps: list[float] = []
    async for event in engine.submit(session.id, "go", SubmitOptions(mode="chat")):
        if isinstance(event, TokenDelta):
            stamps.append(time.perf_counter())
    await engine.close()
    return (len(stamps) - 1) / (stamps[-1] - stamps[0])


async def screen_run(n: int, threaded: bool, probe_keys: bool = False) -> dict[str, Any]:
    """Stream an n-token reply in the headless app; record what reached the screen and when.

    Text counts as shown at the end of the first frame after its Markdown.append completed; the
    probes read counters only, so measuring adds no DOM queries to the loop being measured. Flush
    costs are main-thread CPU time (thread_time), so other processes on a loaded machine do not
    count; an append's time also holds whatever else ran on the loop while it was awaited."""
    app = bench_app(n, threaded)
    full = "".join(_tokens(reply(n)))
    result: dict[str, Any] = {"appends": [], "frames": [], "latencies": [], "phases": []}
    clock = PhaseClock()
    state = {"appended": 0, "tokens": 0, "first": 0.0, "last": 0.0}
    original_append = Markdown.append
    original_update = Screen._on_timer_update

    def timed_append(self: Markdown, markdown: str) -> Any:
        awaitable = original_append(self, markdown)

        async def run() -> None:
            start = time.thread_time()
            await awaitable
            result["appends"].append((state["tokens"], time.thread_time() - start))
            state["appended"] += len(markdown)
            state["tokens"] += len(_tokens(markdown))

        return run()

    def timed_update(self: Screen[Any]) -> None:
        start = time.thread_time()
        original_update(self)
        now = time.perf_counter()
        if state["appended"] and not state["last"]:
            # Only frames that show streamed text are flushes; the end-of-run redraw is not one.
            result["frames"].append((state["tokens"], time.thread_time() - start))
            result["phases"].append((state["tokens"], clock.snapshot()))
        if state["appended"] and not state["first"]:
            state["first"] = now
        if state["appended"] >= len(full) and not state["last"]:
            state["last"] = now

    Markdown.append = timed_append  # type: ignore[method-assign,assignment]
    Screen._on_timer_update = timed_update  # type: ignore[method-assign]
    try:
        with clock.installed():
            async with app.run_test(size=(160, 48)) as pilot:
                await asyncio.wait_for(app.ready.wait(), 10)
                await pilot.pause()
                app.dashboard.chat.prompt.load_text("go")
                await pilot.press("enter")
                next_key = time.perf_counter() + 0.05
                prompt = app.dashboard.chat.prompt
                while app.handle is not None or app.bridge is None:
                    now = time.perf_counter()
                    if probe_keys and state["first"] and not state["last"] and now >= next_key:
                        before = len(prompt.text)
                        sent = time.perf_counter()
                        app.post_message(events.Key("x", "x"))
                        while len(prompt.text) == before and time.perf_counter() - sent < 1:  # noqa: ASYNC110
                            await asyncio.sleep(0.0005)
                        result["latencies"].append(time.perf_counter() - sent)
                        next_key = time.perf_counter() + 0.05
                    await asyncio.sleep(0.002)
                await pilot.pause(0.1)
                first, last = state["first"], state["last"]
                result["screen_rate"] = (n - 1) / (last - first) if last > first else 0.0
                result["first_shown"], result["last_shown"] = first, last
                await pilot.press("ctrl+q")
    finally:
        Markdown.append = original_append  # type: ignore[method-assign]
        Screen._on_timer_update = original_update  # type: ignore[method-assign]
    return result


def phase_window(samples: list[tuple[int, dict[str, float]]], low: int, high: int) -> str:
    """Main-thread time per frame by phase, over the frames shown between `low` and `high` tokens."""
    inside = [phases for tokens, phases in samples if low <= tokens <= high]
    if len(inside) < 2:
        return "n/a"
    return breakdown(inside[0], inside[-1], len(inside) - 1)


def run_dominant(samples: list[tuple[int, dict[str, float]]]) -> str:
    """The phase with the most main-thread time per frame over a whole run."""
    if len(samples) < 2:
        return "n/a"
    return dominant(samples[0][1], samples[-1][1], len(samples) - 1)


def flush_cost(samples: list[tuple[int, float]], low: int, high: int, mean: bool = False) -> float:
    values = [cost for tokens, cost in samples if low <= tokens <= high]
    if not values:
        return float("nan")
    return statistics.fmean(values) if mean else statistics.median(values)


async def seeded_home() -> Path:
    """A Glassbox home whose database holds one 20-message session, as the real app finds it."""
    tmp = fresh_home()
    replies = [f"Answer {i}: **bold** and `code`.\n\n- a\n- b\n\n```python\nprint({i} * {i})\n```"
               for i in range(10)]
    seed = make_app(tmp, replies, context_size=32768)
    async with seed.run_test(size=(160, 48)) as pilot:
        await asyncio.wait_for(seed.ready.wait(), 10)
        for i in range(10):
            seed.dashboard.chat.prompt.load_text(f"question {i}")
            await pilot.press("enter")
            while seed.handle is not None:
                await pilot.pause(0.01)
        assert seed.engine is not None and seed.dashboard.session_id is not None
        stored = [m.content for m in await seed.engine.history(seed.dashboard.session_id)]
        if stored[-1] != replies[-1]:
            raise RuntimeError(f"the seeded session did not get its replies: {stored[-1]!r}")
        await pilot.press("ctrl+q")
    return tmp


def launch_ratio(tmp: Path, rounds: int = 15, cold: bool = False) -> tuple[float, float, list[float]]:
    """From `exec` to the first frame on a pseudo-terminal: the real `glassbox` command on the seeded
    session (its newest prompt on screen) and an empty Textual app, alternated; medians, and the
    ratio of each alternated pair. Each launch quits as a user does (Ctrl+Q), which saves the rows
    the next one draws first (widgets/first_frame.py); `cold` removes them before every launch."""
    home = tmp / "home"
    data = home / "data"
    data.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        source = home / f"glassbox.db{suffix}"
        if source.exists():
            (data / f"glassbox.db{suffix}").write_bytes(source.read_bytes())
    # Both apps run from bytecode, as an installed app does after its first launch (Textual's is
    # compiled at install; ours is compiled here in case PYTHONDONTWRITEBYTECODE kept it from it).
    for package in ("engine", "tui", "widgets"):
        compileall.compile_dir(ROOT / package, quiet=1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLASSBOX_")}
    env.update(TERM="xterm-256color", GLASSBOX_HOME=str(home), PYTHONPATH=str(ROOT))
    glassbox = [sys.executable, "-c", "import sys\nfrom tui.cli import main\nsys.exit(main())"]
    empty = [sys.executable, "-c", EMPTY_APP]
    ours, theirs = [], []
    saved_rows = first_frame.beside(data / "glassbox.db")
    for _ in range(rounds):
        if cold:
            saved_rows.unlink(missing_ok=True)
        first = time_to_text(glassbox, b"question 9", env)
        base = time_to_text(empty, b"empty-app-ready", env)
        if first is None or base is None:
            raise RuntimeError("a launch never showed its first frame")
        ours.append(first)
        theirs.append(base)
    pairs = [a / b for a, b in zip(ours, theirs, strict=True)]
    return statistics.median(ours), statistics.median(theirs), pairs


def launch_phases(tmp: Path) -> str:
    """Where the main thread spends a launch up to the session's first frame (one extra launch,
    instrumented by bench/launch_phases.py, not one of the timed ones)."""
    out = tmp / "launch-phases.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLASSBOX_")}
    env.update(TERM="xterm-256color", GLASSBOX_HOME=str(tmp / "home"), PYTHONPATH=str(ROOT))
    if time_to_text([sys.executable, str(ROOT / "bench" / "launch_phases.py"), str(out)], b"question 9",
                    env) is None or not out.exists():
        return "n/a"
    spent = json.loads(out.read_text())
    names = ("import", "layout", "render", "markdown", "store", "other")
    total = sum(spent.get(name, 0.0) for name in names) or 1.0
    parts = sorted(((spent.get(name, 0.0), name) for name in names), reverse=True)
    return ", ".join(f"{name} {value * 1000:.0f} ms ({100 * value / total:.0f}%)" for value, name in parts)


def spread(values: list[float], scale: float = 1.0, digits: int = 3) -> str:
    """'median 1.084 (spread 1.062-1.218, 3 rounds)'."""
    return (f"median {statistics.median(values) * scale:.{digits}f} (spread {min(values) * scale:.{digits}f}-"
            f"{max(values) * scale:.{digits}f}, {len(values)} rounds)")


def window_dominant(samples: list[tuple[int, dict[str, float]]], low: int, high: int) -> str:
    """The phase with the most main-thread time per frame between `low` and `high` tokens."""
    inside = [phases for tokens, phases in samples if low <= tokens <= high]
    return dominant(inside[0], inside[-1], len(inside) - 1) if len(inside) > 1 else "n/a"


def window_counts(samples: list[tuple[int, dict[str, float]]], low: int, high: int) -> str:
    """The load-independent counters per frame over the frames shown between `low` and `high` tokens."""
    inside = [phases for tokens, phases in samples if low <= tokens <= high]
    return counts(inside[0], inside[-1], len(inside) - 1) if len(inside) > 1 else "n/a"


def flush_ratios(run: dict[str, Any]) -> tuple[float, float, float, float]:
    """Median flush (append + frame) at ~100 and ~10,000 tokens, and the ratio of medians and of means."""
    appends, frames = run["appends"], run["frames"]
    low = flush_cost(appends, 50, 250) + flush_cost(frames, 50, 250)
    high = flush_cost(appends, 9_500, 10_500) + flush_cost(frames, 9_500, 10_500)
    # The view follows a long reply a page at a time and captures finished segments, so a few
    # frames cost more: the mean carries them, the median (the typical flush) does not.
    mean_low = flush_cost(appends, 50, 250, True) + flush_cost(frames, 50, 250, True)
    mean_high = flush_cost(appends, 9_500, 10_500, True) + flush_cost(frames, 9_500, 10_500, True)
    return low, high, high / low, mean_high / mean_low


async def main() -> None:
    rates: dict[bool, list[tuple[float, float]]] = {}
    rate_phases = ""
    for threaded, rounds in ((False, 1), (True, ROUNDS)):
        for _ in range(rounds):
            headless = await headless_rate(2000, threaded)
            screen = await screen_run(2000, threaded)
            rates.setdefault(threaded, []).append((headless, screen["screen_rate"]))
            if threaded and len(screen["phases"]) > 1:
                rate_phases = run_dominant(screen["phases"])
    runs_keys = [await screen_run(2000, threaded=True, probe_keys=True) for _ in range(ROUNDS)]
    runs_10k = [await screen_run(10_500, threaded=True) for _ in range(ROUNDS)]
    home = await seeded_home()
    launched, launched_empty, launch_pairs = launch_ratio(home)
    cold, cold_empty, cold_pairs = launch_ratio(home, rounds=7, cold=True)
    start_phases = launch_phases(home)
    print(f"token delay {TOKEN_DELAY_S * 1000:.1f} ms; each figure: median of rounds (spread), then where "
          f"the main thread's time goes")
    for threaded, label in ((True, "producer thread (as llama)"), (False, "producer on the UI loop")):
        for headless, screen in rates[threaded]:
            print(f"  {label}: headless tok/s {headless:7.1f}  on-screen tok/s {screen:7.1f}  "
                  f"screen / headless {screen / headless:6.3f}")
    ratios = [screen / headless for headless, screen in rates[True]]
    print(f"[tok/s] on-screen / headless, producer thread: {spread(ratios)}; goal >= 0.98")
    print(f"  dominant phase per frame while streaming: {rate_phases}")
    flushes = [flush_ratios(run) for run in runs_10k]
    for low, high, ratio, mean_ratio in flushes:
        print(f"  flush (append + frame, main-thread CPU) at ~100 / ~10,000 tokens: median "
              f"{low * 1000:.3f} / {high * 1000:.3f} ms, ratio {ratio:.3f}; ratio of means {mean_ratio:.3f}")
    print(f"[flush] flush at 10,000 / flush at 100: {spread([f[2] for f in flushes])}; goal <= 1.3; "
          f"ratio of means: {spread([f[3] for f in flushes])}")
    for low, high in ((50, 250), (9_500, 10_500)):
        windows = [phase_window(run["phases"], low, high) for run in runs_10k]
        dominants = "; ".join(window_dominant(run["phases"], low, high) for run in runs_10k)
        print(f"  at ~{(low + high) // 2:,} tokens, dominant phase per frame (each round): {dominants}")
        print(f"    ms by phase (first round): {windows[0]}")
        print(f"    counts per frame (first round): {window_counts(runs_10k[0]['phases'], low, high)}")
    p95s = []
    for run in runs_keys:
        latencies = sorted(run["latencies"])
        p95s.append(latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan"))
    key_dominant = "; ".join(run_dominant(run["phases"]) for run in runs_keys)
    print(f"[keys] key press latency p95 while streaming, ms: {spread(p95s, 1000, 2)}; goal <= 50")
    print(f"  dominant phase per frame meanwhile (each round): {key_dominant}")
    print(f"[launch] launch to first frame: session shown {launched * 1000:.1f} ms, empty app "
          f"{launched_empty * 1000:.1f} ms (medians, glassbox in a pty); ratio "
          f"{launched / launched_empty:.3f}, per alternated pair {spread(launch_pairs)}; goal <= 1.5")
    print(f"  without the rows the last quit saved (a first launch, or after a crash): {cold * 1000:.1f} ms, "
          f"empty app {cold_empty * 1000:.1f} ms; ratio {cold / cold_empty:.3f}, "
          f"per pair {spread(cold_pairs)}")
    print(f"  main thread to the first frame, by phase: {start_phases}")
    if "--stream-only" in sys.argv:
        return
    # The other two figures of the dashboard's speed: huge output and long sessions.
    import tui_output
    import tui_session

    tui_output.report(await tui_output.flood(Path(tempfile.mkdtemp(prefix="gb-bench-"))))
    await tui_session.main({"launch", "scroll", "rss"})


if __name__ == "__main__":
    asyncio.run(main())
