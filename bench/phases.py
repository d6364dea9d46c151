"""Main-thread CPU time of the dashboard split by phase (layout, render, Markdown parse, store...)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any

PHASES = ("layout", "render", "markdown", "store", "output", "bridge")
COUNTERS = ("cells", "rows", "reflows", "visible_reflows", "mapped", "arranges", "parses", "parsed_chars",
            "store_wait")
"""Counts that a loaded machine does not change: cells repainted, widget rows rendered, full and
scroll-only layouts, widgets placed by full layouts, uncached arranges, Markdown parses and the
characters they parsed. store_wait is the wall time the events waited for the store (seconds): it
runs in the database's thread, so the main thread's phases do not show it."""


class PhaseClock:
    """Accumulates thread time per phase, exclusive: a phase entered inside another (the render
    that a layout pass ends with) counts as itself, not as the outer one."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self._stack: list[str] = []
        self._mark = 0.0
        self._started = time.thread_time()

    def enter(self, phase: str) -> None:
        now = time.thread_time()
        if self._stack:
            self.totals[self._stack[-1]] += now - self._mark
        self._stack.append(phase)
        self._mark = now

    def leave(self) -> None:
        now = time.thread_time()
        self.totals[self._stack.pop()] += now - self._mark
        self._mark = now

    def snapshot(self) -> dict[str, float]:
        """The totals so far, with 'all' (main-thread time since install) and 'other'."""
        values = {phase: self.totals.get(phase, 0.0) for phase in PHASES}
        values["all"] = time.thread_time() - self._started
        values["other"] = values["all"] - sum(values[p] for p in PHASES)
        for counter in COUNTERS:
            values[counter] = self.totals.get(counter, 0.0)
        return values

    def timed(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function`, its time counted under `phase`."""
        clock = self

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            clock.enter(phase)
            try:
                return function(*args, **kwargs)
            finally:
                clock.leave()

        return wrapper

    def timed_async(self, phase: str, function: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
        """An async `function` (or one returning an awaitable), counting only its own steps: the
        time other tasks run while it waits is not its."""
        clock = self

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return _Steps(clock, phase, function(*args, **kwargs))

        return wrapper

    @contextmanager
    def installed(self) -> Iterator[PhaseClock]:
        """Patch Textual, markdown-it and the engine's recorder for the duration."""
        from markdown_it import MarkdownIt
        from textual._compositor import Compositor
        from textual.screen import Screen
        from textual.widget import Widget
        from textual.widgets import Markdown

        from engine import recorder
        from tui.bridge import Bridge
        from widgets.execution import ExecPane

        patches: list[tuple[Any, str, str, bool]] = [
            (Screen, "_refresh_layout", "layout", False),
            (Compositor, "update_widgets", "render", False),
            (Screen, "_compositor_refresh", "render", False),
            (MarkdownIt, "parse", "markdown", False),
            (ExecPane, "add_output", "output", False),
            (Bridge, "_add", "bridge", False),
            (Bridge, "flush", "bridge", False),
            (Markdown, "_parse_markdown", "markdown", False),
        ]
        # Whatever class of engine.recorder persists events (its name may change).
        for owner in vars(recorder).values():
            if isinstance(owner, type) and owner.__module__ == recorder.__name__:
                patches += [(owner, name, "store", True)
                            for name in ("record", "flush") if name in vars(owner)]
        saved = [(owner, name, getattr(owner, name)) for owner, name, _, _ in patches]
        saved.append((Compositor, "render_update", Compositor.render_update))
        render_update = Compositor.render_update
        clock = self

        def counted_update(compositor: Compositor, *args: Any, **kwargs: Any) -> Any:
            # Cells repainted: a measure of a frame's work that a loaded machine does not change.
            screen = compositor.size.region
            if screen in compositor._dirty_regions:
                clock.totals["cells"] += screen.area
            else:
                spans = compositor._regions_to_spans(compositor._dirty_regions)
                clock.totals["cells"] += sum(x2 - x1 for _, x1, x2 in spans)
            return render_update(compositor, *args, **kwargs)

        Compositor.render_update = counted_update  # type: ignore[method-assign]
        saved += [(Compositor, name, getattr(Compositor, name))
                  for name in ("reflow", "reflow_visible", "_get_renders")]
        saved += [(MarkdownIt, "parse", MarkdownIt.parse)]
        saved += [(Widget, "arrange", Widget.arrange)]
        reflow, reflow_visible = Compositor.reflow, Compositor.reflow_visible
        get_renders = Compositor._get_renders
        parse, arrange = MarkdownIt.parse, Widget.arrange

        def counted_reflow(compositor: Compositor, *args: Any, **kwargs: Any) -> Any:
            result = reflow(compositor, *args, **kwargs)
            clock.totals["reflows"] += 1
            clock.totals["mapped"] += len(compositor._full_map)
            return result

        def counted_reflow_visible(compositor: Compositor, *args: Any, **kwargs: Any) -> Any:
            clock.totals["visible_reflows"] += 1
            return reflow_visible(compositor, *args, **kwargs)

        def counted_renders(compositor: Compositor, *args: Any, **kwargs: Any) -> Any:
            for region, clip, strips in get_renders(compositor, *args, **kwargs):
                clock.totals["rows"] += len(strips)
                yield region, clip, strips

        def counted_parse(parser: MarkdownIt, src: str, *args: Any, **kwargs: Any) -> Any:
            clock.totals["parses"] += 1
            clock.totals["parsed_chars"] += len(src)
            return parse(parser, src, *args, **kwargs)

        def counted_arrange(widget: Widget, size: Any, optimal: bool = False) -> Any:
            # Widget.arrange is cached until the children or the size change: a miss arranges the
            # widget's children again.
            if widget._arrangement_cache.get((size, widget._nodes._updates, optimal)) is None:
                clock.totals["arranges"] += 1
            return arrange(widget, size, optimal)

        Compositor.reflow = counted_reflow  # type: ignore[method-assign]
        Compositor.reflow_visible = counted_reflow_visible  # type: ignore[method-assign]
        Compositor._get_renders = counted_renders  # type: ignore[method-assign]
        MarkdownIt.parse = counted_parse  # type: ignore[method-assign]
        Widget.arrange = counted_arrange  # type: ignore[method-assign]
        for owner, name, phase, is_async in patches:
            original = getattr(owner, name)
            if name == "_parse_markdown":
                original = _eager(original)
            timed = self.timed_async if is_async else self.timed
            setattr(owner, name, timed(phase, original))
        self._started = time.thread_time()
        try:
            yield self
        finally:
            for owner, name, original in saved:
                setattr(owner, name, original)


def _eager(generator_function: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    # Markdown._parse_markdown is a generator: its work happens as it is consumed, so it is
    # consumed inside the timed call.
    def run(*args: Any, **kwargs: Any) -> Iterator[Any]:
        return iter(list(generator_function(*args, **kwargs)))

    return run


class _Steps:
    def __init__(self, clock: PhaseClock, phase: str, awaitable: Awaitable[Any]) -> None:
        self.clock, self.phase, self.awaitable = clock, phase, awaitable

    def __await__(self) -> Generator[Any, Any, Any]:
        iterator = self.awaitable.__await__()
        clock, phase = self.clock, self.phase
        value: Any = None
        error: BaseException | None = None
        started = time.perf_counter()
        while True:
            clock.enter(phase)
            try:
                step = iterator.throw(error) if error is not None else iterator.send(value)
            except StopIteration as stop:
                clock.totals[f"{phase}_wait"] += time.perf_counter() - started
                return stop.value
            finally:
                clock.leave()
            try:
                value, error = (yield step), None
            except BaseException as exc:  # handed on to the awaitable
                value, error = None, exc


def dominant(before: dict[str, float], after: dict[str, float], frames: int = 1) -> str:
    """'render 3.10 ms (62%)': the phase with the most time between two snapshots, per frame."""
    spent = {p: after[p] - before[p] for p in (*PHASES, "other")}
    total = sum(spent.values()) or 1.0
    phase = max(spent, key=lambda p: spent[p])
    return f"{phase} {spent[phase] * 1000 / max(1, frames):.2f} ms ({100 * spent[phase] / total:.0f}%)"


def breakdown(before: dict[str, float], after: dict[str, float], frames: int = 1) -> str:
    """Every phase's time between two snapshots, per frame, largest first."""
    spent = {p: (after[p] - before[p]) * 1000 / max(1, frames) for p in (*PHASES, "other")}
    cells = (after["cells"] - before["cells"]) / max(1, frames)
    waited = (after["store_wait"] - before["store_wait"]) * 1000 / max(1, frames)
    phases = ", ".join(f"{p} {v:.2f}" for p, v in sorted(spent.items(), key=lambda kv: -kv[1]))
    return f"{phases}; {cells:,.0f} cells repainted; events waited {waited:.2f} ms for the store"


def counts(before: dict[str, float], after: dict[str, float], frames: int = 1) -> str:
    """The load-independent counters between two snapshots, per frame."""
    per = {c: (after[c] - before[c]) / max(1, frames) for c in COUNTERS if c != "store_wait"}
    placed = per["mapped"] / max(per["reflows"], 1e-9)
    parsed = per["parsed_chars"] / max(per["parses"], 1e-9)
    return (f"{per['cells']:,.0f} cells, {per['rows']:,.0f} widget rows rendered, "
            f"{per['reflows']:.2f} layouts placing {placed:,.0f} widgets, {per['arranges']:.1f} arranges, "
            f"{per['parses']:.2f} Markdown parses of {parsed:,.0f} chars")
