"""The Cost pane: tokens, speed, context fill, compute time, budget and hosted-model prices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Label, Static

from widgets.pane import Pane

if TYPE_CHECKING:
    from pathlib import Path

    from textual.widgets import ProgressBar, Sparkline


@dataclass(frozen=True, slots=True)
class UsageView:
    """Usage summed over a scope (turn, session or all time).

    Every scope computes its speeds the same way, from sums over its model calls: the time to
    first token is the mean over the calls, tokens/s is generated tokens over generation time
    (each call's (completion - 1) / its tokens/s, as the backends measure it)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    ttft_s: float | None = None
    tokens_per_s: float | None = None
    compute_s: float = 0.0
    calls: int = 0
    ttft_sum_s: float = 0.0
    decode_tokens: float = 0.0
    decode_s: float = 0.0

    @property
    def total(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens

    def plus(self, prompt_tokens: int, completion_tokens: int, ttft_s: float | None,
             tokens_per_s: float | None, duration_s: float) -> UsageView:
        """This scope with one more model call."""
        decode_tokens, decode_s = self.decode_tokens, self.decode_s
        if tokens_per_s and completion_tokens > 1:
            decode_tokens += completion_tokens - 1
            decode_s += (completion_tokens - 1) / tokens_per_s
        calls = self.calls + 1
        ttft_sum = self.ttft_sum_s + (ttft_s or 0.0)
        return UsageView(
            self.prompt_tokens + prompt_tokens, self.completion_tokens + completion_tokens,
            ttft_sum / calls, decode_tokens / decode_s if decode_s > 0 else None,
            self.compute_s + (duration_s or 0.0), calls, ttft_sum, decode_tokens, decode_s,
        )

    @classmethod
    def of_sums(cls, prompt_tokens: int, completion_tokens: int, compute_s: float, calls: int,
                ttft_sum_s: float, decode_tokens: float, decode_s: float) -> UsageView:
        """A scope from sums over its calls (what the store adds up for all time)."""
        return cls(prompt_tokens, completion_tokens, ttft_sum_s / calls if calls else None,
                   decode_tokens / decode_s if decode_s > 0 else None, compute_s, calls, ttft_sum_s,
                   decode_tokens, decode_s)


@dataclass(frozen=True, slots=True)
class Price:
    """A hosted model's list price in USD per million tokens."""

    name: str
    input_per_m: float
    output_per_m: float

    def cost(self, usage: UsageView) -> float:
        """What `usage` would have cost on this model, in USD."""
        return (usage.prompt_tokens * self.input_per_m + usage.completion_tokens * self.output_per_m) / 1e6


@dataclass(frozen=True, slots=True)
class PriceTable:
    """The pricing table from data/pricing.toml."""

    prices: tuple[Price, ...] = ()
    date: str = ""
    note: str = ""


def load_pricing(path: Path) -> PriceTable:
    """Read the pricing table; a missing or broken file gives an empty table."""
    import tomllib  # read after the first frame, not imported for it

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return PriceTable(note=f"No pricing table at {path}.")
    prices = tuple(
        Price(str(m["name"]), float(m["input_per_million"]), float(m["output_per_million"]))
        for m in data.get("model", []) if "name" in m
    )
    return PriceTable(prices, str(data.get("date", "")), str(data.get("note", "")))


@dataclass(frozen=True, slots=True)
class BudgetView:
    """The session's token budget and what is used of it."""

    budget: int
    used: int

    @property
    def left(self) -> int:
        """Tokens still available (never negative)."""
        return max(self.budget - self.used, 0)


def _num(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def _usd(value: float) -> str:
    return f"${value:.4f}" if value < 1 else f"${value:,.2f}"


class CostPane(Pane):
    """Cost: set the attributes and the pane redraws."""

    turn: reactive[UsageView] = reactive(UsageView, always_update=True)
    session: reactive[UsageView] = reactive(UsageView, always_update=True)
    all_time: reactive[UsageView] = reactive(UsageView, always_update=True)
    speeds: reactive[tuple[float, ...]] = reactive(tuple)
    context: reactive[tuple[int, int]] = reactive((0, 0))
    budget: reactive[BudgetView | None] = reactive(None)
    pricing: reactive[PriceTable] = reactive(PriceTable)

    def __init__(self, *, lazy: bool = False) -> None:
        super().__init__("Cost", id="cost", lazy=lazy)
        self._ready = False

    def compose_body(self) -> ComposeResult:
        # Imported here: the pane is filled after the first frame (5 ms less before it).
        from textual.widgets import ProgressBar, Sparkline

        # One line each for the speed history and the context fill, so that the price table fits
        # without scrolling at 80x24 (a tab) and 160x48 (the side pane, 19 lines).
        with VerticalScroll(id="cost-body", can_focus=True):
            yield Static(id="cost-table")
            with Horizontal(classes="cost-row"):
                yield Label("tok/s by call ", classes="cost-caption")
                yield Sparkline([], id="cost-speed")
            with Horizontal(classes="cost-row"):
                yield Label("", id="cost-context-label")
                yield ProgressBar(total=1, show_eta=False, id="cost-context")
            yield Static("", id="cost-budget")
            yield Static("", id="cost-prices")

    def body_mounted(self) -> None:
        self._ready = True
        self._render_table()
        self._render_prices()
        self.watch_context(self.context)
        self.watch_budget(self.budget)

    def focus_first(self) -> None:
        """Focus the scrollable body."""
        self.query_one("#cost-body").focus()

    def _render_table(self) -> None:
        table = Table(box=None, expand=True, pad_edge=False, show_edge=False)
        table.add_column("", style="bold", no_wrap=True)
        for name in ("turn", "session", "all time"):
            table.add_column(name, justify="right", no_wrap=True)
        scopes = (self.turn, self.session, self.all_time)
        table.add_row("prompt", *(f"{u.prompt_tokens:,}" for u in scopes))
        table.add_row("completion", *(f"{u.completion_tokens:,}" for u in scopes))
        table.add_row("first token s", *(_num(u.ttft_s, ".2f") for u in scopes))
        table.add_row("tok/s", *(_num(u.tokens_per_s, ".1f") for u in scopes))
        table.add_row("compute s", *(f"{u.compute_s:.1f}" for u in scopes))
        self.query_one("#cost-table", Static).update(table)

    def _render_prices(self) -> None:
        table = Table(box=None, expand=True, pad_edge=False, show_edge=False)
        # The date says how old the (indicative) list prices are, in the header: no extra line.
        header = f"priced as ({self.pricing.date})" if self.pricing.date else "same tokens on"
        table.add_column(header, no_wrap=True, overflow="ellipsis", ratio=2)
        for name in ("turn", "session", "all time"):
            table.add_column(name, justify="right", no_wrap=True, ratio=1)
        for price in self.pricing.prices:
            scopes = (self.turn, self.session, self.all_time)
            table.add_row(price.name, *(_usd(price.cost(u)) for u in scopes))
        if self.pricing.prices or not self.pricing.note:
            self.query_one("#cost-prices", Static).update(table)
        else:
            self.query_one("#cost-prices", Static).update(Group(table, Text(self.pricing.note, style="dim")))

    def watch_turn(self) -> None:
        self._refresh_all()

    def watch_session(self) -> None:
        self._refresh_all()

    def watch_all_time(self) -> None:
        self._refresh_all()

    def watch_pricing(self) -> None:
        self._refresh_all()

    def _refresh_all(self) -> None:
        if self._ready:
            self._render_table()
            self._render_prices()

    def watch_speeds(self, speeds: tuple[float, ...]) -> None:
        if self._ready:
            speed: Sparkline = self.query_one("#cost-speed")  # type: ignore[assignment]
            speed.data = list(speeds)

    def watch_context(self, context: tuple[int, int]) -> None:
        if not self._ready:
            return
        used, limit = context
        label = f"context {used:,}/{limit:,} " if limit else "context: no model call yet "
        self.query_one("#cost-context-label", Label).update(label)
        bar: ProgressBar = self.query_one("#cost-context")  # type: ignore[assignment]
        bar.update(total=max(limit, 1), progress=min(used, limit))

    def watch_budget(self, budget: BudgetView | None) -> None:
        if not self._ready:
            return
        widget = self.query_one("#cost-budget", Static)
        if budget is None or budget.budget <= 0:
            widget.update(Text("budget: none (Ctrl+B sets one)", style="dim"))
            return
        low = budget.left < budget.budget // 10
        style = "bold red" if budget.left == 0 else ("yellow" if low else "green")
        widget.update(Text.assemble(
            "budget: ", (f"{budget.left:,} left", style), f" of {budget.budget:,} ({budget.used:,} used)"
        ))
