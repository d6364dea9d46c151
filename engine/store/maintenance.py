"""Blocking maintenance of the database file: stats, vacuum, an online backup, prune."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import StoreError
from engine.store.db import connect_sync, immediate_transaction
from engine.store.migrations import VEC_TABLES


@dataclass(frozen=True, slots=True)
class DbStats:
    """Sizes and row counts of the database."""

    path: str
    file_bytes: int
    wal_bytes: int
    schema_version: int
    page_size: int
    pages: int
    free_pages: int
    counts: dict[str, int]
    embed_models: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "path": self.path, "file_bytes": self.file_bytes, "wal_bytes": self.wal_bytes,
            "schema_version": self.schema_version, "page_size": self.page_size, "pages": self.pages,
            "free_pages": self.free_pages, "counts": self.counts, "embed_models": self.embed_models,
        }


_COUNTED = ("sessions", "messages", "runs", "steps", "executions", "execution_output_chunks",
            "artifacts", "usage", "memory_docs", "memory_cache", *VEC_TABLES.values())


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def db_stats(database: Path) -> DbStats:
    """Row counts, file sizes and which embedding models made the stored vectors."""
    if not database.exists():
        raise StoreError(f"There is no database at {database}.")
    conn = connect_sync(database)
    try:
        counts = {t: int(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in _COUNTED}
        models = {
            str(r[0] or "none"): int(r[1]) for r in conn.execute(
                "SELECT embed_model, COUNT(*) FROM memory_docs GROUP BY embed_model"
            ).fetchall()
        }
        pragma = {
            name: int(conn.execute(f"PRAGMA {name}").fetchone()[0])
            for name in ("user_version", "page_size", "page_count", "freelist_count")
        }
    finally:
        conn.close()
    return DbStats(
        str(database), _size(database), _size(database.with_name(database.name + "-wal")),
        pragma["user_version"], pragma["page_size"], pragma["page_count"], pragma["freelist_count"],
        counts, models,
    )


def vacuum(database: Path) -> tuple[int, int]:
    """Merge the FTS index, then rebuild the file without free pages; returns bytes before, after."""
    before = _size(database) + _size(database.with_name(database.name + "-wal"))
    conn = connect_sync(database)
    try:
        conn.execute("INSERT INTO memory_fts(memory_fts) VALUES ('optimize')")
        conn.commit()
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return before, _size(database) + _size(database.with_name(database.name + "-wal"))


def backup(database: Path, target: Path) -> int:
    """An online, consistent copy (SQLite backup API) while the app may be writing; returns bytes."""
    if target.exists():
        raise StoreError(f"{target} already exists; choose a new file for the backup.")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = connect_sync(database)
    try:
        dest = connect_sync(target)
        try:
            # One step (pages=-1) copies under a single read snapshot, so the copy is consistent.
            source.backup(dest, pages=-1)
            dest.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            dest.close()
    finally:
        source.close()
    return _size(target)


def prune(database: Path, older_than_days: float) -> int:
    """Delete sessions not used for `older_than_days` days, with everything they own."""
    cutoff = time.time() - older_than_days * 86400.0
    conn = connect_sync(database)
    try:
        with immediate_transaction(conn):
            ids = [r[0] for r in conn.execute(
                "SELECT id FROM sessions WHERE updated_at < ?", (cutoff,)
            ).fetchall()]
            # Everything a session owns goes with it (ON DELETE CASCADE).
            conn.executemany("DELETE FROM sessions WHERE id=?", [(i,) for i in ids])
    finally:
        conn.close()
    return len(ids)
