"""The conversation tree: a session's messages by parent, sibling positions, the active path."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.store.records import EMPTY_PATH, MessageRecord, branch, row_to

if TYPE_CHECKING:
    import aiosqlite


@dataclass(frozen=True, slots=True)
class Position:
    """Where a message stands among its siblings (the replies to the same parent), 1-based."""

    index: int
    count: int

    @property
    def label(self) -> str:
        """"2/3", or "" for a message without siblings."""
        return f"{self.index}/{self.count}" if self.count > 1 else ""


@dataclass(frozen=True, slots=True)
class ConversationTree:
    """Every message of a session, nothing left out, with the leaf the session shows.

    Branching never deletes: an edited prompt is a sibling of the one it replaces, a regenerated
    reply a sibling of the earlier replies. Siblings are ordered by creation."""

    messages: tuple[MessageRecord, ...]
    """All of the session's messages, oldest first."""
    active_leaf_id: str | None = None
    """The stored end of the path the session shows (None: the newest message)."""
    _by_id: dict[str, MessageRecord] = field(init=False, repr=False, compare=False)
    _children: dict[str | None, list[MessageRecord]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {m.id: m for m in self.messages}
        children: dict[str | None, list[MessageRecord]] = {}
        for message in self.messages:
            # A parent that is gone (a pruned row) makes its children roots, so nothing is hidden.
            parent = message.parent_id if message.parent_id in by_id else None
            children.setdefault(parent, []).append(message)
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_children", children)

    @classmethod
    def of(cls, messages: Iterable[MessageRecord], active_leaf_id: str | None = None) -> ConversationTree:
        """A tree over messages in any order."""
        ordered = sorted(messages, key=lambda m: m.created_at)
        return cls(tuple(ordered), active_leaf_id)

    def get(self, message_id: str) -> MessageRecord | None:
        """A message by id."""
        return self._by_id.get(message_id)

    def children(self, message_id: str | None) -> list[MessageRecord]:
        """Replies to (or messages following) a message; None: the session's first messages."""
        return list(self._children.get(message_id, ()))

    def parent_key(self, message: MessageRecord) -> str | None:
        """The parent id as the tree sees it (None for a root or an orphan)."""
        return message.parent_id if message.parent_id in self._by_id else None

    def siblings(self, message_id: str) -> list[MessageRecord]:
        """The message and its siblings, oldest first (empty if the id is unknown)."""
        message = self._by_id.get(message_id)
        return [] if message is None else self.children(self.parent_key(message))

    def position(self, message_id: str) -> Position:
        """Where the message stands among its siblings."""
        siblings = self.siblings(message_id)
        ids = [m.id for m in siblings]
        return Position(ids.index(message_id) + 1, len(ids)) if message_id in ids else Position(1, 1)

    def latest_leaf(self, message_id: str) -> MessageRecord | None:
        """The newest message under a message (itself when it has no replies)."""
        message = self._by_id.get(message_id)
        if message is None:
            return None
        newest, stack = message, [message]
        while stack:
            node = stack.pop()
            if node.created_at >= newest.created_at:
                newest = node
            stack.extend(self._children.get(node.id, ()))
        return newest

    @property
    def leaf(self) -> MessageRecord | None:
        """The end of the active path: the stored leaf, else the newest message (none when every
        turn was undone: the stored leaf is EMPTY_PATH)."""
        if self.active_leaf_id == EMPTY_PATH:
            return None
        if self.active_leaf_id is not None and self.active_leaf_id in self._by_id:
            return self._by_id[self.active_leaf_id]
        return self.messages[-1] if self.messages else None

    def path(self, leaf_id: str | None = None) -> list[MessageRecord]:
        """Root to `leaf_id` (default: the active leaf), oldest first."""
        leaf = self._by_id.get(leaf_id) if leaf_id else self.leaf
        return branch(self.messages, leaf.id) if leaf is not None else []

    def sibling_at(self, message_id: str, step: int) -> MessageRecord | None:
        """The sibling `step` places away (-1 previous, +1 next), wrapping; None without siblings."""
        siblings = self.siblings(message_id)
        if len(siblings) < 2:
            return None
        index = [m.id for m in siblings].index(message_id)
        return siblings[(index + step) % len(siblings)]

    def branch_count(self) -> int:
        """How many leaves (distinct conversations) the tree has."""
        return sum(1 for m in self.messages if not self._children.get(m.id))


class TreeQueries:
    """The Store's reads and writes of the conversation tree (a mixin of Store)."""

    if TYPE_CHECKING:
        async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

        async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

        async def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

        async def messages(self, session_id: str) -> list[MessageRecord]: ...

        conn: aiosqlite.Connection

    async def children(self, message_id: str) -> list[MessageRecord]:
        """Replies to a message, oldest first."""
        rows = await self.fetchall(
            "SELECT * FROM messages WHERE parent_id=? ORDER BY created_at, rowid", (message_id,))
        return [row_to(MessageRecord, r) for r in rows]

    async def siblings(self, message_id: str) -> list[MessageRecord]:
        """A message and the other messages with its parent (in its session), oldest first."""
        row = await self.fetchone("SELECT session_id, parent_id FROM messages WHERE id=?", (message_id,))
        if row is None:
            return []
        if row["parent_id"] is None:
            rows = await self.fetchall(
                "SELECT * FROM messages WHERE session_id=? AND parent_id IS NULL ORDER BY created_at, rowid",
                (row["session_id"],))
        else:
            rows = await self.fetchall(
                "SELECT * FROM messages WHERE parent_id=? ORDER BY created_at, rowid", (row["parent_id"],))
        return [row_to(MessageRecord, r) for r in rows]

    async def active_leaf(self, session_id: str) -> str | None:
        """The message the session's shown path ends at, if one is stored and still exists;
        EMPTY_PATH when every turn was undone; None: the newest message."""
        row = await self.fetchone(
            "SELECT s.active_leaf_id, m.id FROM sessions s LEFT JOIN messages m"
            " ON m.id = s.active_leaf_id AND m.session_id = s.id WHERE s.id=?", (session_id,))
        if row is None:
            return None
        if row[0] == EMPTY_PATH:
            return EMPTY_PATH
        return str(row[1]) if row[1] is not None else None

    async def set_active_leaf(self, session_id: str, message_id: str | None) -> None:
        """Show the path ending at `message_id` (None: the newest message)."""
        await self.execute("UPDATE sessions SET active_leaf_id=? WHERE id=?", (message_id, session_id))

    async def tree(self, session_id: str) -> ConversationTree:
        """The session's whole tree with its active leaf."""
        return ConversationTree(tuple(await self.messages(session_id)), await self.active_leaf(session_id))

    async def active_path(self, session_id: str) -> list[MessageRecord]:
        """The messages the session shows: root to the active leaf."""
        return (await self.tree(session_id)).path()
