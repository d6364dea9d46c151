"""SessionLog: how the Chat pane shows a stored session: newest messages as widgets, the rest as lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import events
from textual.containers import VerticalScroll
from textual.widgets import Static

from widgets import first_frame
from widgets.first_frame import SavedRows
from widgets.history import HistoryLines
from widgets.message import ChatItem, MessageView

if TYPE_CHECKING:
    from pathlib import Path

    from textual.app import App

    from widgets.prompt import PromptInput


_INSTANT_SCROLLS: dict[str, Callable[[VerticalScroll], None]] = {
    "scroll_up": lambda log: log.scroll_up(animate=False),
    "scroll_down": lambda log: log.scroll_down(animate=False),
    "page_up": lambda log: log.scroll_page_up(animate=False),
    "page_down": lambda log: log.scroll_page_down(animate=False),
    "scroll_home": lambda log: log.scroll_home(animate=False),
    "scroll_end": lambda log: log.scroll_end(animate=False),
}
"""The log's scroll actions, done at once: animated, one Page Down was six frames, each laying out
and painting the whole view (measured on a 2,000-message session), and the page arrived last."""


class SessionLog:
    """The part of ChatPane that loads a session (a mixin: ChatPane provides the attributes below).

    The newest messages are widgets (MessageView: live Markdown, selectable, highlightable); above
    them, however many older ones there are, one HistoryLines draws the rows in view only. There is
    no cap on the messages a session shows."""

    FIRST_PAINT = 12
    """At most this many of the newest messages are mounted before a session's first frame: as many
    as are estimated to fill the view (each costs 10-20 ms to build), the rest come a frame later."""
    LIVE_MESSAGES = 20
    """The newest messages kept as widgets; older ones (at load, or as the session grows) go to
    HistoryLines, so the widget tree and each layout pass stay the same size in a long session."""

    if TYPE_CHECKING:
        app: App[object]
        _older: list[ChatItem]
        _following: bool
        _streaming: MessageView | None

        @property
        def log_view(self) -> VerticalScroll: ...

        @property
        def prompt(self) -> PromptInput: ...

        async def _stop_stream(self) -> None: ...

        def _forget_space(self) -> None: ...

        def _recapture(self, root: object) -> None: ...

        def select_message(self, message_id: str | None) -> bool: ...

    def on_key(self, event: events.Key) -> None:
        """A scroll key pressed in the log (its own bindings: arrows, Page Up/Down, Home, End)
        scrolls it without animation; the binding would animate it."""
        log = self.log_view
        if self.app.focused is not log or not log.allow_vertical_scroll:
            return
        # The log's bindings say which key scrolls how (Textual keeps them in _bindings).
        for binding in log._bindings.key_to_bindings.get(event.key, ()):
            scroll = _INSTANT_SCROLLS.get(binding.action)
            if scroll is not None:
                event.stop()
                event.prevent_default()
                scroll(log)
                return

    async def show_history(self, items: list[ChatItem]) -> None:
        """Replace the log with the newest messages that fill the view (see FIRST_PAINT); show_older()
        adds the rest, so a long session is on screen before all of it is parsed."""
        await self._stop_stream()
        self.select_message(None)
        log = self.log_view
        self._forget_space()
        views = [child for child in log.children if isinstance(child, MessageView)]
        mounted = [view.item for view in views]
        if mounted and items[-len(mounted):] == mounted:
            # Already on screen (the launch glance showed them): keep them, drop only the rest.
            await log.remove_children([child for child in log.children if child not in views])
            self._older = items[: -len(mounted)]
        else:
            await log.remove_children()
            await log.mount_all(self._first_widgets(items))
        log.scroll_end(animate=False)
        log.anchor()
        self.prompt.prompt_history = [i.text for i in items if i.role == "user"][-100:]

    async def show_glance(self, items: list[ChatItem], saved: SavedRows | None = None) -> None:
        """The launch's first frame: the session's newest messages all drawn as lines (one
        HistoryLines, the rows in view only), without a widget tree per message, which took most of
        that frame; show_live() makes the newest ones widgets a frame later. Messages whose rows the
        last quit saved (save_first_frame) are drawn from them, without Markdown."""
        history = self.history
        if history is not None and history.items == items and not self.log_view.query(MessageView):
            return  # already shown
        if not items:
            await self.show_history(items)
            return
        await self._stop_stream()
        self.select_message(None)
        self._forget_space()
        self._older = []
        log = self.log_view
        await log.remove_children()
        await log.mount(HistoryLines(items, fit_end=True, saved=saved))
        log.scroll_end(animate=False)
        log.anchor()
        self.prompt.prompt_history = [i.text for i in items if i.role == "user"][-100:]

    async def show_live(self) -> None:
        """After the first frame: the newest messages of a glance (as many as fill the view) become
        widgets, in place of their lines, in one update."""
        history = self.history
        log = self.log_view
        if history is None or log.query(MessageView):
            return
        count = min(self.FIRST_PAINT, history.newest_filling(log.scrollable_content_region.height))
        views = [self._message_view(item) for item in history.items[-count:]]
        with self.app.batch_update():
            await log.mount_all(views)
            if count >= len(history.items):
                await history.remove()
            else:
                history.take_newest(count)
        log.scroll_end(animate=False)

    def _first_widgets(self, items: list[ChatItem]) -> list[Static | MessageView]:
        """The widgets of the newest messages (or a hint); the rest wait in _older for show_older()."""
        first = self._first_paint_count(items)
        self._older = items[:-first] if first else []
        widgets: list[Static | MessageView] = [self._message_view(i) for i in items[len(items) - first:]]
        if not widgets:
            widgets.append(Static("Type a task below and press Enter.", classes="notice -info -hint"))
        return widgets

    def _first_paint_count(self, items: list[ChatItem]) -> int:
        view = self.log_view.scrollable_content_region
        width = max(20, view.width or self.app.size.width // 2)
        height = view.height or self.app.size.height
        rows = count = 0
        for item in reversed(items[-self.FIRST_PAINT:]):
            # Header and margin, then each source line wrapped at the view's width.
            rows += 2 + sum(-(-max(1, len(line)) // width) for line in item.text.splitlines() or [""])
            count += 1
            if rows >= height:
                break
        return count

    async def show_older(self) -> None:
        """Show the messages show_history() held back, above the ones already shown: the newest of
        them as widgets (up to LIVE_MESSAGES in all), the rest in one HistoryLines."""
        if not self._older:
            return
        older, self._older = self._older, []
        mounted = len(self.log_view.query(MessageView))
        room = max(0, self.LIVE_MESSAGES - mounted)
        as_lines, as_widgets = older[: len(older) - room], older[len(older) - room:]
        widgets: list[HistoryLines | MessageView] = [self._message_view(i) for i in as_widgets]
        if as_lines:
            widgets.insert(0, HistoryLines(as_lines))
        await self.log_view.mount_all(widgets, before=0)

    @property
    def history(self) -> HistoryLines | None:
        """The older messages drawn as lines, if the session has any."""
        found = self.log_view.query(HistoryLines)
        return found.first() if found else None

    async def retire_oldest(self) -> None:
        """Move the oldest message widgets into HistoryLines while there are more than LIVE_MESSAGES
        (only while the reader follows the end: the rows above the view change)."""
        views = list(self.log_view.query(MessageView))
        extra = len(views) - self.LIVE_MESSAGES
        if extra <= 0 or not self._following:
            return
        retired = [view for view in views[:extra] if view is not self._streaming]
        items = [self._item_of(view) for view in retired]
        history = self.history
        with self.app.batch_update():
            if history is None:
                await self.log_view.mount(HistoryLines(items), before=0)
            else:
                history.append(items)
            await self.log_view.remove_children(retired)

    async def save_first_frame(self, path: Path) -> None:
        """Save the rows of the newest messages that fill the view, drawn as show_glance() draws them,
        for the next launch's first frame (which then needs no Markdown, a fifth of its time)."""
        log = self.log_view
        views = [view for view in log.query(MessageView) if view is not self._streaming]
        history = self.history
        items = [*(history.items if history is not None else []), *map(self._item_of, views)]
        region = log.scrollable_content_region
        if not items or not region.width:
            first_frame.forget(path)
            return
        probe = HistoryLines(items[-self.FIRST_PAINT:], id=None)
        probe.display = False
        await log.mount(probe)
        try:
            saved = SavedRows(region.width, self.app.theme)
            filled = 0
            for item in reversed(probe.items):
                lines = probe.item_rows(item, region.width)
                saved.rows[first_frame.item_key(item)] = first_frame.rows_of(lines)
                filled += len(lines)
                if filled >= region.height:
                    break
        finally:
            await probe.remove()
        first_frame.save(path, saved)

    @staticmethod
    def _item_of(view: MessageView) -> ChatItem:
        """A message widget's message as it now reads (a reply streamed into it included)."""
        item = view.item
        return ChatItem(item.message_id, item.role, view.text, view.has_class("-incomplete"),
                        view.has_class("-cached"), item.branch)

    @staticmethod
    def _message_view(item: ChatItem) -> MessageView:
        view = MessageView(item)
        if item.role != "user":
            view.set_class(item.incomplete, "-incomplete")
            view.set_class(item.cached, "-cached")
        return view

    def scroll_to_message(self, message_id: str) -> bool:
        """Scroll so a message is visible and highlight it; False if it is not in the session."""
        log = self.log_view
        found = log.query(f"#m-{message_id}")
        history = self.history
        row = history.row_of(message_id) if history is not None and not found else None
        if not found and row is None:
            return False
        self._following = False
        log.anchor(False)
        if found:
            view = found.first()
            log.scroll_to_widget(view, animate=False, top=True)
            view.add_class("-highlight")
            self._recapture(view)
        elif history is not None and row is not None:
            log.scroll_to(y=history.virtual_region.y + row, animate=False, force=True)
            history.highlight(message_id)
        return True
