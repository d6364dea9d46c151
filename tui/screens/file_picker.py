"""The file picker for attachments: files under the start folder, filtered as you type; Enter picks."""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

MAX_FILES = 5000
"""Files listed at most (a start folder may be a whole home directory)."""
SHOWN = 200
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv",
                          ".mypy_cache", ".ruff_cache", ".pytest_cache", ".tox"})


def files_under(root: Path, limit: int = MAX_FILES) -> list[str]:
    """Relative paths of files under `root`, breadth first, without hidden or tool folders."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        base = Path(folder).relative_to(root)
        for name in sorted(files):
            if not name.startswith("."):
                found.append(str(base / name) if base != Path(".") else name)
                if len(found) >= limit:
                    return found
    return found


class FilePicker(ModalScreen[str | None]):
    """Choose a file to attach; returns its path relative to the start folder (None: cancelled)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker_cancel", tooltip="Close without attaching"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(self, root: Path) -> None:
        super().__init__(classes="dialog-screen")
        self.root = root
        self.files = files_under(root)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -wide"):
            yield Label(f"Attach a file from {self.root}", classes="dialog-title", markup=False)
            yield Input(placeholder="type to filter", id="picker-filter")
            yield OptionList(id="picker-files")
            yield Label("Enter attaches the highlighted file · Esc cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self._show("")
        self.query_one("#picker-filter").focus()

    def _show(self, text: str) -> None:
        words = text.lower().split()
        matches = [f for f in self.files if all(w in f.lower() for w in words)][:SHOWN]
        options = self.query_one("#picker-files", OptionList)
        options.clear_options()
        options.add_options([Option(path, id=path) for path in matches])
        options.highlighted = 0 if matches else None

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one("#picker-files", OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        options = self.query_one("#picker-files", OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + step) % options.option_count

    def action_cancel(self) -> None:
        self.dismiss(None)
