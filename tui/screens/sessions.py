"""The sessions list: filter by text, switch (Enter), new (n), rename (r), delete (d)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Tree
from textual.widgets.option_list import Option

from engine.store.repository import SessionRecord
from engine.store.tree import ConversationTree
from tui.screens.session_tree import SessionTreeView

TreeLoader = Callable[[str], Awaitable[ConversationTree]]


@dataclass(frozen=True, slots=True)
class SessionChoice:
    """What the user chose: action is switch, new, rename, delete, checkpoints, branch (open at a
    message of the tree view) or export."""

    action: str
    session_id: str | None = None
    message_id: str | None = None
    """For `branch`: the message whose branch to open."""


def _age(timestamp: float) -> str:
    seconds = max(time.time() - timestamp, 0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit} ago"
    return "just now"


class SessionsScreen(ModalScreen[SessionChoice | None]):
    """Pick a session. The filter matches titles; Ctrl+F on the dashboard searches message text."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="sessions_close", tooltip="Close the list"),
        Binding("ctrl+n", "choose('new')", "New", id="sessions_new", tooltip="Start a new session"),
        Binding("f2", "choose('rename')", "Rename", id="sessions_rename",
                tooltip="Rename the selected session"),
        # A priority binding: the filter box has the focus and would take Del for itself.
        Binding("delete,ctrl+d", "delete", "Delete", id="sessions_delete",
                tooltip="Delete the selected session", priority=True),
        Binding("f4", "choose('checkpoints')", "Checkpoints", id="sessions_checkpoints",
                tooltip="The selected session's /workspace checkpoints (Enter restores one)"),
        # Priority: a terminal sends Alt+X as Esc + x, which the filter box would type.
        Binding("alt+x", "choose('export')", "Export", id="sessions_export", priority=True,
                tooltip="Export the selected session's whole tree as Markdown and JSON"),
    ]

    def __init__(self, sessions: list[SessionRecord], current: str | None, show_age: bool = True,
                 load_tree: TreeLoader | None = None, running: Collection[str] = ()) -> None:
        super().__init__(classes="dialog-screen")
        self.sessions = sessions
        self.current = current
        self.running = frozenset(running)
        """Sessions with a run going (marked in the list)."""
        self.show_age = show_age
        self.load_tree = load_tree
        """Reads a session's conversation tree for the tree view (None: no tree view)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -wide"):
            yield Label("Sessions", classes="dialog-title")
            yield Input(placeholder="filter by title…", id="sessions-filter")
            with Horizontal(id="sessions-body"):
                yield OptionList(id="sessions-list")
                if self.load_tree is not None:
                    yield SessionTreeView(id="sessions-tree")
            yield Label("Enter switch · Ctrl+N new · F2 rename · Del delete · Tab tree (Enter opens a "
                        "branch) · Alt+X export · F4 checkpoints · Esc close", classes="dialog-hint")

    def on_mount(self) -> None:
        self._fill("")

    def _fill(self, text: str) -> None:
        widget = self.query_one("#sessions-list", OptionList)
        needle = text.lower()
        options: list[Option] = []
        for record in self.sessions:
            title = record.title or "(untitled)"
            if needle and needle not in title.lower():
                continue
            mark = "● " if record.id == self.current else "  "
            age = f"  · {_age(record.updated_at)}" if self.show_age else ""
            going = "  · running" if record.id in self.running else ""
            options.append(Option(f"{mark}{title}{going}{age}", id=record.id))
        # One replace per keystroke, not one refresh per session.
        widget.set_options(options)
        if widget.option_count:
            widget.highlighted = 0

    def on_key(self, event: events.Key) -> None:
        # Arrow keys in the filter box move the list highlight, so typing and picking flow.
        widget = self.query_one("#sessions-list", OptionList)
        trees = self.query(SessionTreeView)
        if event.key in ("down", "up") and not widget.has_focus and not (trees and trees.first().has_focus):
            event.stop()
            if event.key == "down":
                widget.action_cursor_down()
            else:
                widget.action_cursor_up()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_choose("switch")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(SessionChoice("switch", event.option.id))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.load_tree is not None and event.option.id:
            self._show_tree(event.option.id)

    @work(exclusive=True, group="session-tree")
    async def _show_tree(self, session_id: str) -> None:
        assert self.load_tree is not None
        tree = await self.load_tree(session_id)
        # The list may be closing meanwhile (Enter while the store was busy with a run: its options were
        # already removed and the query ended the app): nothing to show then.
        if self.is_active and self._selected() == session_id:
            self.query_one(SessionTreeView).show(tree)

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        session_id = self._selected()
        if session_id is not None and event.node.data:
            self.dismiss(SessionChoice("branch", session_id, event.node.data))

    def _selected(self) -> str | None:
        widget = self.query_one("#sessions-list", OptionList)
        if widget.highlighted is None:
            return None
        return widget.get_option_at_index(widget.highlighted).id

    def action_choose(self, action: str) -> None:
        if action == "new":
            self.dismiss(SessionChoice("new"))
            return
        selected = self._selected()
        if selected is not None:
            self.dismiss(SessionChoice(action, selected))

    def action_delete(self) -> None:
        """Delete the selected session; in the filter box Del still deletes a character, if there is
        one to the right of the cursor."""
        box = self.query_one("#sessions-filter", Input)
        if box.has_focus and box.cursor_position < len(box.value):
            box.action_delete_right()
            return
        self.action_choose("delete")

    def action_close(self) -> None:
        self.dismiss(None)
