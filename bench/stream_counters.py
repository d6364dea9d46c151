"""Load-independent counters of a streamed reply's frames (cells, rows rendered, widgets laid out,
Markdown parsed), at ~100 and ~10,000 tokens: what a frame's work grows with, whatever the load."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "tui"))
sys.path.insert(0, str(ROOT / "bench"))

from phases import PhaseClock  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.widgets import Markdown  # noqa: E402
from tui_stream import bench_app  # noqa: E402

from engine.llm.scripted import _tokens  # noqa: E402

COUNTERS = ("cells", "rows", "reflows", "visible_reflows", "mapped", "parses", "parsed_chars", "arranges")


async def counted_run(n: int, detail: bool = False) -> list[tuple[int, dict[str, float], Counter[str]]]:
    """Stream an n-token reply; per frame that shows streamed text: (tokens shown, counter deltas,
    the kinds of widget whose lines were rendered in it when `detail`)."""
    app = bench_app(n, threaded=True)
    clock = PhaseClock()
    frames: list[tuple[int, dict[str, float], Counter[str]]] = []
    state = {"tokens": 0}
    kinds: Counter[str] = Counter()
    original_update = Screen._on_timer_update
    original_append = Markdown.append

    def counted_append(self: Markdown, markdown: str) -> Any:
        state["tokens"] += len(_tokens(markdown))
        return original_append(self, markdown)

    last = clock.snapshot()

    def counted_update(self: Screen[Any]) -> None:
        nonlocal last
        original_update(self)
        if state["tokens"]:
            now = clock.snapshot()
            frames.append((state["tokens"], {k: now[k] - last[k] for k in COUNTERS}, Counter(kinds)))
            last = now
        kinds.clear()

    from textual.widget import Widget
    original_render_lines = Widget.render_lines

    def traced_render_lines(self: Widget, crop: Any) -> Any:
        kinds[type(self).__name__] += crop.height
        return original_render_lines(self, crop)

    Screen._on_timer_update = counted_update  # type: ignore[method-assign]
    Markdown.append = counted_append  # type: ignore[method-assign,assignment]
    if detail:
        Widget.render_lines = traced_render_lines  # type: ignore[method-assign]
    try:
        with clock.installed():
            last = clock.snapshot()
            async with app.run_test(size=(160, 48)) as pilot:
                await asyncio.wait_for(app.ready.wait(), 10)
                await pilot.pause()
                app.dashboard.chat.prompt.load_text("go")
                await pilot.press("enter")
                while app.handle is not None or app.bridge is None:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
                await pilot.pause(0.1)
                await pilot.press("ctrl+q")
    finally:
        Screen._on_timer_update = original_update  # type: ignore[method-assign]
        Markdown.append = original_append  # type: ignore[method-assign]
        Widget.render_lines = original_render_lines  # type: ignore[method-assign]
    return frames


def window(frames: list[tuple[int, dict[str, float], Counter[str]]], low: int, high: int) -> str:
    inside = [values for tokens, values, _ in frames if low <= tokens <= high]
    if not inside:
        return "n/a"
    parts = []
    for key in COUNTERS:
        values = [v[key] for v in inside]
        parts.append(f"{key} {statistics.median(values):,.0f}/{statistics.fmean(values):,.0f}")
    return f"{len(inside)} frames, median/mean per frame: " + ", ".join(parts)


def kinds_in(frames: list[tuple[int, dict[str, float], Counter[str]]], low: int, high: int) -> str:
    total: Counter[str] = Counter()
    inside = [kinds for tokens, _, kinds in frames if low <= tokens <= high]
    for kinds in inside:
        total.update(kinds)
    return ", ".join(f"{k} {v / max(1, len(inside)):.0f}" for k, v in total.most_common(8))


async def main() -> None:
    detail = "--detail" in sys.argv
    started = time.perf_counter()
    frames = await counted_run(10_500, detail)
    for low, high in ((50, 250), (9_500, 10_500)):
        print(f"~{(low + high) // 2:,} tokens: {window(frames, low, high)}")
        if detail:
            print(f"    rows rendered per frame by widget: {kinds_in(frames, low, high)}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    asyncio.run(main())
