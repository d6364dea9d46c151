"""The settings screen: every setting with its docstring and source; Ctrl+S writes the TOML file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from engine.config import Settings
from engine.settings_file import effective_settings, field_docs


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parse(text: str, current: Any) -> Any:
    """Turn the typed text into the current value's type (validation is write_settings' job)."""
    text = text.strip()
    if isinstance(current, bool):
        return text.lower() in ("1", "true", "yes", "on")
    if isinstance(current, int):
        return int(text)
    if isinstance(current, float):
        return float(text)
    if isinstance(current, dict):
        pairs = [p.split("=", 1) for p in text.split(",") if "=" in p]
        return {k.strip(): v.strip() for k, v in pairs}
    return text


class SettingsScreen(ModalScreen[dict[str, Any] | None]):
    """Returns the changed settings as {dotted name: value}, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="settings_save", tooltip="Write changes to the config file"),
        Binding("escape", "close", "Cancel", id="settings_cancel", tooltip="Close without saving"),
    ]

    def __init__(self, settings: Settings, config_path: Path) -> None:
        super().__init__(classes="dialog-screen")
        self._rows = effective_settings(settings)
        self._docs = field_docs()
        self._config_path = config_path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -wide"):
            yield Label(f"Settings → {self._config_path}", classes="dialog-title", markup=False)
            with VerticalScroll(id="settings-body"):
                for dotted, value, source in self._rows:
                    yield Label(f"{dotted}  ({source})", classes="setting-name", markup=False)
                    yield Static(self._docs.get(dotted, ""), classes="setting-doc", markup=False)
                    yield Input(_show(value), id="set-" + dotted.replace(".", "--"), classes="setting-input")
            yield Label("Ctrl+S save · Esc cancel · env overrides win over the file", classes="dialog-hint")

    def action_save(self) -> None:
        changed: dict[str, Any] = {}
        for dotted, value, _source in self._rows:
            widget = self.query_one("#set-" + dotted.replace(".", "--"), Input)
            if widget.value == _show(value):
                continue
            try:
                changed[dotted] = _parse(widget.value, value)
            except ValueError:
                self.notify(f"{dotted}: {widget.value!r} is not a valid value.", severity="error")
                widget.focus()
                return
        self.dismiss(changed)

    def action_close(self) -> None:
        self.dismiss(None)
