"""Small modal dialogs: a one-line text prompt, a yes/no question, and code approval."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text; Enter accepts, Escape cancels (returns None)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog_cancel", tooltip="Close without saving")]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self._title = title
        self._value = value
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._title, classes="dialog-title", markup=False)
            yield Input(self._value, placeholder=self._placeholder, id="dialog-input")
            yield Label("Enter to accept, Escape to cancel", classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """A yes/no question; y/Enter on Yes accepts, n/Escape declines."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="dialog_yes", tooltip="Answer yes"),
        Binding("n,escape", "answer(False)", "No", id="dialog_no", tooltip="Answer no"),
    ]

    def __init__(self, question: str, detail: str = "", code: str = "", language: str = "python") -> None:
        super().__init__(classes="dialog-screen")
        self._question = question
        self._detail = detail
        self._code = code
        self._language = language

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._question, classes="dialog-title", markup=False)
            if self._detail:
                yield Static(self._detail, markup=False)
            if self._code:
                from rich.syntax import Syntax  # Pygments: 5 ms of every launch, for a dialog seldom shown

                with VerticalScroll(classes="dialog-code"):
                    yield Static(Syntax(self._code, self._language, line_numbers=True, theme="ansi_dark"))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", variant="success", id="yes")
                yield Button("No (n)", variant="error", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
