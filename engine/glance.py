"""A glance at the last session before settings are validated and the engine opens: theme and messages."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.paths import app_paths, config_file, env_name
from engine.store.messages import SESSIONS_SQL, MessageRecord, message_from_row

NEWEST_MESSAGES = 32
"""How many of the session's newest messages the glance reads: more than the first frame shows
(widgets.chat_session.FIRST_PAINT), whatever the session's length; the engine reads the rest."""
_NEWEST_SQL = "SELECT id FROM messages WHERE session_id=? ORDER BY created_at DESC, rowid LIMIT 1"
_MESSAGE_SQL = "SELECT * FROM messages WHERE id=? AND session_id=?"


@dataclass(frozen=True, slots=True)
class Glance:
    """What the dashboard can show at once. Read raw: the validated settings and the engine follow
    the first frame and replace all of it, so anything odd here only means less is shown early."""

    theme: str | None
    """ui.theme as set (env, then config file), unvalidated; None if unset."""
    database: Path
    """The SQLite file store.path names, else the data directory's."""
    session_id: str | None = None
    """The most recently used session, if the file has one."""
    session_title: str = ""
    """Its title."""
    messages: tuple[MessageRecord, ...] = ()
    """The newest messages (NEWEST_MESSAGES at most) of its current branch, oldest first (the end of
    what Engine.history gives)."""


def read_glance() -> Glance:
    """Read the theme and the last session with the standard library only: no pydantic, no
    sqlite-vec, no migrations. Never raises; a file it cannot read gives an empty glance."""
    raw = _raw_settings(("ui.theme", "store.path"))
    theme = raw["ui.theme"] if isinstance(raw["ui.theme"], str) else None
    path = raw["store.path"]
    database = Path(path) if isinstance(path, str) and path else app_paths().database
    empty = Glance(theme, database)
    if not database.is_file():
        return empty
    try:
        conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=0.2)
    except sqlite3.Error:
        return empty
    try:
        conn.row_factory = sqlite3.Row
        session = conn.execute(SESSIONS_SQL, (1,)).fetchone()
        if session is None:
            return empty
        # The session's current leaf since undo (schema v5): '' when every turn was undone.
        leaf = session["active_leaf_id"] if "active_leaf_id" in session.keys() else None  # noqa: SIM118 (Row: `in` looks at values)
        messages = () if leaf == "" else _branch_end(conn, session["id"], leaf)
        return Glance(theme, database, session["id"], session["title"] or "", messages)
    except (sqlite3.Error, TypeError, KeyError, IndexError):
        return empty  # an older schema or a damaged file: the engine reports it properly
    finally:
        conn.close()


def _branch_end(conn: sqlite3.Connection, session_id: str, leaf: str | None) -> tuple[MessageRecord, ...]:
    """The newest messages of the branch ending at `leaf` (the newest message if None or not in the
    session), oldest first: walked up by parent, one row at a time, not the whole session read."""
    chain: list[MessageRecord] = []
    next_id: str | None = leaf
    if next_id is None or conn.execute(_MESSAGE_SQL, (next_id, session_id)).fetchone() is None:
        newest = conn.execute(_NEWEST_SQL, (session_id,)).fetchone()
        next_id = newest["id"] if newest is not None else None
    seen: set[str] = set()
    while next_id is not None and next_id not in seen and len(chain) < NEWEST_MESSAGES:
        seen.add(next_id)
        row = conn.execute(_MESSAGE_SQL, (next_id, session_id)).fetchone()
        if row is None:
            break
        record = message_from_row(row)
        chain.append(record)
        next_id = record.parent_id
    return tuple(reversed(chain))


def _raw_settings(dotted_names: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(dotted_names)
    data: Any = {}
    try:
        text = config_file().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    if text:
        import tomllib  # only with a config file to read (3 ms before the first frame)

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            data = {}
    for dotted in dotted_names:
        if env_name(dotted) in os.environ:
            values[dotted] = os.environ[env_name(dotted)]
            continue
        node = data
        for part in dotted.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        values[dotted] = node
    return values
