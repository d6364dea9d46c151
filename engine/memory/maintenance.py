"""Blocking maintenance of the database: re-embedding, backfill, stats, vacuum, backup, prune."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import StoreError
from engine.memory.embedder import Embedder
from engine.memory.index import VEC_TABLES, blob
from engine.store.db import connect_sync
from engine.store.migrations import vec0_table_sql

Progress = Callable[[int, int], None]
_EXEC_TEXT_CHARS = 4000


def execution_text(code: str, stdout: str, stderr: str, exit_code: int | None) -> str:
    """The searchable text of an execution: its code, then what it printed."""
    text = f"{code}\n# exit {exit_code}\n{stdout}\n{stderr}".strip()
    return text[:_EXEC_TEXT_CHARS]


def backfill_sync(conn: Any) -> int:
    """Add docs (without vectors) for finished messages and executions not yet indexed."""
    now = time.time()
    conn.execute("BEGIN IMMEDIATE")
    try:
        before = conn.execute("SELECT COUNT(*) FROM memory_docs").fetchone()[0]
        conn.execute(
            "INSERT INTO memory_docs(kind, session_id, run_id, message_id, text, created_at)"
            " SELECT 'message', m.session_id, m.run_id, m.id, m.content, ? FROM messages m"
            " LEFT JOIN runs r ON r.id = m.run_id"
            " WHERE m.content != '' AND m.role IN ('user', 'assistant')"
            " AND COALESCE(r.status, '') != 'running'"
            " AND NOT EXISTS (SELECT 1 FROM memory_docs d WHERE d.message_id = m.id"
            " AND d.kind = 'message')", (now,),
        )
        rows = conn.execute(
            "SELECT e.id, e.session_id, e.run_id, e.code, e.stdout, e.stderr, e.exit_code,"
            " r.assistant_message_id FROM executions e JOIN runs r ON r.id = e.run_id"
            " JOIN sessions s ON s.id = e.session_id WHERE r.status != 'running'"
            " AND NOT EXISTS (SELECT 1 FROM memory_docs d WHERE d.execution_id = e.id)"
        ).fetchall()
        for row in rows:
            conn.execute(
                "INSERT INTO memory_docs(kind, session_id, run_id, message_id, execution_id, text,"
                " created_at) VALUES ('execution',?,?,?,?,?,?)",
                (row[1], row[2], row[7], row[0], execution_text(row[3], row[4], row[5], row[6]), now),
            )
        after = conn.execute("SELECT COUNT(*) FROM memory_docs").fetchone()[0]
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return int(after - before)


def _ensure_dim(conn: Any, dim: int) -> None:
    row = conn.execute("SELECT value FROM memory_meta WHERE key='dim'").fetchone()
    if row is not None and int(row[0]) == dim:
        return
    # A model with another vector size needs fresh vec0 tables; every doc is re-embedded.
    conn.execute("BEGIN IMMEDIATE")
    try:
        for table in VEC_TABLES.values():
            conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute(vec0_table_sql(table, dim))
        conn.execute("UPDATE memory_docs SET embed_model = NULL")
        conn.execute("INSERT OR REPLACE INTO memory_meta(key, value) VALUES ('dim', ?)", (str(dim),))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def reembed_sync(
    database: Path, embedder: Embedder, *, on_progress: Progress | None = None,
    stop: threading.Event | None = None, batch_size: int = 64,
) -> int:
    """Give every doc a vector from `embedder` (blocking; own connection). Returns docs done."""
    conn = connect_sync(database)
    try:
        backfill_sync(conn)
        _ensure_dim(conn, embedder.dim)
        model = embedder.identity
        total = int(conn.execute(
            "SELECT COUNT(*) FROM memory_docs WHERE embed_model IS NOT ?", (model,)
        ).fetchone()[0])
        done = 0
        if on_progress is not None:
            on_progress(0, total)
        last_id = 0
        while stop is None or not stop.is_set():
            rows = conn.execute(
                "SELECT id, kind, text FROM memory_docs WHERE embed_model IS NOT ? AND id > ?"
                " ORDER BY id LIMIT ?", (model, last_id, batch_size),
            ).fetchall()
            if not rows:
                break
            vectors = embedder.embed_sync([r[2] for r in rows])
            conn.execute("BEGIN IMMEDIATE")
            try:
                for row, vector in zip(rows, vectors, strict=True):
                    table = VEC_TABLES[row[1]]
                    conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (row[0],))
                    conn.execute(
                        f"INSERT INTO {table}(rowid, embedding) VALUES (?, ?)", (row[0], blob(vector))
                    )
                    conn.execute("UPDATE memory_docs SET embed_model=? WHERE id=?", (model, row[0]))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            last_id = int(rows[-1][0])
            done += len(rows)
            if on_progress is not None:
                on_progress(done, total)
        return done
    finally:
        conn.close()


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


_COUNTED = ("sessions", "messages", "runs", "steps", "executions", "artifacts", "usage",
            "memory_docs", "memory_cache", *VEC_TABLES.values())


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
        conn.execute("BEGIN IMMEDIATE")
        try:
            ids = [r[0] for r in conn.execute(
                "SELECT id FROM sessions WHERE updated_at < ?", (cutoff,)
            ).fetchall()]
            for session_id in ids:
                # executions and usage carry no foreign key; sessions cascade to the rest.
                conn.execute("DELETE FROM executions WHERE session_id=?", (session_id,))
                conn.execute("DELETE FROM usage WHERE session_id=?", (session_id,))
                conn.execute("DELETE FROM sessions WHERE id=?", (session_id,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
    return len(ids)
