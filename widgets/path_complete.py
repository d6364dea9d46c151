"""`@path` completion for the prompt: the mention under the cursor and the list of matching paths."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import OptionList
from textual.widgets.option_list import Option

Completer = Callable[[str], list[str]]
"""Paths (folders ending in '/') that complete a prefix."""


def mention_at(line: str, column: int) -> tuple[int, str] | None:
    """(column of the '@', the path typed after it) when the cursor ends an @mention."""
    before = line[:column]
    if before.count('"') % 2 == 1:  # inside @"a quoted path
        start = before.rfind('@"')
        if start >= 0 and (start == 0 or before[start - 1].isspace()):
            return start, before[start + 2:]
        return None
    start = max(before.rfind(" "), before.rfind("\t")) + 1
    token = before[start:]
    if token.startswith("@") and '"' not in token:
        return start, token[1:]
    return None


def mention_text(path: str) -> str:
    """How a completed path is written after '@' (quoted when it holds a space)."""
    return f'"{path}"' if " " in path else path


class PathCompletions(OptionList, can_focus=False):
    """Matching paths under the prompt's @mention; the prompt moves the highlight and accepts."""

    DEFAULT_CSS = """
    PathCompletions {
        height: auto;
        max-height: 8;
        border: round $accent;
        border-title-color: $text-accent;
        display: none;
    }
    """

    def __init__(self) -> None:
        super().__init__(id="path-completions")
        self.border_title = "@ attach a file · Tab completes · Esc closes"
        self.paths: list[str] = []

    def show(self, paths: list[str]) -> None:
        """List these paths (hidden when there are none)."""
        self.paths = paths
        self.clear_options()
        self.add_options([Option(path, id=str(i)) for i, path in enumerate(paths)])
        self.highlighted = 0 if paths else None
        self.display = bool(paths)

    def hide(self) -> None:
        """Close the list."""
        self.paths = []
        self.display = False

    @property
    def choice(self) -> str | None:
        """The highlighted path."""
        index = self.highlighted
        return self.paths[index] if index is not None and 0 <= index < len(self.paths) else None
