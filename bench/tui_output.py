"""Huge output benchmark: 200,000 lines streamed into the Execution pane; lag, scroll-back, memory."""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "tui"))
sys.path.insert(0, str(ROOT / "bench"))

from glassbox_factory import FakeSandbox, make_app  # noqa: E402
from phases import PhaseClock, breakdown, counts, dominant  # noqa: E402
from textual import events  # noqa: E402
from textual.screen import Screen  # noqa: E402

from engine.events import CodeExecStarted, ExecFinished, ExecOutput  # noqa: E402
from engine.llm.base import CancelToken  # noqa: E402
from engine.sandbox.base import ExecEvent, ExecLimits, Language  # noqa: E402
from engine.store.repository import Store, new_id  # noqa: E402

LINES = 200_000
CHUNK_LINES = 100
CHUNK_EVERY_S = 0.001
"""100 lines a millisecond: 100,000 lines/s, about what a Python loop printing numbers gets through
the sandbox's frames; the whole run is 2 s."""
FLOODS = 3
"""The flood runs three times in one app: each figure is the median of floods (with its spread), and
memory after each shows whether the pane's is bounded."""


def pane_mib(output: Any) -> float:
    """What the output log itself holds: its lines and their indexes."""
    lines = sum(map(sys.getsizeof, output.lines)) + sys.getsizeof(output.lines)
    arrays = sum(a.buffer_info()[1] * a.itemsize for a in (output._starts, output._cells))
    return (lines + arrays + len(output._errors)) / 2**20


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


def rss_mib() -> float:
    """The process's resident memory now (Linux), else its peak."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class FloodSandbox(FakeSandbox):
    """Prints LINES numbered lines from a thread at a fixed pace; remembers when each chunk left."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.sent: list[tuple[int, float]] = []
        """(lines sent so far, perf_counter when that chunk was produced)."""

    async def execute(
        self, session_id: str, code: str, *, language: Language = "python", run_id: str,
        step_id: str | None = None, exec_id: str | None = None, limits: ExecLimits | None = None,
        cancel: CancelToken | None = None,
    ) -> AsyncIterator[ExecEvent]:
        exec_id = exec_id or new_id()
        yield CodeExecStarted(run_id=run_id, step_id=step_id, exec_id=exec_id, language=language, code=code)
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()

        def produce() -> None:
            start = time.perf_counter()
            for index, first in enumerate(range(0, LINES, CHUNK_LINES)):
                wait = start + (index + 1) * CHUNK_EVERY_S - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                text = "".join(f"line {n:06d} of the flood, padded to a usual width\n"
                               for n in range(first, first + CHUNK_LINES))
                self.sent.append((first + CHUNK_LINES, time.perf_counter()))
                loop.call_soon_threadsafe(queue.put_nowait, text)
            loop.call_soon_threadsafe(queue.put_nowait, None)

        threading.Thread(target=produce, daemon=True).start()
        while (text := await queue.get()) is not None:
            yield ExecOutput(run_id=run_id, step_id=step_id, exec_id=exec_id, stream="stdout", text=text)
        yield ExecFinished(run_id=run_id, step_id=step_id, exec_id=exec_id, exit_code=0, duration_s=2.0,
                           peak_memory_bytes=None)


async def flood(tmp: Path) -> dict[str, Any]:
    """Run the flood in the dashboard; return lags, scroll-back timing, memory and phases."""
    sandbox = FloodSandbox(tmp)
    app = make_app(tmp, ["Done."], approval="auto", sandbox=sandbox)
    shown: list[tuple[float, int]] = []
    frames = [0]
    original_update = Screen._on_timer_update
    clock = PhaseClock()
    phases: list[dict[str, float]] = []

    def timed_update(self: Screen[Any]) -> None:
        original_update(self)
        frames[0] += 1
        if app.dashboard.execution.filled and sandbox.sent:
            shown.append((time.perf_counter(), app.dashboard.execution.output.written))
            phases.append(clock.snapshot())

    Screen._on_timer_update = timed_update  # type: ignore[method-assign]
    result: dict[str, Any] = {"saves": [], "finals": []}
    try:
        with clock.installed(), timed_saves(result["saves"], result["finals"]):
            async with app.run_test(size=(160, 48)) as pilot:
                await asyncio.wait_for(app.ready.wait(), 10)
                await pilot.pause()
                result["rss"] = [rss_mib()]
                result["pane"], result["lags"], result["phases"] = [], [], []
                output = app.dashboard.execution.output
                for _ in range(FLOODS):
                    sandbox.sent.clear()
                    shown.clear()
                    phases.clear()
                    app.dashboard.chat.prompt.load_text("run the flood")
                    await pilot.press("enter")
                    while app.handle is not None or app.bridge is None:  # noqa: ASYNC110
                        await asyncio.sleep(0.01)
                    await pilot.pause(0.2)
                    result["rss"].append(rss_mib())
                    result["pane"].append(pane_mib(output))
                    result["lags"].append(lags_of(sandbox.sent, shown))
                    result["phases"].append(list(phases))
                result["kept"], result["dropped"] = output.line_count, output.dropped
                result["kept_chars"], result["cap"] = sum(map(len, output.lines)), output.max_chars
                result["tail_ok"] = output.lines[-1].startswith(f"line {LINES - 1:06d}")
                # Scroll back: to the first kept line and down again, a page at a time for 20 pages.
                output.focus()
                await pilot.pause()
                keys: list[float] = []
                for key in ["home"] + ["pagedown"] * 20 + ["end"]:
                    # From the key to the end of the frame that shows the view scrolled.
                    before, sent = output.scroll_y, time.perf_counter()
                    app.post_message(events.Key(key, None))
                    while output.scroll_y == before and time.perf_counter() - sent < 2:  # noqa: ASYNC110
                        await asyncio.sleep(0.0005)
                    moved_at = frames[0]
                    while frames[0] == moved_at and time.perf_counter() - sent < 2:  # noqa: ASYNC110
                        await asyncio.sleep(0.0005)
                    keys.append(time.perf_counter() - sent)
                    if key == "home":
                        # Home scrolls with an animation: the top is checked once it has landed.
                        while output.scroll_y > 0 and time.perf_counter() - sent < 3:  # noqa: ASYNC110
                            await asyncio.sleep(0.01)
                        # The code run comes first in the same scroll (the log's prelude).
                        result["home_ok"] = output.render_line(output.prelude_rows).text.startswith(
                            output.lines[0])
                result["keys"] = keys
                await pilot.press("ctrl+q")
    finally:
        Screen._on_timer_update = original_update  # type: ignore[method-assign]
    result["phase"] = [dominant(p[0], p[-1], len(p) - 1) if len(p) > 1 else "n/a" for p in result["phases"]]
    result["breakdown"] = [breakdown(p[0], p[-1], len(p) - 1) if len(p) > 1 else "n/a"
                           for p in result["phases"]]
    result["counts"] = [counts(p[0], p[-1], len(p) - 1) if len(p) > 1 else "n/a" for p in result["phases"]]
    return result


