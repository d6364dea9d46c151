"""Whole-cell scrollbars: a thumb drawn in full cells, without the partial block glyphs at its ends."""

from __future__ import annotations

from typing import ClassVar

from textual.scrollbar import ScrollBar, ScrollBarRender


class WholeCellScrollBarRender(ScrollBarRender):
    """Textual draws a thumb's ends with eighth-block glyphs (▂ ▆ ▏) for smoothness; in a pane of
    text they read as stray cursor blocks, so here the thumb snaps to whole cells."""

    VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8
    HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8


def use_whole_cell_scrollbars() -> None:
    """Draw every scrollbar of the process with whole cells."""
    ScrollBar.renderer = WholeCellScrollBarRender
