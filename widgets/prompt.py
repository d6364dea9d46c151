"""PromptInput: multi-line input where Enter sends, Shift+Enter/Ctrl+J add a line, Up/Down recall."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.widgets import TextArea


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

    async def _on_key(self, event: events.Key) -> None:
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

    def restore(self, text: str) -> None:
        """Put back a prompt that was not sent, unless something new was typed meanwhile."""
        if not self.text:
            self._show(text)

    def _show(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)
