"""PromptInput: multi-line input where Enter sends, Shift+Enter/Ctrl+J add a line, Up/Down recall."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.widgets import TextArea

from widgets.path_complete import Completer, PathCompletions, mention_at, mention_text


class PromptInput(TextArea):
    """The chat input. Posts `Submitted` on Enter; keeps a history of sent prompts."""

    @dataclass
    class Submitted(Message):
        """The user sent a prompt."""

        text: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        self.prompt_history: list[str] = []
        self._recall_index: int | None = None
        self._draft = ""
        self.completer: Completer | None = None
        """Lists paths for an @mention (set by the app: the folder Glassbox was started in)."""
        self._completions: PathCompletions | None = None
        self._picked = False

    async def _on_key(self, event: events.Key) -> None:
        if self._completion_key(event):
            event.stop()
            event.prevent_default()
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self._submit()
            return
        if event.key in ("shift+enter", "ctrl+j"):
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self._replace_via_keyboard("\n", start, end)
            return
        await super()._on_key(event)

    def _submit(self) -> None:
        text = self.text.strip()
        if not text:
            return
        if not self.prompt_history or self.prompt_history[-1] != text:
            self.prompt_history.append(text)
        self._recall_index = None
        self._draft = ""
        self.clear()
        self.post_message(self.Submitted(text))

    def action_cursor_up(self, select: bool = False) -> None:
        # Recall only from the first line, so moving inside a multi-line draft still works.
        if not select and self.cursor_location[0] == 0 and self.prompt_history:
            if self._recall_index is None:
                self._draft = self.text
                self._recall_index = len(self.prompt_history)
            if self._recall_index > 0:
                self._recall_index -= 1
                self._show(self.prompt_history[self._recall_index])
            return
        super().action_cursor_up(select)

    def action_cursor_down(self, select: bool = False) -> None:
        last_row = self.document.line_count - 1
        if not select and self._recall_index is not None and self.cursor_location[0] == last_row:
            self._recall_index += 1
            if self._recall_index >= len(self.prompt_history):
                self._recall_index = None
                self._show(self._draft)
            else:
                self._show(self.prompt_history[self._recall_index])
            return
        super().action_cursor_down(select)

    # -- @path completion ------------------------------------------------------------------

    @property
    def completions(self) -> PathCompletions:
        """The list of paths for the @mention at the cursor (mounted above the prompt on first use)."""
        if self._completions is None:
            self._completions = PathCompletions()
            assert self.parent is not None
            self.parent.mount(self._completions, before=self)
        return self._completions

    def _completion_key(self, event: events.Key) -> bool:
        """Tab completes, Up/Down choose, Esc closes, Enter takes a chosen path; True if handled."""
        shown = self._completions is not None and self._completions.display
        if not (shown or event.key == "tab") or event.key not in ("tab", "enter", "up", "down", "escape"):
            return False
        # Keys typed fast arrive before the Changed message of the text they typed: list afresh.
        self._refresh_completions()
        if self._completions is None or not self._completions.display:
            return False
        completions = self.completions
        if event.key == "tab" or (event.key == "enter" and self._picked):
            self.accept_completion()
        elif event.key in ("down", "up"):
            count = len(completions.paths)
            current = completions.highlighted or 0
            completions.highlighted = (current + (1 if event.key == "down" else -1)) % count
            self._picked = True
        elif event.key == "escape":
            completions.hide()
        else:
            return False
        return True

    def accept_completion(self) -> None:
        """Put the highlighted path in place of the @mention being typed."""
        choice = self.completions.choice
        row, column = self.cursor_location
        mention = mention_at(self.document.get_line(row), column)
        if choice is None or mention is None:
            return
        start = mention[0]
        ending = "" if choice.endswith("/") else " "
        self.replace(f"@{mention_text(choice)}{ending}", (row, start), (row, column))
        self._picked = False
        if not ending:
            self.completions.hide()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._refresh_completions()

    def on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        self._refresh_completions()

    def _refresh_completions(self) -> None:
        if self.completer is None or not self.is_mounted:
            return
        row, column = self.cursor_location
        mention = mention_at(self.document.get_line(row), column) if self.selection.is_empty else None
        if mention is None:
            if self._completions is not None:
                self._completions.hide()
            return
        paths = self.completer(mention[1])
        if self._completions is None and not paths:
            return
        if paths != self.completions.paths:
            self._picked = False
            self.completions.show(paths)
        elif not paths:
            self.completions.hide()

    def restore(self, text: str) -> None:
        """Put back a prompt that was not sent, unless something new was typed meanwhile."""
        if not self.text:
            self._show(text)

    def _show(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)
