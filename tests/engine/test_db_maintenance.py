"""`glassbox db`: stats, vacuum, an online consistent backup, prune, and the v2 and v3 migrations."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import engine.store.db
from engine.errors import StoreError
from engine.memory.embedder import Vectors, normalise
from engine.memory.index import MemoryIndex
from engine.store.db import connect_sync
from engine.store.maintenance import backup, db_stats, prune, vacuum
from engine.store.migrations import MIGRATIONS, VEC_TABLES, vec0_l2_v3
from engine.store.repository import Store
from tests.engine.test_memory_support import ask, count
from tests.fakes import Engines
from tests.old_databases import migrate_up_to
from tui.cli import main as cli


async def seed(home: Path, n: int = 3) -> list[str]:
    ids = []
    async with Engines(home) as engines:
        engine = await engines.chat(home, ["An answer."])
        for i in range(n):
            session = await engine.new_session()
            await ask(engine, session.id, f"task number {i}: sum of squares 1 to {i + 5}")
            ids.append(session.id)
    return ids


def test_migration_two_adds_vec0_and_fts5(gb_home: Path) -> None:
    assert [v for v, _ in MIGRATIONS][:2] == [1, 2]
    asyncio.run(seed(gb_home, 0))
    conn = connect_sync(gb_home / "glassbox.db")
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] >= 2
        sql = {r[0]: r[1] for r in conn.execute("SELECT name, sql FROM sqlite_master")}
        for table in ("vec_messages", "vec_tasks", "vec_executions"):
            assert "vec0" in sql[table] and "float[384]" in sql[table]
        assert "fts5" in sql["memory_fts"]
    finally:
        conn.close()


def v2_database(path: Path, dim: int) -> Vectors:
    """A version-2 file (cosine vec0 tables of `dim` floats) with 30 docs; returns 3 queries."""
    conn = connect_sync(path)
    try:
        for version, script in MIGRATIONS[:2]:
            assert isinstance(script, str)
            conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={version};\nCOMMIT;")
        if dim != 384:  # as the old re-embed made them for a model of another vector size
            for table in VEC_TABLES.values():
                conn.execute(f"DROP TABLE {table}")
                conn.execute(f"CREATE VIRTUAL TABLE {table} USING vec0(embedding float[{dim}]"
                             " distance_metric=cosine)")
        rng = np.random.default_rng(5)
        vectors = normalise(rng.standard_normal((30, dim)))
        conn.execute("INSERT INTO sessions(id, created_at, updated_at) VALUES ('s', 0, 0)")
        kinds = list(VEC_TABLES)
        for i, vector in enumerate(vectors):
            kind = kinds[i % 3]
            doc = conn.execute("INSERT INTO memory_docs(kind, session_id, text, embed_model, created_at)"
                               " VALUES (?, 's', ?, 'm', 0)", (kind, f"doc {i}")).lastrowid
            conn.execute(f"INSERT INTO {VEC_TABLES[kind]}(rowid, embedding) VALUES (?, ?)",
                         (doc, vector.tobytes()))
        conn.commit()
    finally:
        conn.close()
    return normalise(rng.standard_normal((3, dim)))


def cosine_knn(path: Path, queries: Vectors) -> dict[tuple[str, int], list[tuple[int, float]]]:
    """What the version-2 code answered: (rowid, 1 - cosine distance), nearest first."""
    conn = connect_sync(path)
    try:
        return {(kind, q): [(int(r[0]), 1.0 - float(r[1])) for r in conn.execute(
            f"SELECT rowid, distance FROM {table} WHERE embedding MATCH ? AND k = 5",
            (query.tobytes(),)).fetchall()]
            for kind, table in VEC_TABLES.items() for q, query in enumerate(queries)}
    finally:
        conn.close()


def vec_rows(path: Path) -> dict[str, list[tuple[int, bytes]]]:
    conn = connect_sync(path)
    try:
        return {t: [(int(r[0]), bytes(r[1])) for r in conn.execute(
            f"SELECT rowid, embedding FROM {t} ORDER BY rowid").fetchall()] for t in VEC_TABLES.values()}
    finally:
        conn.close()


@pytest.mark.parametrize("dim", [384, 24])
async def test_migration_three_moves_vectors_to_l2_with_the_same_answers(tmp_path: Path, dim: int) -> None:
    path = tmp_path / "v2.db"
    queries = v2_database(path, dim)
    before, rows = cosine_knn(path, queries), vec_rows(path)
    store = await Store.open(path)
    try:
        assert (await store.fetchone("PRAGMA user_version"))[0] == MIGRATIONS[-1][0]
        for table in VEC_TABLES.values():
            sql = (await store.fetchone("SELECT sql FROM sqlite_master WHERE name=?", (table,)))[0]
            assert f"float[{dim}] distance_metric=l2" in sql
        assert await store.fetchall("SELECT name FROM sqlite_temp_master") == []
        index = MemoryIndex(store)
        for (kind, q), expected in before.items():
            found = [(doc.id, similarity) for doc, similarity in await index.knn(kind, queries[q], 5, "m")]
            assert [i for i, _ in found] == [i for i, _ in expected]
            assert [s for _, s in found] == pytest.approx([s for _, s in expected], abs=1e-5)
        # The delete trigger reaches the re-created tables.
        await store.execute("DELETE FROM memory_docs WHERE id = 1")
        assert (await store.fetchone("SELECT COUNT(*) FROM vec_messages WHERE rowid = 1"))[0] == 0
    finally:
        await store.close()
    after = vec_rows(path)
    assert after["vec_messages"] == rows["vec_messages"][1:]  # every vector bit for bit, same rowid
    assert after["vec_tasks"] == rows["vec_tasks"] and after["vec_executions"] == rows["vec_executions"]


async def test_a_failed_migration_three_leaves_version_two_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "v2.db"
    queries = v2_database(path, 384)
    before, rows = cosine_knn(path, queries), vec_rows(path)

    def fails_at_the_end(conn: Any) -> None:
        vec0_l2_v3(conn)
        raise RuntimeError("power cut")

    monkeypatch.setattr(engine.store.db, "MIGRATIONS", [*MIGRATIONS[:2], (3, fails_at_the_end)])
    with pytest.raises(StoreError, match="migration to version 3 failed: power cut"):
        await Store.open(path)
    conn = connect_sync(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        assert "distance_metric=cosine" in conn.execute(
            "SELECT sql FROM sqlite_master WHERE name='vec_tasks'").fetchone()[0]
    finally:
        conn.close()
    assert vec_rows(path) == rows and cosine_knn(path, queries) == before


async def test_stats_count_rows_and_models(gb_home: Path) -> None:
    await seed(gb_home)
    stats = db_stats(gb_home / "glassbox.db")
    assert stats.counts["sessions"] == 3 and stats.counts["messages"] == 6
    assert stats.counts["vec_messages"] == 6 and stats.counts["vec_tasks"] == 3
    assert stats.counts["memory_cache"] == 3 and stats.schema_version >= 2
    assert list(stats.embed_models) == ["all-MiniLM-L6-v2.Q8_0.gguf:25285312"]
    assert stats.file_bytes > 0
    with pytest.raises(StoreError):
        db_stats(gb_home / "nope.db")


async def test_backup_is_consistent_while_the_app_writes(gb_home: Path, engines: Engines) -> None:
    await seed(gb_home)
    engine = await engines.chat(gb_home, ["An answer."])
    session = await engine.new_session()
    writer = asyncio.create_task(ask(engine, session.id, "write while backing up"))
    target = gb_home / "backups" / "copy.db"
    size = await asyncio.to_thread(backup, gb_home / "glassbox.db", target)
    await writer
    assert size > 0
    copy = connect_sync(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        messages = copy.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
        docs = copy.execute("SELECT COUNT(*) FROM memory_docs WHERE kind='message'").fetchone()[0]
        vectors = copy.execute("SELECT COUNT(*) FROM vec_messages").fetchone()[0]
        assert messages >= 6 and vectors == docs  # a whole turn or none of it
        assert copy.execute("SELECT COUNT(*) FROM memory_fts WHERE memory_fts MATCH 'squares'"
                            ).fetchone()[0] >= 3
    finally:
        copy.close()
    with pytest.raises(StoreError, match="already exists"):
        backup(gb_home / "glassbox.db", target)


async def test_prune_deletes_old_sessions_with_their_vectors(gb_home: Path, engines: Engines) -> None:
    old, *recent = await seed(gb_home)
    conn = connect_sync(gb_home / "glassbox.db")
    conn.execute("UPDATE sessions SET updated_at=? WHERE id=?", (time.time() - 40 * 86400, old))
    conn.commit()
    conn.close()
    assert prune(gb_home / "glassbox.db", 30) == 1
    engine = await engines.chat(gb_home)
    assert [s.id for s in await engine.store.list_sessions()] == list(reversed(recent))
    assert await count(engine, "memory_docs", "session_id=?", (old,)) == 0
    assert await count(engine, "vec_messages") == 4 and await count(engine, "vec_tasks") == 2
    assert await count(engine, "memory_cache") == 2
    assert all(h.session_id != old for h in await engine.search("task number 0"))


async def test_vacuum_shrinks_after_prune(gb_home: Path) -> None:
    await seed(gb_home, 4)
    prune(gb_home / "glassbox.db", -1)  # everything is "older" than tomorrow
    before, after = vacuum(gb_home / "glassbox.db")
    assert after <= before
    assert db_stats(gb_home / "glassbox.db").free_pages == 0


def test_cli_db_commands(gb_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(seed(gb_home / "data", 2))
    assert cli(["db", "stats", "--json"]) == 0
    (stats,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert stats["type"] == "db_stats" and stats["counts"]["sessions"] == 2
    assert cli(["db", "stats"]) == 0
    assert "vec_messages" in capsys.readouterr().out
    target = gb_home / "b.db"
    assert cli(["db", "backup", str(target), "--json"]) == 0
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert line["type"] == "db_backup" and target.exists()
    assert cli(["db", "backup", str(target)]) == 2  # refuses to overwrite
    capsys.readouterr()
    assert cli(["db", "vacuum", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["type"] == "db_vacuum"
    assert cli(["db", "prune", "--older-than", "30", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "type": "db_prune", "sessions_deleted": 0, "older_than_days": 30.0}


async def test_migration_five_cascades_executions_and_usage_from_sessions(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    conn = connect_sync(path)
    try:
        migrate_up_to(conn, 4)
        now = time.time()
        for sid in ("kept", "gone"):
            conn.execute("INSERT INTO sessions(id, title, created_at, updated_at) VALUES (?, '', ?, ?)",
                         (sid, now, now))
        # "lost" names a session deleted long ago without its executions (the old hand-written delete).
        for eid, sid in (("e-kept", "kept"), ("e-gone", "gone"), ("e-lost", "lost")):
            conn.execute("INSERT INTO executions(id, session_id, language, code, stdout, started_at)"
                         " VALUES (?, ?, 'python', 'print(1)', '1', ?)", (eid, sid, now))
            conn.execute("INSERT INTO artifacts(id, execution_id, name, path, size, mime, created_at)"
                         " VALUES (?, ?, 'plot.png', '/x', 3, 'image/png', ?)", (f"a-{eid}", eid, now))
            conn.execute("INSERT INTO usage(session_id, prompt_tokens, completion_tokens, created_at)"
                         " VALUES (?, 5, 7, ?)", (sid, now))
        conn.commit()
    finally:
        conn.close()
    store = await Store.open(path)
    try:
        assert (await store.fetchone("PRAGMA user_version"))[0] == MIGRATIONS[-1][0]
        rows = await store.fetchall("SELECT id, session_id, stdout FROM executions ORDER BY id")
        assert [tuple(r) for r in rows] == [("e-gone", "gone", "1"), ("e-kept", "kept", "1"),
                                            ("e-lost", None, "1")]
        assert (await store.fetchone("SELECT COUNT(*) FROM artifacts"))[0] == 3  # no cascade on rebuild
        assert (await store.fetchone("PRAGMA foreign_key_check")) is None
        await store.delete_session("gone")
        left = await store.fetchall("SELECT id FROM executions ORDER BY id")
        assert [r[0] for r in left] == ["e-kept", "e-lost"]
        assert [r[0] for r in await store.fetchall("SELECT execution_id FROM artifacts ORDER BY 1")] == [
            "e-kept", "e-lost"]
        assert [r[0] for r in await store.fetchall("SELECT session_id FROM usage ORDER BY 1")] == [
            None, "kept"]
        indexes = {r[0] for r in await store.fetchall("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"executions_run", "executions_session", "usage_session", "usage_run"} <= indexes
    finally:
        await store.close()
