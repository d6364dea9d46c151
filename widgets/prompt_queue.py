"""PromptQueue: prompts sent while a run is going, listed above the input; edit (Enter) or drop (Del)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

PREVIEW_CHARS = 200


def preview(text: str) -> str:
    """One line of a prompt for the list: its lines joined, cut with … when long."""
    line = " ".join(text.split())
    return line if len(line) <= PREVIEW_CHARS else line[: PREVIEW_CHARS - 1] + "…"


class PromptQueue(OptionList):
    """The queued prompts in the order they will run; hidden while empty."""

    BINDINGS = [
        Binding("enter", "edit", "Edit", id="queue_edit",
                tooltip="Take the entry back into the input to edit it"),
        Binding("delete", "drop", "Drop", id="queue_drop", tooltip="Drop the entry"),
    ]

    DEFAULT_CSS = """
    PromptQueue {
        height: auto;
        max-height: 7;
        border: round $panel-lighten-2;
        border-title-color: $text-muted;
        padding: 0 1;
        &:focus {
            border: round $accent;
        }
    }
    """

    @dataclass
    class EditRequested(Message):
        """The user wants entry `index` back in the input."""

        index: int

    class Changed(Message):
        """Entries were added, taken or dropped."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[str] = []
        self.border_title = "Queued: runs next · Enter edits · Del drops"

    def on_mount(self) -> None:
        self.display = False

    @property
    def count(self) -> int:
        """How many prompts wait."""
        return len(self.entries)

    def add(self, text: str, at: int | None = None) -> None:
        """Queue a prompt at the end (or at position `at`)."""
        index = len(self.entries) if at is None else max(0, min(at, len(self.entries)))
        self.entries.insert(index, text)
        self._show(highlight=index)

    def pop_next(self) -> str | None:
        """The prompt to run next, taken out of the queue (None when empty)."""
        if not self.entries:
            return None
        text = self.entries.pop(0)
        self._show(highlight=0)
        return text

    def replace_all(self, entries: list[str]) -> list[str]:
        """Show another session's queue instead; returns the entries it had."""
        old, self.entries = self.entries, list(entries)
        self._show(highlight=0 if entries else None)
        return old

    def take(self, index: int) -> str:
        """Take entry `index` out of the queue."""
        text = self.entries.pop(index)
        self._show(highlight=min(index, len(self.entries) - 1))
        return text

    def _show(self, highlight: int | None) -> None:
        self.set_options([Option(f"{n}. {preview(text)}") for n, text in enumerate(self.entries, 1)])
        if self.entries and highlight is not None and highlight >= 0:
            self.highlighted = highlight
        self.display = bool(self.entries)
        self.border_subtitle = f"{len(self.entries)} waiting" if self.entries else ""
        self.post_message(self.Changed())

    def action_edit(self) -> None:
        if self.highlighted is not None and self.entries:
            self.post_message(self.EditRequested(self.highlighted))

    def action_drop(self) -> None:
        if self.highlighted is not None and self.entries:
            self.take(self.highlighted)
