"""Long-session benchmark: a seeded 2,000-message session; first frame, scrolling, memory.

`python bench/tui_session.py [launch] [scroll] [rss]` (all three by default)."""

from __future__ import annotations

import asyncio
import compileall
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "tui"))
sys.path.insert(0, str(ROOT / "bench"))

from launch_cpu import cpu_ratio  # noqa: E402
from phases import PhaseClock, dominant  # noqa: E402
from pty_launch import EMPTY_APP, time_to_text  # noqa: E402
from tui_output import rss_mib  # noqa: E402

MESSAGES = 2000
KEY_GAP_S = 0.1
"""Between one key's frame and the next key: ten keys a second, a reader holding a key down."""
WORDS = ["model", "token", "cache", "sandbox", "output", "vector", "session", "reply", "layout", "frame",
         "render", "stream", "engine", "table", "fence", "paragraph", "memory", "budget", "context", "prompt"]


def reply(rng: random.Random, index: int) -> str:
    """An answer of the kind a session holds: paragraphs, and often a code fence or a table."""
    parts = []
    for _ in range(rng.randint(1, 3)):
        parts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 120))) + ".")
    if rng.random() < 0.5:
        body = "\n".join(f"    total += {rng.choice(WORDS)}_{n}" for n in range(rng.randint(3, 12)))
        parts.append(f"```python\ndef step_{index}():\n    total = 0\n{body}\n    return total\n```")
    if rng.random() < 0.3:
        rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 999)} |" for _ in range(rng.randint(2, 6)))
        parts.append(f"| name | value |\n|---|---|\n{rows}")
    return "\n\n".join(parts)


def last_question(messages: int) -> str:
    return f"question {messages // 2 - 1} of the seeded session"


