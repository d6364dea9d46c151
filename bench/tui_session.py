"""Long-session benchmark: a seeded 2,000-message session; first frame, scrolling, memory."""

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

from phases import PhaseClock, dominant  # noqa: E402
from pty_launch import EMPTY_APP, time_to_text  # noqa: E402
from tui_output import rss_mib  # noqa: E402

MESSAGES = 2000
KEY_GAP_S = 0.1
"""Between one key's frame and the next key: ten pages a second, a reader holding Page Down."""
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


async def scroll_through(home: Path, messages: int, keys_per_stop: int = 15) -> dict[str, Any]:
    """Open the session in the dashboard and page down from ten places spread from top to bottom."""
    from glassbox_factory import make_app
    from textual import events
    from textual.screen import Screen

    shutil.copy(home / "data" / "glassbox.db", home / "glassbox.db")
    os.environ["GLASSBOX_HOME"] = str(home)
    app = make_app(home.parent, ["x"])
    frames = [0]
    original_update = Screen._on_timer_update

    def counted(self: Screen[Any]) -> None:
        original_update(self)
        frames[0] += 1

    Screen._on_timer_update = counted  # type: ignore[method-assign]
    clock = PhaseClock()
    result: dict[str, Any] = {"keys": []}
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
                log.focus()
                before = clock.snapshot()
                for stop in range(10):
                    log.scroll_to(y=log.max_scroll_y * stop / 10, animate=False, immediate=True)
                    await pilot.pause()
                    for _ in range(keys_per_stop):
                        if log.scroll_y >= log.max_scroll_y:
                            break  # at the end: a key would move nothing
                        start_y, sent = log.scroll_y, time.perf_counter()
                        app.post_message(events.Key("pagedown", None))
                        while log.scroll_y == start_y and time.perf_counter() - sent < 2:  # noqa: ASYNC110
                            await asyncio.sleep(0.0005)
                        moved = frames[0]
                        while frames[0] == moved and time.perf_counter() - sent < 2:  # noqa: ASYNC110
                            await asyncio.sleep(0.0005)
                        result["keys"].append(time.perf_counter() - sent)
                        await asyncio.sleep(KEY_GAP_S)
                result["phase"] = dominant(before, clock.snapshot(), len(result["keys"]))
                log.scroll_home(animate=False, immediate=True)
                await pilot.pause(0.2)
                shown = history.render_line(1).text if history is not None else ""
                result["top_ok"] = "question 0 " in shown
                result["rss"] = rss_mib()
                await pilot.press("ctrl+q")
    finally:
        Screen._on_timer_update = original_update  # type: ignore[method-assign]
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
    result = await scroll_through(home, messages, keys_per_stop=3)
    print(json.dumps({"rss": result["rss"], "messages": messages}))


async def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="gb-session-")) / "home"
    await seed(home / "data" / "glassbox.db", MESSAGES)
    ours, empty = launches(home, MESSAGES)
    print(f"long session: {MESSAGES:,} messages (paragraphs, code fences, tables)")
    print(f"  launch to first frame {ours * 1000:.1f} ms, empty app {empty * 1000:.1f} ms, "
          f"ratio {ours / empty:.3f} (goal <= 2)")
    result = await scroll_through(home, MESSAGES)
    keys = sorted(result["keys"])
    p95 = keys[int(0.95 * (len(keys) - 1))]
    print(f"  {result['widgets']} newest messages as widgets, {result['in_history']:,} as history lines")
    print(f"  pagedown from 10 places top to bottom: key to frame median "
          f"{statistics.median(keys) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
          f"max {keys[-1] * 1000:.1f} ms (n={len(keys)}, goal p95 <= 50)")
    print(f"  dominant phase per key: {result['phase']}; "
          f"first message readable at the top: {result['top_ok']}")
    sizes = {n: child_rss(n)["rss"] for n in (2, 200, MESSAGES)}
    print(f"  RSS after opening and scrolling: {sizes[2]:.0f} MiB (2 messages), {sizes[200]:.0f} MiB (200), "
          f"{sizes[MESSAGES]:.0f} MiB ({MESSAGES:,}); growth 200->{MESSAGES:,}: "
          f"{(sizes[MESSAGES] - sizes[2]) / max(0.1, sizes[200] - sizes[2]):.2f}x for 10x the messages")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        asyncio.run(child(int(sys.argv[2])))
    else:
        asyncio.run(main())
