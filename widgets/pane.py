"""The titled, maximisable container every dashboard pane is built on."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.compose import compose
from textual.containers import Vertical


class Pane(Vertical):
    """A bordered dashboard pane with a title; the screen can maximise it.

    A lazy pane is an empty titled box until fill() mounts its body (compose_body), so the
    dashboard's first frame does not wait for panes that have nothing to show yet.
    """

    ALLOW_MAXIMIZE = True

    def __init__(self, title: str, *, id: str, lazy: bool = False) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = title
        self.pane_title = title
        self.filled = not lazy
        """Whether the body is mounted (always, unless the pane is lazy and fill() is still to come)."""

    def compose(self) -> ComposeResult:
        if self.filled:
            yield from self.compose_body()

    def compose_body(self) -> ComposeResult:
        """The pane's widgets."""
        yield from ()

    def on_mount(self) -> None:
        if self.filled:
            self.body_mounted()

    def body_mounted(self) -> None:
        """Called once, when the body is mounted."""

    async def fill(self) -> None:
        """Mount a lazy pane's body (once)."""
        if self.filled:
            return
        self.filled = True
        await self.mount_all(compose(self))
        self.body_mounted()

    def focus_first(self) -> None:
        """Focus the pane's main focusable widget."""
        for widget in self.query("*"):
            if widget.focusable:
                widget.focus()
                return
