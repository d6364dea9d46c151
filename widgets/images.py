"""Pictures of PNG/JPEG artifacts: textual-image widgets (kitty, sixel or half-blocks), loaded late."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

if TYPE_CHECKING:
    from engine.events import Artifact

IMAGE_MIMES = frozenset({"image/png", "image/jpeg"})
MODES = ("kitty", "sixel", "halfblock")
THUMBNAIL_PX = 640
"""Tiles get a copy scaled down to this many pixels at most: half-blocks re-scale on every paint."""


def is_image(artifact: Artifact) -> bool:
    """Whether the pane shows this artifact as a picture."""
    return artifact.mime in IMAGE_MIMES


class _NotATerminal:
    def isatty(self) -> bool:
        return False

    def __bool__(self) -> bool:
        return True


_LOADING = threading.Lock()


def load_textual_image(cell_size: tuple[int, int] | None = None) -> None:
    """Import textual-image (PIL and numpy: some 300 ms, so not on the start-up path) without its
    import-time terminal queries, which would race Textual for stdin: the app asks the terminal
    itself before Textual starts (tui.graphics) and hands over the cell size it found."""
    with _LOADING:
        if "textual_image.widget" not in sys.modules:
            _load(cell_size)


def _load(cell_size: tuple[int, int] | None) -> None:
    import textual_image._terminal as terminal

    if not hasattr(terminal.get_cell_size, "_result"):
        terminal.get_cell_size._result = terminal.CellSize(*(cell_size or (10, 20)))  # type: ignore[attr-defined]
    real = sys.__stdout__
    sys.__stdout__ = _NotATerminal()  # type: ignore[assignment]
    try:
        import textual_image.widget  # noqa: F401
    finally:
        sys.__stdout__ = real


def image_class(mode: str) -> type[Widget]:
    """The textual-image widget for a mode: kitty (terminal graphics protocol), sixel or halfblock."""
    load_textual_image()
    import textual_image.widget as images

    classes: dict[str, type[Widget]] = {"kitty": images.TGPImage, "sixel": images.SixelImage,
                                        "halfblock": images.HalfcellImage}
    return classes.get(mode, images.HalfcellImage)


def open_picture(path: str, max_px: int | None = None) -> Any:
    """The image as a PIL image (scaled down to `max_px` if given); raises ValueError with a reason."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as opened:
            opened.load()
            picture = opened.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValueError("not a readable PNG/JPEG") from exc
    if max_px is not None:
        picture.thumbnail((max_px, max_px))
    return picture


class ImageTile(Vertical, can_focus=True):
    """One picture and its name; Enter (or v) asks for it full size."""

    BINDINGS = [Binding("enter,v", "open", "Full size", tooltip="Open the picture full size")]
    DEFAULT_CSS = """
    ImageTile {
        width: auto;
        height: 100%;
        margin: 0 1 0 0;
        &:focus { background-tint: $foreground 10%; }
        & > .picture { width: auto; height: 1fr; }
        & > .caption { width: auto; height: 1; color: $text-muted; }
    }
    """

    @dataclass
    class Opened(Message):
        """The user asked to see a picture full size."""

        artifact: Artifact

    def __init__(self, artifact: Artifact, mode: str, picture: Any) -> None:
        """`picture`: the image as open_picture() gave it."""
        super().__init__()
        self.artifact = artifact
        self.mode = mode
        self.picture = picture

    def compose(self) -> ComposeResult:
        yield image_class(self.mode)(self.picture, classes="picture")
        yield Static(f"{self.artifact.name} · Enter: full size", classes="caption", markup=False)

    def action_open(self) -> None:
        self.post_message(self.Opened(self.artifact))
