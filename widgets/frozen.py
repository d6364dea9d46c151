"""FrozenLines: finished Markdown kept as the lines it painted, so a long reply is one cheap widget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.segment import Segment
from textual.dom import NoScreen
from textual.errors import NoWidget
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.widgets import Markdown


class Unfreezable(Exception):
    """The Markdown cannot be captured as fixed lines (it scrolls inside, or is not laid out)."""


def _paste(line: Strip, strip: Strip, x: int, width: int) -> Strip:
    if x < 0:
        strip = strip.crop(-x)
        x = 0
    end = min(width, x + strip.cell_length)
    if end <= x:
        return line
    return Strip.join([line.crop(0, x), strip.crop(0, end - x), line.crop(end, width)])


def _unlinked(strip: Strip) -> Strip:
    # A link's @click names an action of the block that drew it; on a FrozenLines it would name
    # nothing, so the style keeps its look and loses the action (FrozenLines.action_link opens it).
    return Strip(
        [Segment(text, style.clear_meta_and_links() if style else style, control)
         for text, style, control in strip],
        strip.cell_length,
    )


def capture(root: Widget) -> list[Strip]:
    """The lines the compositor paints for `root` and its descendants at their current layout.

    Parents are painted before their children, in document order, as Textual's compositor does
    for non-overlapping vertical layouts like Markdown's."""
    origin = root.region
    if not origin.width or not origin.height:
        raise Unfreezable("not laid out")
    width = origin.width
    canvas = [Strip.blank(width) for _ in range(origin.height)]

    def paint(node: Widget) -> None:
        if not node.display or node.styles.visibility == "hidden":
            return
        region = node.region
        if not region.width or not region.height:
            return
        if node.max_scroll_x or node.max_scroll_y:
            # Part of it is only reachable by scrolling (a long code line): keep it live.
            raise Unfreezable("scrolls inside")
        x, y = region.x - origin.x, region.y - origin.y
        for offset, strip in enumerate(node.render_lines(Region(0, 0, region.width, region.height))):
            row = y + offset
            if 0 <= row < len(canvas):
                canvas[row] = _paste(canvas[row], strip, x, width)
        for child in node.displayed_children:
            paint(child)

    paint(root)
    return [_unlinked(line.simplify()) for line in canvas]


class FrozenLines(Widget):
    """Finished Markdown segments as pre-rendered lines: laid out as one widget of fixed height, and
    painted line by line for the visible rows only, however long the reply grows."""

    @dataclass
    class Stale(Message):
        """The lines no longer match the widget's width or theme: they should be captured again."""

        frozen: FrozenLines

    DEFAULT_CSS = """
    FrozenLines {
        width: 1fr;
        height: auto;
    }
    """

    def __init__(self, markdown_class: type[Markdown]) -> None:
        super().__init__(classes="message-body -frozen")
        self.markdown_class = markdown_class
        """The class of the Markdown captured here; thaw() makes the same."""
        self._lines: list[tuple[list[Segment], int]] = []
        self.sources: list[str] = []
        """The Markdown source of every captured segment, in order."""
        self.frozen_width = 0
        """The width the lines were captured at; another width makes them stale."""

    @property
    def source(self) -> str:
        """The Markdown these lines show."""
        return "".join(self.sources)

    def add(self, lines: list[Strip], source: str) -> None:
        """Append a captured segment's lines."""
        if lines:
            self.frozen_width = lines[0].cell_length
        # Kept as plain segment lists: a Strip carries several caches, and thousands of lines of
        # them would make every garbage collection of a long session slower.
        self._lines.extend((list(line), line.cell_length) for line in lines)
        self.sources.append(source)
        self.styles.height = len(self._lines)

    def absorb(self, other: FrozenLines) -> None:
        """Append the lines of another FrozenLines (captured at the same width)."""
        self._lines.extend(other._lines)
        self.sources.extend(other.sources)
        self.styles.height = len(self._lines)

    def render_line(self, y: int) -> Strip:
        if 0 <= y < len(self._lines):
            segments, cell_length = self._lines[y]
            return Strip(segments, cell_length)
        return Strip.blank(self.size.width)

    async def action_link(self, href: str) -> None:
        """Links drawn before freezing still open."""
        self.app.open_url(href)

    @property
    def stale(self) -> bool:
        """True when the widget's width no longer matches the captured lines."""
        return bool(self._lines) and self.size.width != self.frozen_width

    def on_resize(self) -> None:
        if self.stale:
            self.post_message(self.Stale(self))

    async def thaw(self) -> Markdown:
        """Replace these lines with live Markdown of the same source (for a new width or theme)."""
        markdown = self.markdown_class(self.source, classes="message-body")
        parent = self.parent
        assert isinstance(parent, Widget)
        await parent.mount(markdown, after=self)
        await self.remove()
        return markdown


def settled(segment: Markdown) -> bool:
    """False while a refresh of the segment is pending: its regions may not match its text yet."""
    return not any(
        node._layout_required or node._repaint_required for node in segment.walk_children(with_self=True)
    )


def lay_out(widget: Widget) -> None:
    """Lay the screen out now, so `widget`'s regions are those of its current content.

    A widget whose flags are clear has asked for its layout, but the screen may not have done it
    yet (its Layout message still queued, or the frame skipped in a batched update); the ancestors'
    arrangements were already dropped, so a reflow now places it from its content."""
    try:
        screen = widget.screen
    except NoScreen:
        return
    screen._refresh_layout()


def on_screen(widget: Widget) -> bool:
    """Whether any of the widget is in view."""
    try:
        geometry = widget.screen.find_widget(widget)
    except (NoWidget, NoScreen):  # not in the map (not laid out yet): not in view
        return False
    return bool(geometry.region.intersection(geometry.clip))


async def freeze(segment: Markdown, anchor: Widget | None = None, *, merge_in_view: bool = True
                 ) -> FrozenLines | None:
    """Capture a finished Markdown segment into the FrozenLines just before it (or just before
    `anchor`), or into a new one there, and remove the segment; None (and the segment stays live)
    when it cannot be captured. With `merge_in_view` False, lines are added to a FrozenLines only
    if that one is out of view: growing one in view would repaint all of it."""
    anchor = anchor or segment
    if not segment.is_attached or anchor.parent is None:
        return None
    try:
        lines = capture(segment)
    except Unfreezable:
        return None
    parent = anchor.parent
    assert isinstance(parent, Widget)
    siblings = list(parent.children)
    index = siblings.index(anchor)
    before = siblings[index - 1] if index else None
    if (isinstance(before, FrozenLines) and not before.stale and before.markdown_class is type(segment)
            and (merge_in_view or not on_screen(before))):
        frozen = before
        frozen.add(lines, segment.source)
    else:
        frozen = FrozenLines(type(segment))
        frozen.add(lines, segment.source)
        await parent.mount(frozen, before=anchor)
    await segment.remove()
    return frozen


async def merge_frozen(parent: Widget) -> None:
    """Fold each run of adjacent FrozenLines children of `parent` (same width and kind) into one."""
    keep: FrozenLines | None = None
    gone: list[FrozenLines] = []
    for child in list(parent.children):
        if (isinstance(child, FrozenLines) and keep is not None and not child.stale and not keep.stale
                and child.frozen_width == keep.frozen_width and child.markdown_class is keep.markdown_class):
            keep.absorb(child)
            gone.append(child)
        else:
            keep = child if isinstance(child, FrozenLines) else None
    if gone:
        await parent.remove_children(gone)
