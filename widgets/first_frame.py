"""The rows of a session's newest messages, saved at quit so the next launch draws them without Markdown."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from rich.segment import Segment
from rich.style import Style

from widgets.message import ChatItem

FORMAT = 1
"""Bumped when what a saved row means changes: a file of another format is ignored."""

SCROLLBAR_SLACK = 2
"""A launch's first layout may be a vertical scrollbar wider than the quit's (the log's content not
yet taller than the view): a saved height stands in at a width this close."""

Row = list[tuple[str, str]]
"""One row as (text, style) pairs; the style as Rich writes it ("bold #e0e0e0 on #1e1e1e")."""


def beside(database: Path) -> Path:
    """Where the rows of the sessions in `database` are saved (one file per database)."""
    return database.with_suffix(".first-frame.json")


def item_key(item: ChatItem) -> str:
    """Everything a message's rows depend on, besides width and theme: a message edited, marked or
    moved to another branch since it was saved is drawn afresh."""
    fields = (item.message_id, item.role, item.text, item.incomplete, item.cached, item.branch)
    return hashlib.blake2b(repr(fields).encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class SavedRows:
    """Rows drawn at one width and theme, by message (item_key)."""

    width: int
    theme: str
    rows: dict[str, list[Row]] = field(default_factory=dict)

    def height_of(self, item: ChatItem, width: int, theme: str) -> int | None:
        """How many rows `item` was saved with, if at this theme and within a scrollbar of `width`."""
        rows = self._rows_of(item, theme, abs(width - self.width) <= SCROLLBAR_SLACK)
        return None if rows is None else len(rows)

    def lines_of(self, item: ChatItem, width: int, theme: str) -> list[list[Segment]] | None:
        """The saved rows of `item` as segments, if they were drawn at this width and theme."""
        rows = self._rows_of(item, theme, width == self.width)
        if rows is None:
            return None
        return [[Segment(text, Style.parse(style) if style else None) for text, style in row] for row in rows]

    def _rows_of(self, item: ChatItem, theme: str, width_fits: bool) -> list[Row] | None:
        return self.rows.get(item_key(item)) if width_fits and theme == self.theme else None


def rows_of(lines: list[list[Segment]]) -> list[Row]:
    """Segments as saved: text and style only (HistoryLines draws no control codes or links' ids)."""
    return [[(segment.text, str(segment.style) if segment.style else "") for segment in line]
            for line in lines]


def load(path: Path) -> SavedRows | None:
    """The saved rows, or None if there are none or the file is not ours to read: it is a cache, so a
    damaged one only means the first frame draws as it would without it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        rows = {str(key): [[(str(text), str(style)) for text, style in row] for row in value]
                for key, value in data["rows"].items()}
        return SavedRows(int(data["width"]), str(data["theme"]), rows)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def save(path: Path, saved: SavedRows) -> None:
    """Write the rows (whole or not at all: a partial file would be ignored, not misread)."""
    data = {"format": FORMAT, "width": saved.width, "theme": saved.theme, "rows": saved.rows}
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()


def forget(path: Path) -> None:
    """Remove the saved rows (no session on screen at quit)."""
    with contextlib.suppress(OSError):
        path.unlink()
