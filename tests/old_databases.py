"""migrate_up_to: a database file as an older Glassbox left it, for tests of what reads old files."""

from __future__ import annotations

from typing import Any

from engine.store.migrations import MIGRATIONS


def migrate_up_to(conn: Any, last_version: int) -> None:
    """Apply the migrations up to and including `last_version` to a blocking sqlite3 connection."""
    for version, step in MIGRATIONS:
        if version > last_version:
            break
        if isinstance(step, str):
            conn.executescript(f"BEGIN;\n{step}\nPRAGMA user_version={version};\nCOMMIT;")
        else:
            conn.execute("BEGIN")
            step(conn)
            conn.execute(f"PRAGMA user_version={version}")
            conn.execute("COMMIT")
