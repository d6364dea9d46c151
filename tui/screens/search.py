"""The search screen: engine.search over every session; choosing a hit opens it at that message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

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
        self._hits = await self._searcher(text)
        results = self.query_one("#search-results", OptionList)
        results.clear_options()
        for index, hit in enumerate(self._hits):
            snippet = " ".join(hit.text.split())[:100]
            results.add_option(Option(f"[{hit.kind}] {snippet}", id=str(index)))
        self.query_one("#search-status", Label).update(
            f"{len(self._hits)} result(s); Enter opens the session at that message"
        )
        if self._hits:
            results.highlighted = 0
            results.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._hits[int(event.option.id or 0)])

    def action_close(self) -> None:
        self.dismiss(None)
