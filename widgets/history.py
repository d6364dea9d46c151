"""HistoryLines: the older messages of a long session as one widget that paints only the rows in view."""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from itertools import accumulate

from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.segment import Segment
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Size
from textual.selection import Selection
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from widgets.first_frame import SavedRows
from widgets.message import ChatItem, badges, branch_mark

_FENCE = re.compile(r"^(\s*)(```+|~~~+)[ \t]*[^\s`][^\n`]*$", re.MULTILINE)
"""An opening fence with its language; a closing fence has none (rewritten, it would open another)."""


class HistoryLines(Widget):
    """Messages above the newest ones (which stay widgets), kept as their text only.

    A message is drawn (Rich's Markdown, as lines) when it comes into view and kept in a small
    cache; its height is known once it has been drawn and estimated from its text until then.
    Drawing runs in slices between frames, nearest the view first, so heights settle while the
    reader scrolls; a height that changes above the view moves the view by as much. Memory holds the
    texts, one height per message and the cache, not a widget tree per message."""

    ALLOW_SELECT = True
    COMPONENT_CLASSES = {"history--header", "history--user-header", "history--user-body", "history--marked",
                         "history--highlight"}
    DEFAULT_CSS = """
    HistoryLines {
        height: auto;
        width: 1fr;
    }
    HistoryLines > .history--header { text-style: bold; color: $text-muted; }
    HistoryLines > .history--user-header { text-style: bold; color: $accent; }
    HistoryLines > .history--user-body { background: $boost; }
    HistoryLines > .history--marked { text-style: bold; color: $warning; }
    HistoryLines > .history--highlight { background: $accent 15%; }
    """

    SLICE_S = 0.004
    """Drawing ahead runs at most this long between two frames (plus the message it is drawing): a
    key pressed meanwhile waits for it."""
    STILL_S = 0.05
    """Nothing is drawn ahead until the view has kept still this long (a key every 0.1 s leaves
    room between keys)."""
    SETTLE_S = 0.3
    """Heights found by drawing ahead are applied at most this often, and only once the view has
    kept still this long: each change of this widget's height lays the whole log out again, and a
    frame of its own would delay the next key's."""

    def __init__(self, items: list[ChatItem], *, fit_end: bool = False, saved: SavedRows | None = None,
                 id: str | None = "chat-history") -> None:
        super().__init__(id=id)
        self._saved = saved
        """Rows the last quit saved (widgets.first_frame): a launch draws those messages from them."""
        self._fit_end = fit_end
        """Draw the newest messages at the width of the first layout, before the first paint (see
        get_content_height): a launch's first frame, anchored at the end, then shows them where
        they are, not where their estimated heights put them."""
        self.items: list[ChatItem] = list(items)
        self._width = 0
        self._heights: list[int] = [self._estimate(item) for item in self.items]
        self._measured: list[bool] = [False] * len(self.items)
        self._starts: list[int] = [0, *accumulate(self._heights)]
        self._lines: LRUCache[int, list[Strip]] = LRUCache(64)
        self._timer: Timer | None = None
        self._plain: set[int] = set()
        """Messages drawn with their code not highlighted yet (drawn in a frame: 3x faster)."""
        self._pending: dict[int, int] = {}
        """Heights drawn ahead and not applied yet (index -> rows)."""
        self._settled_at = 0.0
        self._last_top = -1
        self._moved_at = 0.0
        self.highlighted: str | None = None
        """The message id drawn highlighted (scroll_to_message)."""

    # -- geometry -----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._timer = self.set_interval(0.012, self._measure_some, pause=True)
        if not self._fit_end:
            self._relayout(0)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # Only asked while the height is auto, i.e. with fit_end until the first _relayout().
        if width and width != self._width:
            self._fit(width, container.height or viewport.height)
        return self._starts[-1]

    def _fit(self, width: int, rows: int) -> None:
        """At a new width: the newest messages drawn (plain) until they fill `rows`, the others estimated."""
        self._width = width
        self._lines.clear()
        self._plain.clear()
        self._heights = [self._estimate(item) for item in self.items]
        self._measured = [False] * len(self.items)
        filled = 0
        for index in reversed(range(len(self.items))):
            saved = self._saved.height_of(self.items[index], width, self.app.theme) if self._saved else None
            # Saved a scrollbar's width narrower (or wider): its height stands in until the layout
            # settles at the saved width, without Markdown drawing it at this one.
            if saved is None:
                saved = len(self._draw(index, settle=False, plain=True))
            self._heights[index] = saved
            filled += self._heights[index]
            if filled >= rows:
                break
        self._starts = [0, *accumulate(self._heights)]
        if self._timer is not None:
            self._timer.resume()

    def take_newest(self, count: int) -> list[ChatItem]:
        """Remove the newest `count` messages (to be shown as widgets) and return them."""
        keep = max(0, len(self.items) - count)
        taken = self.items[keep:]
        for index in range(keep, len(self.items)):
            self._lines.discard(index)
            self._pending.pop(index, None)
        self._plain = {index for index in self._plain if index < keep}
        del self.items[keep:], self._heights[keep:], self._measured[keep:]
        self._relayout(0)
        return taken

    def newest_filling(self, rows: int) -> int:
        """How many of the newest messages it takes to fill `rows` (all of them if they do not)."""
        filled = count = 0
        for height in reversed(self._heights):
            filled += height
            count += 1
            if filled >= rows:
                break
        return count

    def on_resize(self) -> None:
        width = self.size.width
        if width and width != self._width:
            self._width = width
            self._lines.clear()
            self._plain.clear()
            # Heights drawn at the old width stay as estimates until drawn again.
            self._measured = [False] * len(self.items)
            self._relayout(0)

    def _estimate(self, item: ChatItem) -> int:
        width = max(10, (self._width or 80) - 2)
        body = sum(-(-max(1, len(line)) // width) for line in item.text.splitlines() or [""])
        return 2 + body + (2 * item.text.count("```") // 2) + (item.role != "user")

    def _relayout(self, shift_above: int) -> None:
        self._settled_at = time.perf_counter()
        self._starts = [0, *accumulate(self._heights)]
        self.styles.height = self._starts[-1]
        if shift_above:
            log = self.parent
            if isinstance(log, Widget):
                log.scroll_to(y=log.scroll_y + shift_above, animate=False, immediate=True)
        if self._timer is not None and not all(self._measured):
            self._timer.resume()

    @property
    def total_rows(self) -> int:
        """The height of all the messages (some estimated)."""
        return self._starts[-1]

    def row_of(self, message_id: str) -> int | None:
        """The first row of a message, or None if it is not here."""
        for index, item in enumerate(self.items):
            if item.message_id == message_id:
                return self._starts[index]
        return None

    def append(self, items: list[ChatItem]) -> None:
        """Add messages at the end (the oldest widgets of the log, retired)."""
        self.items.extend(items)
        self._heights.extend(self._estimate(item) for item in items)
        self._measured.extend(False for _ in items)
        self._relayout(0)

    # -- drawing ------------------------------------------------------------------------------

    def _renderable(self, item: ChatItem, plain: bool = False) -> tuple[Text, RenderableType]:
        who = "You" if item.role == "user" else "Assistant"
        marks = badges(item.incomplete, item.cached)
        header_style = ("history--marked" if marks else "history--user-header" if item.role == "user"
                        else "history--header")
        title = " ".join(part for part in (who, branch_mark(item.branch), marks) if part)
        header = Text(title, style=self.get_component_rich_style(header_style))
        if item.role == "user":
            body: RenderableType = Padding(Text(item.text), (0, 1),
                                           style=self.get_component_rich_style("history--user-body"),
                                           expand=True)
        else:
            theme = "ansi_dark" if self.app.current_theme.dark else "ansi_light"
            # Plain, to measure: fences as plain text take the same rows without a lexer's work.
            text = _FENCE.sub(lambda m: f"{m.group(1)}{m.group(2)}text", item.text) if plain else item.text
            # Rich's Markdown (markdown-it, Pygments) is imported with the first message drawn.
            from widgets.history_markdown import reply_markdown

            body = reply_markdown(text, theme)
        return header, body

    def _rows(self, index: int, plain: bool = False) -> list[list[Segment]]:
        width = self._width or self.size.width or 80
        return self.item_rows(self.items[index], width, plain)

    def item_rows(self, item: ChatItem, width: int, plain: bool = False) -> list[list[Segment]]:
        """The rows of one message at `width` (this widget's styles, not its state but a highlight)."""
        console: Console = self.app.console
        options = console.options.update(width=width, height=None, highlight=False)
        base = self.rich_style
        if item.message_id == self.highlighted:
            base = base + self.get_component_rich_style("history--highlight")
        header, body = self._renderable(item, plain)
        rows = console.render_lines(header, options, style=base, pad=True)
        rows += console.render_lines(body, options, style=base, pad=True)
        if item.role != "user" and item.text.strip():
            rows.append([Segment(" " * width, base)])  # its last block's margin, as in a reply widget
        rows.append([Segment(" " * width, base)])  # the margin below a message
        return rows

    def _draw(self, index: int, settle: bool = True, plain: bool = False) -> list[Strip]:
        lines = self._lines.get(index)
        if lines is not None and not (index in self._plain and not plain):
            return lines
        width = self._width or self.size.width or 80
        rows = self._saved_rows(index, width)
        if rows is not None:
            plain = False  # saved as drawn at quit: highlighted
        else:
            rows = self._rows(index, plain)
        lines = [Strip(row, width) for row in rows]
        self._lines[index] = lines
        if plain:
            self._plain.add(index)
        else:
            self._plain.discard(index)
        if not self._measured[index] or self._heights[index] != len(lines):
            self._measured[index] = True
            if self._heights[index] != len(lines) and settle:
                # Drawn to be shown, at a height other than its estimate: not now (this may be a
                # paint), right after.
                self.call_later(self._settle, index, len(lines))
        return lines

    def _saved_rows(self, index: int, width: int) -> list[list[Segment]] | None:
        item = self.items[index]
        if self._saved is None or item.message_id == self.highlighted:
            return None
        return self._saved.lines_of(item, width, self.app.theme)

    def _settle(self, index: int, height: int) -> None:
        self._pending.pop(index, None)
        if index >= len(self._heights) or self._heights[index] == height:
            return
        delta = height - self._heights[index]
        self._heights[index] = height
        self._relayout(delta if self._starts[index + 1] <= self._view_top() else 0)

    def _view_top(self) -> int:
        log = self.parent
        return round(log.scroll_y) - self.virtual_region.y if isinstance(log, Widget) else 0

    def _measure_some(self) -> None:
        """Between frames, for at most SLICE_S: draw the messages a page around the view (so the next
        keys find them drawn; plain while keys come, highlighted once the view keeps still), then,
        once still, measure the others, nearest first. Not while the view moves."""
        if not self._width:
            return
        top = max(0, self._view_top())
        now = time.perf_counter()
        if top != self._last_top:
            self._last_top, self._moved_at = top, now
        if now - self._moved_at < self.STILL_S:
            return
        still = now - self._moved_at >= self.SETTLE_S
        deadline = now + self.SLICE_S
        page = max(1, self.parent.size.height if isinstance(self.parent, Widget) else 40)
        first = max(0, bisect_right(self._starts, top - page) - 1)
        last = min(len(self.items), bisect_right(self._starts, top + 3 * page))
        near = bisect_right(self._starts, top) - 1
        # Plain first (the rows a key may show next, at a third of the cost), highlighted when still.
        for plain in (True, False) if still else (True,):
            for index in range(first, last):
                if time.perf_counter() > deadline:
                    return
                cached = self._lines.get(index) is not None
                if not cached or (not plain and index in self._plain):
                    shown = cached
                    self._note_height(index, len(self._draw(index, settle=False, plain=plain)))
                    if shown:
                        self.refresh()
        if not still:
            return  # the next key comes soon: only the rows it may show are drawn ahead
        order = sorted((i for i, done in enumerate(self._measured) if not done), key=lambda i: abs(i - near))
        for index in order:
            if time.perf_counter() > deadline:
                break
            self._note_height(index, len(self._rows(index, plain=True)))
        if self._pending and (len(order) <= 1 or time.perf_counter() - self._settled_at > self.SETTLE_S):
            self._apply_pending()
        elif not order and not self._pending and self._timer is not None:
            self._timer.pause()  # resumed by a message drawn plain in a frame, or by new messages

    def _note_height(self, index: int, height: int) -> None:
        self._measured[index] = True
        if height != self._heights[index]:
            self._pending[index] = height

    def _apply_pending(self) -> None:
        top = self._view_top()
        shift = 0
        for index, height in self._pending.items():
            if self._starts[index + 1] <= top:
                shift += height - self._heights[index]
            self._heights[index] = height
        self._pending.clear()
        self._relayout(shift)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        index = bisect_right(self._starts, y) - 1
        if not 0 <= index < len(self.items):
            return Strip.blank(width, self.rich_style)
        # Drawn in the frame: without highlighting (the slices between frames add it).
        lines = self._lines.get(index)
        if lines is None:
            lines = self._draw(index, plain=True)
            if self._timer is not None:
                self._timer.resume()
        row = y - self._starts[index]
        strip = lines[row] if row < len(lines) else Strip.blank(width, self.rich_style)
        return strip.apply_offsets(0, y)

    # -- selection and theme --------------------------------------------------------------------

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected rows' text (rows outside the selection are not drawn)."""
        start = selection.start.y if selection.start is not None else 0
        end = selection.end.y if selection.end is not None else self.total_rows - 1
        rows = [""] * start + [self.render_line(y).text.rstrip() for y in range(start, end + 1)]
        return selection.extract("\n".join(rows)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()
        self._plain.clear()

    def highlight(self, message_id: str) -> None:
        """Draw one message highlighted (as a MessageView with -highlight)."""
        self.highlighted = message_id
        self._lines.clear()
        self._plain.clear()
        self.refresh()
