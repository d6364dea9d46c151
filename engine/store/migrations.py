"""Schema migrations, applied in order by PRAGMA user_version. Append only; never edit."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

SCHEMA_V1 = """
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    token_budget INTEGER
);
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    parent_id TEXT REFERENCES messages(id) ON DELETE SET NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'complete',
    cached INTEGER NOT NULL DEFAULT 0,
    run_id TEXT,
    created_at REAL NOT NULL
);
CREATE INDEX messages_session ON messages(session_id, created_at);
CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_message_id TEXT,
    assistant_message_id TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    reason TEXT NOT NULL DEFAULT '',
    error TEXT,
    model TEXT NOT NULL DEFAULT '',
    pid INTEGER,
    started_at REAL NOT NULL,
    finished_at REAL
);
CREATE INDEX runs_session ON runs(session_id, started_at);
CREATE TABLE steps (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    parent_id TEXT,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    input TEXT,
    output TEXT,
    strategy TEXT,
    reason TEXT,
    tokens INTEGER NOT NULL DEFAULT 0,
    started_at REAL NOT NULL,
    finished_at REAL,
    duration_s REAL
);
CREATE INDEX steps_run ON steps(run_id, seq);
CREATE TABLE executions (
    id TEXT PRIMARY KEY,
    run_id TEXT,
    step_id TEXT,
    session_id TEXT,
    language TEXT NOT NULL,
    code TEXT NOT NULL,
    stdout TEXT NOT NULL DEFAULT '',
    stderr TEXT NOT NULL DEFAULT '',
    exit_code INTEGER,
    duration_s REAL,
    peak_memory_bytes INTEGER,
    timed_out INTEGER NOT NULL DEFAULT 0,
    oom_killed INTEGER NOT NULL DEFAULT 0,
    truncated INTEGER NOT NULL DEFAULT 0,
    cancelled INTEGER NOT NULL DEFAULT 0,
    limits TEXT,
    started_at REAL NOT NULL,
    finished_at REAL
);
CREATE INDEX executions_run ON executions(run_id);
CREATE TABLE artifacts (
    id TEXT PRIMARY KEY,
    execution_id TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE usage (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT,
    step_id TEXT,
    session_id TEXT,
    model TEXT NOT NULL DEFAULT '',
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cached_prompt_tokens INTEGER NOT NULL DEFAULT 0,
    ttft_s REAL,
    tokens_per_s REAL,
    duration_s REAL,
    context_used INTEGER,
    context_max INTEGER,
    created_at REAL NOT NULL
);
CREATE INDEX usage_session ON usage(session_id);
CREATE INDEX usage_run ON usage(run_id);
"""

# Memory: every indexed text is a memory_docs row (kind message, task or execution); its
# vector lives in the vec0 table of its kind under the same rowid and its words in memory_fts.
# embed_model names the model that made the vector, so a changed model can be re-embedded.
SCHEMA_V2 = """
CREATE TABLE memory_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO memory_meta(key, value) VALUES ('dim', '384');
CREATE TABLE memory_docs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    session_id TEXT REFERENCES sessions(id) ON DELETE CASCADE,
    run_id TEXT,
    message_id TEXT,
    execution_id TEXT,
    text TEXT NOT NULL,
    embed_model TEXT,
    created_at REAL NOT NULL
);
CREATE INDEX memory_docs_session ON memory_docs(session_id);
CREATE INDEX memory_docs_run ON memory_docs(run_id);
CREATE INDEX memory_docs_model ON memory_docs(embed_model);
CREATE VIRTUAL TABLE vec_messages USING vec0(embedding float[384] distance_metric=cosine);
CREATE VIRTUAL TABLE vec_tasks USING vec0(embedding float[384] distance_metric=cosine);
CREATE VIRTUAL TABLE vec_executions USING vec0(embedding float[384] distance_metric=cosine);
CREATE VIRTUAL TABLE memory_fts USING fts5(
    text, content='memory_docs', content_rowid='id', tokenize='porter unicode61'
);
CREATE TRIGGER memory_docs_ai AFTER INSERT ON memory_docs BEGIN
    INSERT INTO memory_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER memory_docs_ad AFTER DELETE ON memory_docs BEGIN
    INSERT INTO memory_fts(memory_fts, rowid, text) VALUES ('delete', old.id, old.text);
    DELETE FROM vec_messages WHERE rowid = old.id;
    DELETE FROM vec_tasks WHERE rowid = old.id;
    DELETE FROM vec_executions WHERE rowid = old.id;
END;
CREATE TABLE memory_cache (
    run_id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    task_doc_id INTEGER NOT NULL REFERENCES memory_docs(id) ON DELETE CASCADE,
    context_key TEXT NOT NULL,
    task TEXT NOT NULL,
    answer TEXT NOT NULL,
    message_id TEXT,
    created_at REAL NOT NULL
);
CREATE INDEX memory_cache_key ON memory_cache(context_key);
"""


VEC_TABLES: dict[str, str] = {
    "message": "vec_messages", "task": "vec_tasks", "execution": "vec_executions",
}
"""The vec0 table holding each kind of memory doc's vector (same rowid as the doc)."""


def vec0_table_sql(table: str, dim: int) -> str:
    """How a vector table is made since v3 (migrations and a change of embedding model use it)."""
    return f"CREATE VIRTUAL TABLE {table} USING vec0(embedding float[{dim}] distance_metric=l2)"


