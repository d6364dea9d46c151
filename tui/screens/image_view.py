"""A picture artifact full size: as large as the terminal allows, its name, size and path; Escape closes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from widgets.execution import human_bytes
from widgets.images import image_class, open_picture

if TYPE_CHECKING:
    from engine.events import Artifact


class ImageScreen(Screen[None]):
    """One picture, scaled to fit the screen with its aspect kept."""

    BINDINGS = [Binding("escape,q,v", "close", "Close", id="image_close", tooltip="Close the picture")]
    DEFAULT_CSS = """
    ImageScreen {
        align: center middle;
        & > #image-full { width: auto; height: 1fr; }
        & > #image-title { width: 100%; height: 1; background: $panel; }
        & > #image-error { width: auto; height: auto; color: $text-error; }
    }
    """

    def __init__(self, artifact: Artifact, mode: str) -> None:
        super().__init__()
        self.artifact = artifact
        self.mode = mode

    def compose(self) -> ComposeResult:
        artifact = self.artifact
        yield Static(f" {artifact.name} · {human_bytes(artifact.size)} · {artifact.path} · Esc closes",
                     id="image-title", markup=False)
        try:
            picture = open_picture(artifact.path)
        except ValueError as exc:
            yield Static(f"{artifact.name} cannot be shown: {exc}.", id="image-error", markup=False)
        else:
            yield image_class(self.mode)(picture, id="image-full")

    def action_close(self) -> None:
        self.dismiss(None)