async def seed(database: Path, messages: int) -> None:
    """A database holding one session of `messages` messages (questions and answers)."""
    from engine.store.repository import Store

    database.parent.mkdir(parents=True, exist_ok=True)
    store = await Store.open(database)
    session = await store.create_session()
    rng = random.Random(16)
    parent: str | None = None
    for index in range(messages // 2):
        question = await store.add_message(session.id, "user", f"question {index} of the seeded session",
                                           parent_id=parent)
        answer = await store.add_message(session.id, "assistant", reply(rng, index), parent_id=question.id)
        parent = answer.id
    await store.close()


def launches(home: Path, messages: int, rounds: int = 9) -> tuple[float, float]:
    """Median launch to first frame of `glassbox` on the seeded session and of an empty app."""
    for package in ("engine", "tui", "widgets"):
        compileall.compile_dir(ROOT / package, quiet=1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLASSBOX_")}
    env.update(TERM="xterm-256color", GLASSBOX_HOME=str(home), PYTHONPATH=str(ROOT))
    glassbox = [sys.executable, "-c", "import sys\nfrom tui.cli import main\nsys.exit(main())"]
    ours, theirs = [], []
    for _ in range(rounds):
        first = time_to_text(glassbox, last_question(messages).encode(), env)
        base = time_to_text([sys.executable, "-c", EMPTY_APP], b"empty-app-ready", env)
        if first is None or base is None:
            raise RuntimeError("a launch never showed its first frame")
        ours.append(first)
        theirs.append(base)
    return statistics.median(ours), statistics.median(theirs)


KEYS = (("pagedown", 15), ("down", 10), ("pageup", 15), ("up", 10), ("end", 1), ("home", 1))
"""Each key pressed from ten places spread from top to bottom, this many times in a row."""


class KeyProbe:
    """Times each key press to the first frame painted after the view moved, and counts the work
    between one key and the next (load-independent): history rows drawn, messages rendered in a
    frame and out of one, Markdown parses, layouts, frames."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.frames: list[float] = []
        self.moves: list[float] = []
        self._saved: list[tuple[Any, str, Any]] = []

    def _count(self, owner: Any, name: str, label: str, when: Any = None) -> None:
        original = getattr(owner, name)
        counts = self.counts

        def counted(*args: Any, **kwargs: Any) -> Any:
            if when is None or when(*args, **kwargs):
                counts[label] = counts.get(label, 0) + 1
            return original(*args, **kwargs)

        self._saved.append((owner, name, original))
        setattr(owner, name, counted)

    def install(self) -> None:
        from markdown_it import MarkdownIt
        from textual.app import App
        from textual.screen import Screen

        from widgets.history import HistoryLines

        # A message drawn while a row is painted is drawn in a frame; any other, between frames.
        painting = [False]
        self._count(HistoryLines, "_rows", "messages drawn in a frame", lambda *_a, **_k: painting[0])
        self._count(HistoryLines, "_rows", "between frames", lambda *_a, **_k: not painting[0])
        self._count(HistoryLines, "render_line", "history rows")
        render_line = HistoryLines.render_line

        def painted(history: HistoryLines, y: int) -> Any:
            painting[0] = True
            try:
                return render_line(history, y)
            finally:
                painting[0] = False

        self._saved.append((HistoryLines, "render_line", render_line))
        HistoryLines.render_line = painted  # type: ignore[method-assign]
        self._count(MarkdownIt, "parse", "Markdown parses")
        self._count(Screen, "_refresh_layout", "layouts")
        original_display = App._display
        frames = self.frames

        def display(app: App[Any], screen: Screen[Any], renderable: Any) -> None:
            original_display(app, screen, renderable)
            if renderable is not None:
                frames.append(time.perf_counter())

        self._saved.append((App, "_display", original_display))
        App._display = display  # type: ignore[method-assign]

    def uninstall(self) -> None:
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)

    def moved(self, _old: float, _new: float) -> None:
        self.moves.append(time.perf_counter())

    async def press(self, app: Any, key: str, timeout_s: float = 2.0) -> float | None:
        """Seconds from sending `key` to the first frame after the view moved; None if it did not
        move (the frame may come before this task sees the move: times are compared, not counts)."""
        from textual import events

        sent = time.perf_counter()
        app.post_message(events.Key(key, None))
        while time.perf_counter() - sent < timeout_s:
            await asyncio.sleep(0.0005)
            move = next((t for t in self.moves if t >= sent), None)
            if move is not None:
                frame = next((t for t in self.frames if t >= move), None)
                if frame is not None:
                    return frame - sent
        return None


async def scroll_through(home: Path, messages: int,
                         keys: tuple[tuple[str, int], ...] = KEYS) -> dict[str, Any]:
    """Open the session in the dashboard and press each of `keys` from ten places top to bottom."""
    from glassbox_factory import make_app

    shutil.copy(home / "data" / "glassbox.db", home / "glassbox.db")
    os.environ["GLASSBOX_HOME"] = str(home)
    app = make_app(home.parent, ["x"])
    probe = KeyProbe()
    probe.install()
    clock = PhaseClock()
    result: dict[str, Any] = {"keys": {}, "counts": {}}
    try:
        with clock.installed():
            async with app.run_test(size=(160, 48)) as pilot:
                await asyncio.wait_for(app.ready.wait(), 30)
                await pilot.pause(0.5)
                chat = app.dashboard.chat
                log = chat.log_view
                history = chat.history
                result["widgets"] = len(log.query("MessageView"))
                result["in_history"] = len(history.items) if history is not None else 0
                app.dashboard.watch(log, "scroll_y", probe.moved, init=False)
                log.focus()
                before = clock.snapshot()
                pressed = 0
                for key, times in keys:
                    latencies: list[float] = result["keys"].setdefault(key, [])
                    counted = dict(probe.counts)
                    for stop in range(10):
                        log.scroll_to(y=log.max_scroll_y * (stop + (key in ("pageup", "up"))) / 10,
                                      animate=False, immediate=True)
                        await pilot.pause(0.2)
                        for _ in range(times):
                            at_end = log.scroll_y >= log.max_scroll_y
                            if (at_end and key in ("pagedown", "down", "end")) or (
                                    log.scroll_y <= 0 and key in ("pageup", "up", "home")):
                                break  # a key would move nothing
                            latency = await probe.press(app, key)
                            if latency is not None:
                                latencies.append(latency)
                                pressed += 1
                            await asyncio.sleep(KEY_GAP_S)
                    result["counts"][key] = {name: (value - counted.get(name, 0)) / max(1, len(latencies))
                                             for name, value in probe.counts.items()}
                result["phase"] = dominant(before, clock.snapshot(), pressed)
                log.scroll_home(animate=False, immediate=True)
                await pilot.pause(0.2)
                shown = history.render_line(1).text if history is not None else ""
                result["top_ok"] = "question 0 " in shown
                result["rss"] = rss_mib()
                await pilot.press("ctrl+q")
    finally:
        probe.uninstall()
    return result


def child_rss(messages: int) -> dict[str, Any]:
    """RSS of a fresh process that opened a session of `messages` messages and scrolled through it."""
    output = subprocess.run([sys.executable, __file__, "--child", str(messages)], capture_output=True,
                            text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    data: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    return data


async def child(messages: int) -> None:
    home = Path(tempfile.mkdtemp(prefix="gb-session-")) / "home"
    await seed(home / "data" / "glassbox.db", messages)
    result = await scroll_through(home, messages, keys=(("pagedown", 3),))
    print(json.dumps({"rss": result["rss"], "messages": messages}))


async def main(parts: set[str]) -> None:
    """Every figure, or only those of `parts` ('launch', 'scroll', 'rss')."""
    home = Path(tempfile.mkdtemp(prefix="gb-session-")) / "home"
    await seed(home / "data" / "glassbox.db", MESSAGES)
    print(f"long session: {MESSAGES:,} messages (paragraphs, code fences, tables)")
    if "launch" in parts:
        ours, empty = launches(home, MESSAGES)
        print(f"  launch to first frame {ours * 1000:.1f} ms, empty app {empty * 1000:.1f} ms, "
              f"ratio {ours / empty:.3f} (goal <= 2)")
        cpu, cpu_empty = cpu_ratio(home, last_question(MESSAGES))
        print(f"  CPU to first frame {cpu * 1000:.1f} ms, empty app {cpu_empty * 1000:.1f} ms, "
              f"ratio {cpu / cpu_empty:.3f} (all threads, from exec; a loaded machine stretches it less)")
    if "scroll" in parts:
        await report_scroll(home)
    if "rss" in parts:
        sizes = {n: child_rss(n)["rss"] for n in (2, 200, MESSAGES)}
        print(f"  RSS after opening and scrolling: {sizes[2]:.0f} MiB (2 messages), {sizes[200]:.0f} MiB "
              f"(200), {sizes[MESSAGES]:.0f} MiB ({MESSAGES:,}); growth 200->{MESSAGES:,}: "
              f"{(sizes[MESSAGES] - sizes[2]) / max(0.1, sizes[200] - sizes[2]):.2f}x for 10x the messages")


async def report_scroll(home: Path) -> None:
    result = await scroll_through(home, MESSAGES)
    print(f"  {result['widgets']} newest messages as widgets, {result['in_history']:,} as history lines")
    every: list[float] = []
    for key, latencies in result["keys"].items():
        every += latencies
        ordered = sorted(latencies)
        p95 = ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan")
        counts = ", ".join(f"{name} {value:.1f}" for name, value in result["counts"][key].items())
        print(f"  {key:>8}: key to frame median {statistics.median(ordered or [0]) * 1000:5.1f} ms, "
              f"p95 {p95 * 1000:5.1f} ms, max {max(ordered or [0]) * 1000:5.1f} ms (n={len(ordered)}); "
              f"per key: {counts}")
    every.sort()
    p95 = every[int(0.95 * (len(every) - 1))]
    print(f"  every key: p95 {p95 * 1000:.1f} ms (n={len(every)}, goal <= 50); dominant phase per key: "
          f"{result['phase']}; first message readable at the top: {result['top_ok']}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        asyncio.run(child(int(sys.argv[2])))
    else:
        asyncio.run(main(set(sys.argv[1:]) or {"launch", "scroll", "rss"}))
