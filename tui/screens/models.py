"""The model picker: local GGUF models with their metadata (as `glassbox models list` shows)."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, ProgressBar

from engine.config import ModelEntry
from engine.errors import GlassboxError
from engine.llm.download import DownloadProgress, pull_reference
from engine.llm.registry import ModelInfo, list_local_models


def _size(size: int) -> str:
    return f"{size / 1024**3:.2f} GiB" if size >= 1024**3 else f"{size / 1024**2:.0f} MiB"


def _server_entries() -> dict[str, ModelEntry]:
    from engine.config import load_settings

    try:
        return {n: e for n, e in load_settings().models.items() if e.backend == "openai"}
    except Exception:  # a bad config file is reported by the settings screen, not here
        return {}


def _list_models() -> tuple[list[ModelInfo], str]:
    try:
        return list_local_models(), ""
    except Exception as exc:  # a broken models folder must not close the picker
        return [], f"Could not list models: {exc}"


class ModelsScreen(ModalScreen[str | None]):
    """Enter picks the highlighted model; Escape closes."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="models_close", tooltip="Close the picker"),
        Binding("p", "focus_pull", "Pull", id="models_pull",
                tooltip="Download a model: a URL, owner/repo/file.gguf, or smollm2"),
    ]

    def __init__(self, current: str) -> None:
        super().__init__(classes="dialog-screen")
        self.current = current
        self._names: list[str] = []
        # A server row that is not its entry's model only says how to switch to it.
        self._hints: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -wide"):
            yield Label(f"Models (current: {self.current})", classes="dialog-title", markup=False)
            yield DataTable(id="models-table", cursor_type="row")
            yield Label("loading…", id="models-status", classes="dialog-hint")
            yield Input(placeholder="Pull a model: https://… URL, owner/repo/file.gguf or smollm2 — Enter",
                        id="models-pull")
            yield ProgressBar(id="models-progress", show_eta=True)

    async def on_mount(self) -> None:
        self.query_one("#models-progress", ProgressBar).display = False
        table = self.query_one("#models-table", DataTable)
        table.add_columns("name", "architecture", "quant", "context", "size", "status")
        await self._fill(table)
        table.focus()

    async def _fill(self, table: DataTable[object]) -> None:
        table.clear()
        self._names.clear()
        self._hints.clear()
        # Reading GGUF headers touches the disk; keep it off the event loop.
        models, problem = await asyncio.to_thread(_list_models)
        for info in models:
            self._names.append(info.name)
            status = Text(info.error, style="red") if info.error else Text("ok", style="green")
            table.add_row(
                info.name, info.architecture or "?", info.quantization or "?",
                f"{info.context_length:,}" if info.context_length else "?", _size(info.size_bytes), status,
            )
        servers = await self._add_server_rows(table)
        status_label = self.query_one("#models-status", Label)
        if problem:
            status_label.update(problem)
        elif not models and not servers:
            status_label.update("No local models found; see `glassbox models list`.")
        else:
            status_label.update("Enter selects (written to llm.model) · P pulls one · Escape closes")

    def action_focus_pull(self) -> None:
        self.query_one("#models-pull", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        reference = event.value.strip()
        if reference:
            # A worker: kept by the screen and cancelled with it (the .part file stays for a resume).
            self.run_worker(self._pull(reference), group="pull", exclusive=True, exit_on_error=False)

    async def _pull(self, reference: str) -> None:
        bar = self.query_one("#models-progress", ProgressBar)
        status = self.query_one("#models-status", Label)
        bar.display = True
        bar.update(total=None, progress=0)

        loop = asyncio.get_running_loop()

        def show(progress: DownloadProgress) -> None:
            bar.update(total=progress.total, progress=progress.received)

        def say(text: str) -> None:
            # The built-in model is fetched in a thread, which reports from there.
            loop.call_soon_threadsafe(status.update, text)

        try:
            path = await pull_reference(reference, progress=show, say=say)
        except GlassboxError as exc:
            status.update(Text(str(exc), style="red"))
            return
        await self._fill(self.query_one("#models-table", DataTable))
        status.update(f"Pulled {path.name}; Enter on its row uses it.")

    async def _add_server_rows(self, table: DataTable[object]) -> int:
        """One row per model each [models.NAME] server lists (its /v1/models); returns the count."""
        from engine.llm.server_api import list_all_server_models

        entries = await asyncio.to_thread(_server_entries)
        if not entries:
            return 0
        listed = await list_all_server_models(entries)
        rows = 0
        for entry_name, result in listed.items():
            entry = entries[entry_name]
            if not isinstance(result, list):
                self._names.append(entry_name)
                table.add_row(entry_name, "server", "-", "?", "-", Text(result.message, style="red"))
                rows += 1
                continue
            chosen = entry.model or (result[0] if result else "")
            for model_id in result:
                row = len(self._names)
                self._names.append(entry_name)
                if model_id != chosen:
                    self._hints[row] = (f'To use {model_id}, set model = "{model_id}" '
                                        f"in [models.{entry_name}] of config.toml.")
                status = Text("ok", style="green") if model_id == chosen else Text("listed", style="dim")
                table.add_row(f"{entry_name}: {model_id}", "server", "-", "?", "-", status)
                rows += 1
        return rows

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.cursor_row in self._hints:
            self.notify(self._hints[event.cursor_row])
            return
        if 0 <= event.cursor_row < len(self._names):
            self.dismiss(self._names[event.cursor_row])

    def action_close(self) -> None:
        self.dismiss(None)
