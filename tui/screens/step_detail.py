"""A step's full detail: kind, status, timing, tokens, strategy, input and output, unfolded."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from widgets.activity import StepInfo, step_label


class StepDetailScreen(ModalScreen[None]):
    """Shows everything known about one step; Escape closes."""

    BINDINGS = [Binding("escape,q", "close", "Close", id="step_close", tooltip="Close the step detail")]

    def __init__(self, step: StepInfo) -> None:
        super().__init__(classes="dialog-screen")
        self.step = step

    def compose(self) -> ComposeResult:
        step = self.step
        with Vertical(classes="dialog -wide"):
            yield Label(step_label(step), classes="dialog-title")
            with VerticalScroll(id="step-body", can_focus=True):
                facts = [f"status: {step.status}"]
                if step.duration_s is not None:
                    facts.append(f"duration: {step.duration_s:.2f} s")
                facts.append(f"tokens: {step.tokens:,}")
                if step.strategy:
                    facts.append(f"strategy: {step.strategy}")
                if step.reason:
                    facts.append(f"reason: {step.reason}")
                yield Static(" · ".join(facts), markup=False)
                sections = (("input", step.input), ("summary", step.summary), ("output", step.output))
                for title, body in sections:
                    if body:
                        yield Label(title, classes="section-title")
                        style = "red" if step.status == "failure" and title == "output" else ""
                        yield Static(Text(body, style=style), classes="step-text")

    def on_mount(self) -> None:
        self.query_one("#step-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
