"""The conversation tree in the UI: the Chat pane's items for the shown path, and a Tree of every branch."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from engine.store.records import MessageRecord
from engine.store.tree import ConversationTree
from widgets.message import ChatItem

LABEL_CHARS = 60
"""A tree node shows this much of its message's first line."""


def path_items(tree: ConversationTree, leaf_id: str | None = None) -> list[ChatItem]:
    """The chat's view of the path to `leaf_id` (default: the active leaf), each message with its
    place among its siblings ("2/3")."""
    return [ChatItem(m.id, m.role, m.content, m.incomplete, m.cached, tree.position(m.id).label)
            for m in tree.path(leaf_id) if m.role in ("user", "assistant")]


def node_label(message: MessageRecord, tree: ConversationTree, on_path: bool) -> Text:
    """One line for a message: who, its place among siblings, the start of its text."""
    who = "You" if message.role == "user" else "Assistant"
    first = next((line.strip() for line in message.content.splitlines() if line.strip()), "(empty)")
    if len(first) > LABEL_CHARS:
        first = first[: LABEL_CHARS - 1] + "…"
    label = Text()
    label.append("● " if on_path else "  ", style="bold green")
    label.append(who, style="bold cyan" if message.role == "user" else "bold")
    position = tree.position(message.id)
    if position.count > 1:
        label.append(f" {position.label}", style="yellow")
    if message.incomplete:
        label.append(" [incomplete]", style="yellow")
    label.append(f"  {first}", style="" if on_path else "dim")
    return label


class SessionTreeView(Tree[str]):
    """Every message of a session as a tree (data: the message id). ● marks the path the session
    shows; Enter opens the session on the branch through the chosen message."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Conversation", id=id)
        self.show_root = False
        self.guide_depth = 2
        self._conversation = ConversationTree(())
        self._on_path: set[str] = set()

    def show(self, tree: ConversationTree | None, empty: str = "No messages yet.") -> None:
        """Replace the nodes with the tree's messages, every branch expanded."""
        self.clear()
        if tree is None or not tree.messages:
            self.root.add_leaf(Text(empty, style="dim"))
            return
        self._conversation = tree
        self._on_path = {m.id for m in tree.path()}
        roots = tree.children(None)
        if len(roots) == 1:
            self._add_chain(self.root, roots[0])
        else:
            for first in roots:
                self._add_alternative(self.root, first)
        leaf = tree.leaf
        if leaf is not None:
            self.call_after_refresh(self._move_to, leaf.id)

    def _label(self, message: MessageRecord) -> Text:
        return node_label(message, self._conversation, message.id in self._on_path)

    def _add_chain(self, node: TreeNode[str], message: MessageRecord) -> None:
        """A message and the replies that follow it one by one, side by side under `node` (a long
        conversation stays flat); a message with several replies holds them as its children."""
        while True:
            replies = self._conversation.children(message.id)
            if len(replies) > 1:
                branch_point = node.add(self._label(message), data=message.id, expand=True)
                for reply in replies:
                    self._add_alternative(branch_point, reply)
                return
            node.add_leaf(self._label(message), data=message.id)
            if not replies:
                return
            message = replies[0]

    def _add_alternative(self, node: TreeNode[str], message: MessageRecord) -> None:
        """One of several siblings: a node holding the conversation that follows it."""
        replies = self._conversation.children(message.id)
        if len(replies) == 1:
            alternative = node.add(self._label(message), data=message.id, expand=True)
            self._add_chain(alternative, replies[0])
        else:
            self._add_chain(node, message)

    def _move_to(self, message_id: str) -> None:
        for line in range(self.last_line + 1):
            node = self.get_node_at_line(line)
            if node is not None and node.data == message_id:
                self.move_cursor(node)
                return
