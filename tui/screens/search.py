"""The search screen: engine.search over every session; choosing a hit opens it at that message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from engine.service import SearchHit

Searcher = Callable[[str], Awaitable[list[SearchHit]]]


class SearchScreen(ModalScreen[SearchHit | None]):
    """Type, press Enter, pick a result."""

    BINDINGS = [Binding("escape", "close", "Close", id="search_close", tooltip="Close search")]

    def __init__(self, searcher: Searcher) -> None:
        super().__init__(classes="dialog-screen")
        self._searcher = searcher
        self._hits: list[SearchHit] = []
        self._searched = ""
        """The text the results shown are for: Enter on it again opens the highlighted result."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -wide"):
            yield Label("Search all sessions", classes="dialog-title")
            yield Input(placeholder="text to find, then Enter", id="search-input")
            yield OptionList(id="search-results")
            yield Label("", id="search-status", classes="dialog-hint")

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            return
        if text == self._searched and self._hits:
            self._open_highlighted()
            return
        self._searched = text
        self._hits = await self._searcher(text)
        results = self.query_one("#search-results", OptionList)
        results.clear_options()
        for index, hit in enumerate(self._hits):
            snippet = " ".join(hit.text.split())[:100]
            results.add_option(Option(f"[{hit.kind}] {snippet}", id=str(index)))
        self.query_one("#search-status", Label).update(
            f"{len(self._hits)} result(s); ↑/↓ pick, Enter opens the session at that message"
        )
        if self._hits:
            results.highlighted = 0
            results.focus()

    def on_key(self, event: events.Key) -> None:
        # Up/Down in the text box move the results' highlight, so a result is picked without Tab.
        results = self.query_one("#search-results", OptionList)
        if event.key in ("down", "up") and not results.has_focus and results.option_count:
            event.stop()
            if event.key == "down":
                results.action_cursor_down()
            else:
                results.action_cursor_up()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.value.strip() != self._searched:
            self.query_one("#search-status", Label).update("Enter searches")

    def _open_highlighted(self) -> None:
        results = self.query_one("#search-results", OptionList)
        index = results.highlighted if results.highlighted is not None else 0
        if 0 <= index < len(self._hits):
            self.dismiss(self._hits[index])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._hits[int(event.option.id or 0)])

    def action_close(self) -> None:
        self.dismiss(None)
