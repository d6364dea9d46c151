"""OutputLog: a line-virtualised, wrapped, capped log that paints only the rows in view."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Iterable
from itertools import islice

from rich.cells import cell_len
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
ERROR_STYLE = Style(color="red")


def clean_line(line: str) -> str:
    """A line as a terminal would leave it: tabs expanded, only what follows the last carriage
    return (a progress bar's final state), other control characters made visible."""
    if line.isprintable():
        return line
    line = line.rstrip("\r")
    if "\r" in line:
        line = line[line.rindex("\r") + 1 :]
    return _CONTROL.sub("\ufffd", line.expandtabs())


def _cells(line: str) -> int:
    return len(line) if line.isascii() else cell_len(line)


class OutputLog(ScrollView, can_focus=True):
    """Program output as lines, wrapped at the view's width.

    Memory is bounded by `max_chars` (the oldest lines go first); time per frame by the height of
    the view, as only the rows in view are painted (the idea of toolong's LogLines). Each line's
    first row is kept in an array, so finding the line of a row is a bisection, however many
    lines there are."""

    ALLOW_SELECT = True
    DEFAULT_CSS = """
    OutputLog {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: scroll;
        &:focus {
            background-tint: $foreground 5%;
        }
    }
    """

    def __init__(self, *, max_chars: int = 4_000_000, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.max_chars = max_chars
        """The text kept at most; beyond it the oldest lines are dropped."""
        self._lines: list[str] = []
        self._errors = bytearray()
        """1 for each kept line that came from stderr."""
        self._starts = array("q")
        """The first row of each kept line, counted from the first row ever written."""
        self._end_row = 0
        """The row after the last kept line."""
        self._cells = array("l")
        self._chars = 0
        self._widest = 0
        self._wrap_width = 0
        self.dropped = 0
        """Lines dropped from the start to stay within max_chars."""
        self.written = 0
        """Lines written since the last clear (kept or dropped)."""
        self._strips: LRUCache[int, Strip] = LRUCache(1024)
        self._geometry: tuple[Size, Size, Size] | None = None
        self._prelude_source: RenderableType | None = None
        self._prelude: list[Strip] = []
        """Rows above the first line (the Execution pane puts the code there), scrolled with them."""
        self.stick_to_end = False
        """Keep the end in view when the view's size changes, until the reader scrolls up."""

    @property
    def lines(self) -> list[str]:
        """The kept lines, oldest first (read only)."""
        return self._lines

    @property
    def line_count(self) -> int:
        """How many lines are kept."""
        return len(self._lines)

    def is_error(self, index: int) -> bool:
        """Whether kept line `index` came from stderr."""
        return bool(self._errors[index])

    def _width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    def _rows(self, cells: int) -> int:
        width = self._wrap_width
        return 1 if cells <= width else -(-cells // width)

    def write_lines(self, lines: Iterable[str], error: bool = False) -> None:
        """Append whole lines; the view follows them if it was at the end."""
        follow = self.is_vertical_scroll_end or self.max_scroll_y == 0
        if not self._wrap_width:
            self._wrap_width = self._width()
        batch = lines if isinstance(lines, list) else list(lines)
        if not batch:
            return
        added = len(batch)
        end = self._end_row
        sample = "".join(batch)
        if sample.isascii() and sample.isprintable():
            # Plain ASCII (the usual flood): no cleaning, cells are characters, and the lines are
            # taken as a whole with C loops instead of one Python step per line.
            cells = array("l", map(len, batch))
            widest = max(cells)
            self._lines.extend(batch)
            self._chars += len(sample)
            self._cells.extend(cells)
            if widest <= self._wrap_width:
                self._starts.extend(range(end, end + added))
                end += added
            else:
                for count in cells:
                    self._starts.append(end)
                    end += self._rows(count)
        else:
            lines_, starts, cells_, rows = self._lines, self._starts, self._cells, self._rows
            widest = 0
            for raw in batch:
                line = clean_line(raw)
                count = _cells(line)
                lines_.append(line)
                starts.append(end)
                cells_.append(count)
                end += rows(count)
                self._chars += len(line)
                widest = max(widest, count)
        self._widest = max(self._widest, widest)
        self._end_row = end
        self._errors.extend(b"\x01" * added if error else bytes(added))
        self.written += added
        if self._chars > self.max_chars:
            self._drop_oldest()
        self._resize_virtual(follow)

    def _drop_oldest(self) -> None:
        # Down to 90% of the cap at once, so dropping (which moves the arrays) is rare.
        lines = self._lines
        excess = self._chars - self.max_chars * 9 // 10
        # As many lines as hold `excess` characters on average, counted in C, then topped up one by
        # one if they hold fewer: no Python step per dropped line.
        count = min(len(lines) - 1, excess * len(lines) // max(1, self._chars) + 1)
        removed = sum(map(len, islice(lines, count)))
        while removed < excess and count < len(lines) - 1:
            removed += len(lines[count])
            count += 1
        if count <= 0:
            return
        chars = self._chars - removed
        rows = self._starts[count] - self._starts[0]
        del self._lines[:count]
        del self._errors[:count]
        del self._starts[:count]
        del self._cells[:count]
        self._chars = chars
        self.dropped += count
        self._strips.clear()
        if not self.is_vertical_scroll_end:
            # The reader stays on the same text as lines above it go.
            self.scroll_to(y=max(0, self.scroll_y - rows), animate=False, immediate=True)

    def set_prelude(self, renderable: RenderableType | None) -> None:
        """Show a Rich renderable (wrapped at the view's width) above the lines, in the same scroll;
        None removes it."""
        self._prelude_source = renderable
        if not self._wrap_width:
            self._wrap_width = self._width()
        self._render_prelude()
        self._resize_virtual(self.is_vertical_scroll_end or self.max_scroll_y == 0)

    def _render_prelude(self) -> None:
        if self._prelude_source is None or not self.is_attached:
            self._prelude = []
            return
        console = self.app.console
        options = console.options.update_width(self._wrap_width)
        lines = console.render_lines(self._prelude_source, options, style=self.rich_style, pad=True)
        self._prelude = [Strip(line, self._wrap_width) for line in lines]

    @property
    def prelude_rows(self) -> int:
        """How many rows the prelude takes at the current width."""
        return len(self._prelude)

    def _resize_virtual(self, follow: bool) -> None:
        first = self._starts[0] if self._starts else 0
        size = Size(self._wrap_width, len(self._prelude) + self._end_row - first)
        if size != self.virtual_size:
            # Set without the layout of the whole screen that Widget.virtual_size asks for: the log's
            # own size comes from the pane, not from its lines; only its scrollbar changes.
            self.set_reactive(OutputLog.virtual_size, size)
            self._scroll_update(size)
        if follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    def clear(self) -> None:
        """Forget every line (the prelude stays)."""
        self._lines.clear()
        self._errors.clear()
        del self._starts[:]
        del self._cells[:]
        self._end_row = self._chars = self._widest = 0
        self.dropped = self.written = 0
        self._strips.clear()
        self.virtual_size = Size(self._wrap_width, len(self._prelude))
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # ScrollView repaints its scrollbar on every layout of the screen (its container size never
        # equals the one it is given), and that stretch of the pane's edge made every frame of the
        # chat's streaming repaint the whole width of the screen. Nothing changed: nothing to do.
        geometry = (size, self.virtual_size, container_size)
        if geometry == self._geometry:
            return False
        self._geometry = geometry
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        if self.stick_to_end:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        return changed

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        if new_value < old_value:
            self.stick_to_end = False
        super().watch_scroll_y(old_value, new_value)

    def show_end(self) -> None:
        """Scroll to the last line and keep it in view while the layout settles."""
        self.stick_to_end = True
        self.scroll_end(animate=False, immediate=True, x_axis=False)

    def on_resize(self) -> None:
        width = self._width()
        if width == self._wrap_width:
            return
        self._wrap_width = width
        # Where the lines start depends on the width: counted again (one pass, only on a resize).
        follow = self.is_vertical_scroll_end
        top_line = self._line_at(round(self.scroll_y) - len(self._prelude))
        row = self._starts[0] if self._starts else 0
        if self._widest <= width:
            self._starts = array("q", range(row, row + len(self._lines)))
            row += len(self._lines)
        else:
            starts = array("q")
            rows = self._rows
            for cells in self._cells:
                starts.append(row)
                row += rows(cells)
            self._starts = starts
        self._end_row = row
        self._strips.clear()
        self._render_prelude()
        self._resize_virtual(follow)
        if not follow and top_line is not None:
            self.scroll_to(y=len(self._prelude) + self._starts[top_line] - self._starts[0], animate=False,
                           immediate=True)

    def _line_at(self, row: int) -> int | None:
        """The index of the kept line that row `row` of the lines (the prelude not counted) belongs to."""
        if not self._starts or row < 0:
            return None
        index = bisect_right(self._starts, self._starts[0] + row) - 1
        return index if 0 <= index < len(self._lines) else None

    def _line_strip(self, index: int) -> Strip:
        key = self.dropped + index
        strip = self._strips.get(key)
        if strip is not None:
            return strip
        line = self._lines[index]
        style = self.rich_style + ERROR_STYLE if self._errors[index] else self.rich_style
        strip = Strip([Segment(line, style)], self._cells[index])
        self._strips[key] = strip
        return strip

    def _selected_strip(self, index: int, selection: Selection) -> Strip | None:
        span = selection.get_span(index)
        if span is None:
            return None
        line = self._lines[index]
        start, end = span
        end = len(line) if end == -1 else end
        style = self.rich_style + ERROR_STYLE if self._errors[index] else self.rich_style
        selected = style + self.screen.get_component_rich_style("screen--selection")
        segments = [Segment(line[:start], style), Segment(line[start:end], selected),
                    Segment(line[end:], style)]
        return Strip([s for s in segments if s.text], self._cells[index])

    def render_line(self, y: int) -> Strip:
        width = self._wrap_width
        row = round(self.scroll_y) + y
        if row < len(self._prelude):
            return self._prelude[row]
        row -= len(self._prelude)
        index = self._line_at(row)
        if index is None:
            return Strip.blank(width, self.rich_style)
        piece = self._starts[0] + row - self._starts[index]
        if piece >= self._rows(self._cells[index]):
            return Strip.blank(width, self.rich_style)
        start = piece * width
        line = self._lines[index]
        selection = self.text_selection
        if selection is None and line.isascii():
            # The common case, one segment per row: cells are characters.
            base = self.rich_style
            text = line[start : start + width]
            if self._errors[index]:
                segments = [Segment(text, base + ERROR_STYLE), Segment(" " * (width - len(text)), base)]
            else:
                segments = [Segment(text.ljust(width), base)]
            return Strip(segments, width).apply_offsets(start, index)
        strip = (self._selected_strip(index, selection) if selection is not None else None) \
            or self._line_strip(index)
        # Cells of a wrapped line count as characters (exact for ASCII output, close otherwise).
        return strip.crop_extend(start, start + width, self.rich_style).apply_offsets(start, index)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text (lines joined by newlines)."""
        return selection.extract("\n".join(self._lines)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        if self._prelude_source is not None:
            self._render_prelude()
