"""The titled, maximisable container every dashboard pane is built on."""

from __future__ import annotations

from textual.containers import Vertical


class Pane(Vertical):
    """A bordered dashboard pane with a title; the screen can maximise it."""

    ALLOW_MAXIMIZE = True

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = title
        self.pane_title = title

    def focus_first(self) -> None:
        """Focus the pane's main focusable widget."""
        for widget in self.query("*"):
            if widget.focusable:
                widget.focus()
                return