def vec0_l2_v3(conn: Any) -> None:
    """Re-create the vec0 tables with the L2 metric, keeping every rowid and vector."""
    # Why L2: sqlite-vec 0.1.10's vec0 scans with an AVX kernel only for L2 and sizes divisible
    # by 16, as 384 is (cosine stays scalar, about 4x slower at 100k x 384; bench/vectors.py).
    # Every stored and queried vector is unit length, where d^2 = 2 - 2*cos: L2 ranks exactly
    # as cosine did, and engine/memory/index.py turns d back into cosine as 1 - d^2/2.
    for table in ("vec_messages", "vec_tasks", "vec_executions"):
        sql = str(conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0])
        # The vector size is the table's own: a re-embed with another model may have changed it.
        size = re.search(r"float\[(\d+)\]", sql)
        if size is None:
            raise ValueError(f"{table} has no float[N] column: {sql}")
        conn.execute(f"CREATE TEMP TABLE vec_copy AS SELECT rowid AS id, embedding FROM {table}")
        conn.execute(f"DROP TABLE {table}")
        conn.execute(vec0_table_sql(table, int(size[1])))
        conn.execute(f"INSERT INTO {table}(rowid, embedding) SELECT id, embedding FROM vec_copy ORDER BY id")
        conn.execute("DROP TABLE temp.vec_copy")


# v4: the user's verdict on a run's answer ('wrong' keeps it out of the cache and the examples).
SCHEMA_V4 = """
ALTER TABLE runs ADD COLUMN verdict TEXT;
"""

# v5: executions and usage go with their session (they had no foreign key, so every delete
# named them by hand). Function migrations run with foreign keys off, as SQLite's table-rebuild
# procedure requires: dropping the old executions table must not cascade to its artifacts.
CASCADED_TABLES = ("executions", "usage")


def session_cascade_v5(conn: Any) -> None:
    """Rebuild executions and usage with session_id REFERENCES sessions ON DELETE CASCADE."""
    for table in CASCADED_TABLES:
        sql = str(conn.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name=?",
                               (table,)).fetchone()[0])
        rebuilt, found = re.subn(r"\bsession_id TEXT\b(?! REFERENCES)",
                                 "session_id TEXT REFERENCES sessions(id) ON DELETE CASCADE", sql, count=1)
        if not found:
            raise ValueError(f"{table} has no plain session_id column: {sql}")
        rebuilt = rebuilt.replace(f"CREATE TABLE {table}", f"CREATE TABLE {table}_v5", 1)
        columns = [str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})").fetchall()]
        # A session deleted without its rows (a crash mid-delete) leaves them with no session.
        values = ["CASE WHEN session_id IN (SELECT id FROM sessions) THEN session_id END"
                  if c == "session_id" else c for c in columns]
        indexes = [str(r[0]) for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name=? AND sql IS NOT NULL", (table,))]
        conn.execute(rebuilt)
        conn.execute(f"INSERT INTO {table}_v5({', '.join(columns)}) SELECT {', '.join(values)} FROM {table}")
        conn.execute(f"DROP TABLE {table}")
        conn.execute(f"ALTER TABLE {table}_v5 RENAME TO {table}")
        for index_sql in indexes:
            conn.execute(index_sql)
    conn.execute("CREATE INDEX executions_session ON executions(session_id)")


# v6 (conversation tree): the message a session's shown path ends at (NULL: its newest), and an
# index for a message's replies (each turn counts its siblings).
SCHEMA_V6_CONVERSATION_TREE = """
ALTER TABLE sessions ADD COLUMN active_leaf_id TEXT;
CREATE INDEX messages_parent ON messages(parent_id);
"""



# v7, checkpoints and undo: the session's current leaf (NULL: its newest message; '': before its
# first message), the leaf an undo left (redo walks back towards it) and the saved /workspace
# of each turn (the tar files live in the data directory; the rows say where).
CHECKPOINTS_TABLES = """
CREATE TABLE checkpoints (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    run_id TEXT,
    message_id TEXT,
    turn INTEGER NOT NULL,
    files INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    archive TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX checkpoints_session ON checkpoints(session_id, created_at);
CREATE INDEX executions_started ON executions(started_at);
"""


def checkpoints_v7(conn: Any) -> None:
    """Add the checkpoints table and the sessions' leaf columns (active_leaf_id only if missing)."""
    columns = {str(row[1]) for row in conn.execute("PRAGMA table_info(sessions)").fetchall()}
    for column in ("active_leaf_id", "undone_leaf_id"):
        if column not in columns:
            conn.execute(f"ALTER TABLE sessions ADD COLUMN {column} TEXT")
    for statement in CHECKPOINTS_TABLES.split(";"):
        if statement.strip():
            conn.execute(statement)


# v8: execution output is saved as chunk rows, appended as it arrives; rewriting the whole output
# at each save cost ~90 ms at 9 MB on the event loop's path. The executions.stdout and stderr
# columns keep what older versions saved there (engine/store/executions.py reads both).
SCHEMA_V8_OUTPUT_CHUNKS = """
CREATE TABLE execution_output_chunks (
    execution_id TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    stream TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (execution_id, seq)
);
"""


Migration = str | Callable[[Any], None]
"""An SQL script, or a function of the blocking connection for what SQL alone cannot say."""

# (version, migration); each runs in one transaction with its PRAGMA user_version.
MIGRATIONS: list[tuple[int, Migration]] = [
    (1, SCHEMA_V1),
    (2, SCHEMA_V2),
    (3, vec0_l2_v3),
    (4, SCHEMA_V4),
    (5, session_cascade_v5),
    (6, SCHEMA_V6_CONVERSATION_TREE),
    (7, checkpoints_v7),
    (8, SCHEMA_V8_OUTPUT_CHUNKS),
]
