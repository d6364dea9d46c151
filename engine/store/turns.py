"""A session's current leaf (what undo and redo move), and its workspace checkpoints' rows."""

from __future__ import annotations

import time
from dataclasses import dataclass

from engine.store.records import EMPTY_PATH, MessageRecord, branch, new_id, row_to
from engine.store.repository import Store

ROOT = EMPTY_PATH


@dataclass(frozen=True, slots=True)
class CheckpointRecord:
    """The session's /workspace as a turn left it, saved as a tar file in the data directory."""

    id: str
    session_id: str
    run_id: str | None
    message_id: str | None
    """The turn's reply: the leaf the checkpoint belongs to."""
    turn: int
    """The turn's number on the session's path (1 is the first prompt)."""
    files: int
    bytes: int
    sha256: str
    archive: str
    created_at: float


async def current_leaf(store: Store, session_id: str) -> str | None:
    """The message the session's conversation now ends at; None when it is empty."""
    row = await store.fetchone("SELECT active_leaf_id FROM sessions WHERE id=?", (session_id,))
    stored = row[0] if row is not None else None
    if stored == ROOT:
        return None
    if stored is not None:
        found = await store.fetchone("SELECT 1 FROM messages WHERE id=? AND session_id=?",
                                     (stored, session_id))
        if found is not None:
            return str(stored)
    # Never moved (or its message was deleted): the newest message, as before undo existed.
    newest = await store.fetchone(
        "SELECT id FROM messages WHERE session_id=? ORDER BY created_at DESC, rowid DESC LIMIT 1",
        (session_id,))
    return str(newest[0]) if newest is not None else None


async def active_path(store: Store, session_id: str) -> list[MessageRecord]:
    """The session's conversation as it stands (the branch ending at its current leaf)."""
    leaf = await current_leaf(store, session_id)
    if leaf is None:
        return []
    return branch(await store.messages(session_id), leaf)


async def move_leaf(store: Store, session_id: str, leaf: str | None, *, undone: str | None) -> None:
    """Set the session's current leaf (None: empty) and the tip redo walks back towards."""
    await store.execute("UPDATE sessions SET active_leaf_id=?, undone_leaf_id=? WHERE id=?",
                        (ROOT if leaf is None else leaf, undone, session_id))


async def undone_tip(store: Store, session_id: str) -> str | None:
    """The leaf the session had before its latest undo (None if nothing was undone)."""
    row = await store.fetchone("SELECT undone_leaf_id FROM sessions WHERE id=?", (session_id,))
    return str(row[0]) if row is not None and row[0] else None


def turn_start(path: list[MessageRecord]) -> int | None:
    """Index in `path` of the last turn's prompt (None when the path has no prompt)."""
    for index in range(len(path) - 1, -1, -1):
        if path[index].role == "user":
            return index
    return None


def redo_leaf(tip_path: list[MessageRecord], leaf: str | None) -> str | None:
    """The leaf one turn further along `tip_path` (the undone branch) from `leaf`; None when
    `leaf` is not on it or nothing is left to redo."""
    ids = [m.id for m in tip_path]
    if leaf is not None and leaf not in ids:
        return None
    start = ids.index(leaf) + 1 if leaf is not None else 0
    if start >= len(ids):
        return None
    end = next((i for i in range(start + 1, len(ids)) if tip_path[i].role == "user"), len(ids))
    return ids[end - 1]


def turn_count(path: list[MessageRecord]) -> int:
    """Prompts on a path: the number of its turns."""
    return sum(1 for m in path if m.role == "user")


# -- checkpoint rows -------------------------------------------------------------------------

async def add_checkpoint(
    store: Store, session_id: str, *, run_id: str | None, message_id: str | None, turn: int,
    files: int, size: int, sha256: str, archive: str,
) -> CheckpointRecord:
    """Record a saved checkpoint."""
    record = CheckpointRecord(new_id(), session_id, run_id, message_id, turn, files, size, sha256,
                              archive, time.time())
    await store.execute(
        "INSERT INTO checkpoints(id, session_id, run_id, message_id, turn, files, bytes, sha256,"
        " archive, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (record.id, session_id, run_id, message_id, turn, files, size, sha256, archive,
         record.created_at),
    )
    return record


async def checkpoints(store: Store, session_id: str) -> list[CheckpointRecord]:
    """A session's checkpoints, newest first."""
    rows = await store.fetchall(
        "SELECT * FROM checkpoints WHERE session_id=? ORDER BY created_at DESC, rowid DESC",
        (session_id,))
    return [row_to(CheckpointRecord, r) for r in rows]


async def checkpoint_prompts(store: Store, session_id: str) -> dict[str, str]:
    """Checkpoint id -> the prompt of its turn (for telling apart turns of the same number)."""
    rows = await store.fetchall(
        "SELECT c.id, u.content FROM checkpoints c LEFT JOIN messages a ON a.id = c.message_id"
        " LEFT JOIN messages u ON u.id = a.parent_id WHERE c.session_id=?", (session_id,))
    return {str(r[0]): str(r[1] or "") for r in rows}


async def get_checkpoint(store: Store, checkpoint_id: str) -> CheckpointRecord | None:
    """A checkpoint by id."""
    row = await store.fetchone("SELECT * FROM checkpoints WHERE id=?", (checkpoint_id,))
    return row_to(CheckpointRecord, row) if row is not None else None


async def drop_checkpoints(store: Store, session_id: str, keep: int) -> list[str]:
    """Forget all but the newest `keep` checkpoints of a session; returns the archive files no
    checkpoint refers to any more (the caller deletes them)."""
    old = (await checkpoints(store, session_id))[keep:]
    if not old:
        return []
    async with store.transaction() as conn:
        for record in old:
            await conn.execute("DELETE FROM checkpoints WHERE id=?", (record.id,))
    unused = []
    for archive in {r.archive for r in old}:
        if await store.fetchone("SELECT 1 FROM checkpoints WHERE archive=?", (archive,)) is None:
            unused.append(archive)
    return unused
