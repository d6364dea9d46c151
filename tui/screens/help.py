"""The help screen: every key binding (with its id for settings.ui.keymap) and widget keys."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Label, Static


def display_keys(keys: str) -> str:
    """A binding's keys as a user reads them: "left_square_bracket" is "[", "escape" is "esc"."""
    shown = []
    for key in keys.split(","):
        *modifiers, name = key.strip().split("+")
        shown.append("+".join([*modifiers, format_key(name)]))
    return ", ".join(shown)


class HelpScreen(ModalScreen[None]):
    """Lists every binding; Escape or F1 closes it."""

    BINDINGS = [Binding("escape,f1,q", "close", "Close", id="help_close", tooltip="Close help")]

    def __init__(self, rows: list[tuple[str, str, str]], widget_keys: tuple[tuple[str, str], ...],
                 tools: list[tuple[str, str]] | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self._rows = rows
        self._widget_keys = widget_keys
        self.tool_rows = tools or []
        """(tool, what it does) for the agent's built-in and MCP tools."""

    def compose(self) -> ComposeResult:
        table = Table(expand=True, box=None)
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("what it does")
        table.add_column("keymap id", style="dim", no_wrap=True)
        for binding_id, keys, tooltip in self._rows:
            table.add_row(display_keys(keys), tooltip, binding_id)
        for keys, text in self._widget_keys:
            table.add_row(keys, text, "")
        with Vertical(classes="dialog -wide"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(table)
                if self.tool_rows:
                    tools = Table(expand=True, box=None, title="Agent tools", title_justify="left")
                    tools.add_column("tool", style="bold green", no_wrap=True)
                    tools.add_column("what it does")
                    for name, text in self.tool_rows:
                        tools.add_row(name, text)
                    yield Static(tools, id="help-tools")
                yield Static(
                    "Remap keys in the config file, e.g. [ui] keymap = { cancel_run = \"ctrl+c\" }",
                    classes="dialog-hint", markup=False,
                )

    def action_close(self) -> None:
        self.dismiss(None)