SAVES = ("save_execution_output", "append_execution_output")
"""The Store calls that save output while it streams (before and after output became chunk rows);
the bench times whichever this checkout has, so the same script measures both."""
FINAL = "finish_execution"


@contextmanager
def timed_saves(saves: list[float], finals: list[float]) -> Iterator[None]:
    """Record the wall time of each output save the recorder awaits (the event waits that long)."""
    originals = {name: getattr(Store, name) for name in (*SAVES, FINAL) if hasattr(Store, name)}

    def timer(original: Any, into: list[float]) -> Any:
        async def timed(self: Store, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(self, *args, **kwargs)
            finally:
                into.append(time.perf_counter() - started)
        return timed

    for name, original in originals.items():
        setattr(Store, name, timer(original, finals if name == FINAL else saves))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(Store, name, original)


def lags_of(sent: list[tuple[int, float]], shown: list[tuple[float, int]]) -> list[float]:
    """For each chunk sent, the time until the end of the first frame that showed it."""
    lags, frame = [], 0
    for count, sent_at in sent:  # both in time order: one pass
        while frame < len(shown) and (shown[frame][1] < count or shown[frame][0] < sent_at):
            frame += 1
        lags.append(shown[frame][0] - sent_at if frame < len(shown) else float("inf"))
    return lags


def report(result: dict[str, Any]) -> None:
    keys = sorted(result["keys"])
    p95s = [p95(lags) for lags in result["lags"]]
    medians = [statistics.median(lags) for lags in result["lags"]]
    print(f"output flood: {LINES:,} lines at {CHUNK_LINES / CHUNK_EVERY_S:,.0f} lines/s, {FLOODS} floods")
    each = ", ".join(f"{value * 1000:.1f}" for value in p95s)
    worst = max(max(lags) for lags in result["lags"])
    print(f"  newest lines on screen after arrival, p95: median of floods "
          f"{statistics.median(p95s) * 1000:.1f} ms (spread {min(p95s) * 1000:.1f}-{max(p95s) * 1000:.1f}: "
          f"{each}; goal <= 100); median lag {statistics.median(medians) * 1000:.1f} ms; "
          f"max {worst * 1000:.1f} ms")
    print(f"  dominant phase per frame meanwhile (each flood): {'; '.join(result['phase'])}")
    print(f"  per frame, ms by phase (last flood): {result['breakdown'][-1]}")
    print(f"  per frame, counts (last flood): {result['counts'][-1]}")
    print(f"  kept {result['kept']:,} lines ({result['kept_chars']:,} chars, cap {result['cap']:,}), "
          f"dropped the oldest {result['dropped']:,}; last line shown: {result['tail_ok']}")
    print(f"  scroll back (home, 20 x pagedown, end): key to the first frame that moved, median "
          f"{statistics.median(keys) * 1000:.1f} ms, max {keys[-1] * 1000:.1f} ms; first kept line at the "
          f"top after home: {result.get('home_ok')}")
    saves, finals = sorted(result["saves"]), result["finals"]
    if saves:
        print(f"  output saves while streaming ({len(saves):,} over {FLOODS} floods): median "
              f"{statistics.median(saves) * 1000:.2f} ms, p95 {p95(saves) * 1000:.2f} ms, max "
              f"{saves[-1] * 1000:.2f} ms; the save at each ExecFinished: "
              f"{', '.join(f'{value * 1000:.2f}' for value in finals)} ms")
    rss = " / ".join(f"{value:.0f}" for value in result["rss"])
    pane = " / ".join(f"{value:.1f}" for value in result["pane"])
    print(f"  RSS before / after each of {FLOODS} floods: {rss} MiB (the first run also loads the memory "
          f"index's model); the pane's own lines and indexes after each: {pane} MiB (bounded by the cap)")


async def main() -> None:
    import tempfile

    report(await flood(Path(tempfile.mkdtemp(prefix="gb-bench-"))))


if __name__ == "__main__":
    asyncio.run(main())
