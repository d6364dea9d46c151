"""`glassbox db`: stats, vacuum, an online consistent backup, prune, and the v2 migration."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from engine.errors import StoreError
from engine.memory.maintenance import backup, db_stats, prune, vacuum
from engine.store.db import connect_sync
from engine.store.migrations import MIGRATIONS
from tests.engine.test_memory_support import ask, count, open_engine
from tui.cli import main as cli


async def seed(home: Path, n: int = 3) -> list[str]:
    engine = await open_engine(home, ["An answer."])
    ids = []
    try:
        for i in range(n):
            session = await engine.new_session()
            await ask(engine, session.id, f"task number {i}: sum of squares 1 to {i + 5}")
            ids.append(session.id)
    finally:
        await engine.close()
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


async def test_backup_is_consistent_while_the_app_writes(gb_home: Path) -> None:
    await seed(gb_home)
    engine = await open_engine(gb_home, ["An answer."])
    try:
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
    finally:
        await engine.close()


async def test_prune_deletes_old_sessions_with_their_vectors(gb_home: Path) -> None:
    old, *recent = await seed(gb_home)
    conn = connect_sync(gb_home / "glassbox.db")
    conn.execute("UPDATE sessions SET updated_at=? WHERE id=?", (time.time() - 40 * 86400, old))
    conn.commit()
    conn.close()
    assert prune(gb_home / "glassbox.db", 30) == 1
    engine = await open_engine(gb_home)
    try:
        assert [s.id for s in await engine.store.list_sessions()] == list(reversed(recent))
        assert await count(engine, "memory_docs", "session_id=?", (old,)) == 0
        assert await count(engine, "vec_messages") == 4 and await count(engine, "vec_tasks") == 2
        assert await count(engine, "memory_cache") == 2
        assert all(h.session_id != old for h in await engine.search("task number 0"))
    finally:
        await engine.close()


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
