"""The model picker: local GGUF models with their metadata (as `glassbox models list` shows)."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from engine.llm.registry import ModelInfo, list_local_models


def _size(size: int) -> str:
    return f"{size / 1024**3:.2f} GiB" if size >= 1024**3 else f"{size / 1024**2:.0f} MiB"


def _list_models() -> tuple[list[ModelInfo], str]:
    try:
        return list_local_models(), ""
    except Exception as exc:  # a broken models folder must not close the picker
        return [], f"Could not list models: {exc}"


class ModelsScreen(ModalScreen[str | None]):
    """Enter picks the highlighted model; Escape closes."""

    BINDINGS = [Binding("escape", "close", "Close", id="models_close", tooltip="Close the picker")]

    def __init__(self, current: str) -> None:
        super().__init__(classes="dialog-screen")
        self.current = current
        self._names: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -wide"):
            yield Label(f"Models (current: {self.current})", classes="dialog-title", markup=False)
            yield DataTable(id="models-table", cursor_type="row")
            yield Label("loading…", id="models-status", classes="dialog-hint")

    async def on_mount(self) -> None:
        table = self.query_one("#models-table", DataTable)
        table.add_columns("name", "architecture", "quant", "context", "size", "status")
        # Reading GGUF headers touches the disk; keep it off the event loop.
        models, problem = await asyncio.to_thread(_list_models)
        for info in models:
            self._names.append(info.name)
            status = Text(info.error, style="red") if info.error else Text("ok", style="green")
            table.add_row(
                info.name, info.architecture or "?", info.quantization or "?",
                f"{info.context_length:,}" if info.context_length else "?", _size(info.size_bytes), status,
            )
        status_label = self.query_one("#models-status", Label)
        if problem:
            status_label.update(problem)
        elif not models:
            status_label.update("No local models found; see `glassbox models list`.")
        else:
            status_label.update("Enter selects (written to llm.model) · Escape closes")
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self._names):
            self.dismiss(self._names[event.cursor_row])

    def action_close(self) -> None:
        self.dismiss(None)
