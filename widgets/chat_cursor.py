"""MessageCursor: a selected message in the Chat pane, moved by keys, for the branch actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from widgets.message import ChatItem, MessageView

if TYPE_CHECKING:
    from textual.app import App
    from textual.containers import VerticalScroll

    from widgets.history import HistoryLines


class MessageCursor:
    """The part of ChatPane that selects a message (a mixin: ChatPane provides the attributes below).

    The selection walks every message shown, the older ones drawn as lines included; the selected
    one is highlighted. Editing a prompt, regenerating or switching between siblings act on it."""

    if TYPE_CHECKING:
        app: App[object]
        _following: bool

        @property
        def log_view(self) -> VerticalScroll: ...

        @property
        def history(self) -> HistoryLines | None: ...

        def _recapture(self, root: object) -> None: ...

        def _forget_space(self) -> None: ...

        @staticmethod
        def _message_view(item: ChatItem) -> MessageView: ...

    selected_id: str | None = None
    """The selected message's id (None: no selection)."""

    def shown_items(self) -> list[ChatItem]:
        """Every message shown, oldest first: the older ones drawn as lines, then the widgets."""
        history = self.history
        older = list(history.items) if history is not None else []
        return older + [view.item for view in self.log_view.query(MessageView)]

    def selected_item(self) -> ChatItem | None:
        """The selected message, if it is still shown."""
        return next((i for i in self.shown_items() if i.message_id == self.selected_id), None)

    def move_selection(self, step: int) -> ChatItem | None:
        """Select the message `step` places from the selected one (none selected: the newest)."""
        items = self.shown_items()
        if not items:
            return None
        ids = [item.message_id for item in items]
        if self.selected_id in ids:
            index = max(0, min(len(items) - 1, ids.index(self.selected_id) + step))
        else:
            index = len(items) - 1
        self.select_message(ids[index])
        return items[index]

    def select_message(self, message_id: str | None) -> bool:
        """Select (and scroll to) a message; None clears the selection. False if it is not shown."""
        self._unmark()
        self.selected_id = None
        if message_id is None:
            return True
        log = self.log_view
        found = log.query(f"#m-{message_id}")
        history = self.history
        if found:
            view = found.first(MessageView)
            view.add_class("-selected")
            self._recapture(view)
            log.scroll_to_widget(view, animate=False)
        elif history is not None and (row := history.row_of(message_id)) is not None:
            history.highlight(message_id)
            log.scroll_to(y=history.virtual_region.y + row, animate=False, force=True)
        else:
            return False
        self._following = False
        self.selected_id = message_id
        return True

    def _unmark(self) -> None:
        for view in self.log_view.query(".-selected"):
            view.remove_class("-selected")
            self._recapture(view)
        history = self.history
        if history is not None and history.highlighted == self.selected_id and self.selected_id:
            history.highlight("")

    async def replace_tail(self, items: list[ChatItem]) -> bool:
        """Show `items` (a whole path) by replacing only the message widgets from the first one that
        differs (another branch below a sibling switch); the messages above stay as they are. False,
        changing nothing, when the difference is among the older messages drawn as lines."""
        history = self.history
        older = list(history.items) if history is not None else []
        if items[: len(older)] != older:
            return False
        log = self.log_view
        views = list(log.query(MessageView))
        keep = 0
        for view, item in zip(views, items[len(older):], strict=False):
            if view.item != item:
                break
            keep += 1
        children = list(log.children)
        first_gone = children.index(views[keep]) if keep < len(views) else len(children)
        # Below the first changed message everything goes: its replies, notices, the reading space.
        with self.app.batch_update():
            await log.remove_children(children[first_gone:])
            self._forget_space()
            await log.mount_all([self._message_view(item) for item in items[len(older) + keep:]])
        return True
