"""A glance at the last session before settings are validated and the engine opens: theme and messages."""

from __future__ import annotations

import os
import sqlite3
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.paths import app_paths, config_file, env_name
from engine.store.records import SESSION_MESSAGES_SQL, SESSIONS_SQL, MessageRecord, branch, row_to


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
    """Its current branch, oldest first (as Engine.history gives it)."""


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
        rows = conn.execute(SESSION_MESSAGES_SQL, (session["id"],)).fetchall()
        # The session's shown branch (schema v5 on); older files show the newest message's.
        leaf = session["active_leaf_id"] if "active_leaf_id" in session.keys() else None  # noqa: SIM118 - a Row iterates values
        records = [row_to(MessageRecord, r) for r in rows]
        messages = tuple(branch(records, leaf if any(m.id == leaf for m in records) else None))
        return Glance(theme, database, session["id"], session["title"] or "", messages)
    except (sqlite3.Error, TypeError, KeyError, IndexError):
        return empty  # an older schema or a damaged file: the engine reports it properly
    finally:
        conn.close()


def _raw_settings(dotted_names: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(dotted_names)
    try:
        data: Any = tomllib.loads(config_file().read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
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
