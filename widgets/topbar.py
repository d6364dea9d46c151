"""TopBar: the dashboard's status line (session, model, run state, generation speed) fitted to its width."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

if TYPE_CHECKING:
    from engine.events import Event


@dataclass(frozen=True, slots=True)
class CallSpeed:
    """The speed of one finished model call, as the engine measured it."""

    ttft_s: float
    prompt_tokens_per_s: float | None
    """Prompt tokens evaluated (not served from the prefix cache) per second before the first token."""
    tokens_per_s: float


def call_speed(prompt_tokens: int, cached_prompt_tokens: int, ttft_s: float,
               tokens_per_s: float) -> CallSpeed:
    """A call's speed from its usage figures; no prompt speed when nothing was evaluated."""
    evaluated = max(prompt_tokens - cached_prompt_tokens, 0)
    prompt_speed = evaluated / ttft_s if evaluated and ttft_s > 0 else None
    return CallSpeed(ttft_s, prompt_speed, tokens_per_s)


class SpeedMeter:
    """Live tokens per second from the tokens the UI receives, over a short sliding window."""

    WINDOW_S = 2.0
    IDLE_S = 1.0
    """No token for this long: the model is not generating (a pause, code running, the run ended)."""

    def __init__(self) -> None:
        self._samples: deque[tuple[float, int]] = deque()
        self._started = 0.0

    def add(self, tokens: int, now: float) -> None:
        """Tokens that arrived at `now`."""
        if tokens <= 0:
            return
        if not self._samples or now - self._samples[-1][0] > self.IDLE_S:
            self._samples.clear()
            self._started = now
        self._samples.append((now, tokens))
        while self._samples and now - self._samples[0][0] > self.WINDOW_S:
            self._samples.popleft()

    def reset(self) -> None:
        """A call ended: the next tokens start a new measurement."""
        self._samples.clear()

    def rate(self, now: float) -> float | None:
        """Tokens per second now, or None when not generating (or too early to say)."""
        if not self._samples or now - self._samples[-1][0] > self.IDLE_S:
            return None
        first = max(self._samples[0][0], self._started)
        span = now - first
        if span < 0.2:
            return None
        # The first sample's tokens arrived at the start of the span: they are not counted.
        tokens = sum(count for _at, count in self._samples) - self._samples[0][1]
        return tokens / span if tokens else None


def _fmt_rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


class TopBar(Static):
    """Title, model and state on the left; the live speed and the last call's speed on the right.

    What does not fit the width goes in order: long forms, the model, the title (cut with …)."""

    DEFAULT_CSS = """
    TopBar {
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None, live: bool = True) -> None:
        super().__init__("Glassbox", id=id, markup=False)
        self.live = live
        """False in snapshots: no measured (changing) speed is shown while generating."""
        self.session_title = ""
        self.model_name = ""
        self.run_state = "starting…"
        self.running = False
        self.override: str | None = None
        """A fixed line shown instead (e.g. when the engine could not start)."""
        self.last: CallSpeed | None = None
        self.meter = SpeedMeter()
        self._timer: Timer | None = None
        self._drawn_at = 0.0

    # -- inputs ---------------------------------------------------------------------------

    def show(self, title: str, model: str, state: str, *, running: bool = False) -> None:
        """The session title, model name and run state."""
        self.session_title, self.model_name, self.run_state, self.running = title, model, state, running
        self.override = None
        if running and self.live and self._timer is None:
            self._timer = self.set_interval(0.5, self._redraw)
        elif not running and self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._redraw()

    def show_text(self, text: str) -> None:
        """Show a fixed line instead of the status."""
        self.override = text
        self._redraw()

    def count_tokens(self, tokens: int) -> None:
        """Reply tokens that just arrived (from the bridge's per-frame batch)."""
        now = time.monotonic()
        self.meter.add(tokens, now)
        # Redrawn at most 4 times a second: the figure is read, not watched per frame.
        if now - self._drawn_at >= 0.25:
            self._redraw()

    def take_event(self, event: Event) -> None:
        """Take the finished calls' speed from UsageUpdated."""
        from engine.events import UsageUpdated

        if isinstance(event, UsageUpdated):
            self.last = call_speed(event.prompt_tokens, event.cached_prompt_tokens, event.ttft_s,
                                   event.tokens_per_s)
            self.meter.reset()
            self._redraw()

    # -- drawing --------------------------------------------------------------------------

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        self._drawn_at = time.monotonic()
        self.update(self.line(self.size.width or 80), layout=False)

    def speed_parts(self, short: bool) -> list[str]:
        """The speed figures: live tokens/s while generating, then the last call's."""
        parts: list[str] = []
        live = self.meter.rate(time.monotonic()) if self.running and self.live else None
        if live is not None:
            parts.append(f"▸ {_fmt_rate(live)} tok/s")
        last = self.last
        if last is not None:
            unit = "s" if short else " s"
            digits = 2 if last.ttft_s < 10 else 1
            parts.append(f"TTFT {last.ttft_s:.{digits}f}{unit}")
            if last.prompt_tokens_per_s is not None:
                parts.append(f"prompt {_fmt_rate(last.prompt_tokens_per_s)} tok/s")
            if live is None and last.tokens_per_s:
                parts.append(f"{'gen' if short else 'last'} {_fmt_rate(last.tokens_per_s)} tok/s")
        return parts

    def line(self, width: int) -> Text:
        """The status line for a width: the most important parts that fit."""
        if self.override is not None:
            return Text(self.override, style="bold")
        head = " Glassbox · "
        forms = [(False, True, 3), (True, True, 3), (True, False, 3), (True, False, 2), (True, False, 1),
                 (True, False, 0)]
        for number, (short, with_model, speed_parts) in enumerate(forms, 1):
            speed = " · ".join(self.speed_parts(short)[:speed_parts])
            state = self.run_state if not short else self.run_state.replace(" (Esc cancels)", " · Esc")
            model = (f"model: {self.model_name}" if not short else self.model_name) if with_model else ""
            tail = [part for part in (model, state, speed) if part]
            room = width - len(head) - sum(len(part) + 3 for part in tail) - 1
            if room >= 12 or number == len(forms):
                return self._assemble(head, room, model, state, speed)
        raise AssertionError("unreachable: the last form always returns")

    def _assemble(self, head: str, room: int, model: str, state: str, speed: str) -> Text:
        title = self.session_title or "(new session)"
        if room < len(title):
            title = title[: room - 1] + "…" if room > 1 else ""
        text = Text(head + title, style="bold")
        if model:
            text.append(" · ")
            text.append(model)
        text.append(" · ")
        text.append(state, style="bold yellow" if self.running else "bold")
        if speed:
            text.append(" · ")
            text.append(speed, style="cyan")
        return text
