"""Blocking upkeep of the memory index: backfill of unindexed rows and re-embedding with a new model."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.memory.embedder import Embedder
from engine.memory.index import blob
from engine.store.db import connect_sync
from engine.store.executions import output_sql
from engine.store.migrations import VEC_TABLES, vec0_table_sql

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
            f"SELECT e.id, e.session_id, e.run_id, e.code, {output_sql('stdout')},"
            f" {output_sql('stderr')}, e.exit_code, r.assistant_message_id"
            " FROM executions e JOIN runs r ON r.id = e.run_id"
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
