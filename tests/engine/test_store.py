"""The SQLite file: WAL, migrations, sqlite-vec, branching messages, recovery, disk full."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import StoreError
from engine.store.db import connect_sync
from engine.store.migrations import MIGRATIONS
from engine.store.repository import Store


async def test_file_is_wal_migrated_and_loads_sqlite_vec(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "g.db")
    try:
        assert (await store.fetchone("PRAGMA journal_mode"))[0] == "wal"
        assert (await store.fetchone("PRAGMA user_version"))[0] == MIGRATIONS[-1][0]
        assert (await store.fetchone("SELECT vec_version()"))[0].startswith("v0.1")
        row = await store.fetchone("SELECT vec_distance_cosine('[1,0]', '[0,1]')")
        assert row[0] == pytest.approx(1.0)
    finally:
        await store.close()
    # Re-opening an up-to-date file applies nothing and keeps the data.
    store = await Store.open(tmp_path / "g.db")
    assert (await store.fetchone("PRAGMA user_version"))[0] == MIGRATIONS[-1][0]
    await store.close()


async def test_messages_branch_by_parent_id(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "g.db")
    session = await store.create_session()
    q = await store.add_message(session.id, "user", "first question")
    a1 = await store.add_message(session.id, "assistant", "answer one", parent_id=q.id)
    a2 = await store.add_message(session.id, "assistant", "answer two", parent_id=q.id)
    follow = await store.add_message(session.id, "user", "more on one", parent_id=a1.id)
    assert [m.content for m in await store.conversation(session.id, a2.id)] == [
        "first question", "answer two"]
    assert [m.id for m in await store.conversation(session.id)] == [q.id, a1.id, follow.id]
    assert (await store.get_session(session.id[:6])).title == "first question"  # type: ignore[union-attr]
    await store.close()


async def test_runs_of_dead_processes_are_marked_interrupted(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "g.db")
    session = await store.create_session()
    user = await store.add_message(session.id, "user", "hi")
    run = await store.start_run(session.id, user.id, "a1", "m")
    await store.add_message(session.id, "assistant", "partial", parent_id=user.id,
                            status="incomplete", run_id=run.id, message_id="a1")
    await store.execute("UPDATE runs SET pid=? WHERE id=?", (2**22 + 12345, run.id))
    await store.close()
    store = await Store.open(tmp_path / "g.db")
    recovered = await store.get_run(run.id)
    assert recovered is not None and recovered.status == "interrupted"
    message = await store.get_message("a1")
    assert message is not None and message.incomplete and message.content == "partial"
    await store.close()


async def test_disk_full_is_a_clear_error_and_keeps_saved_data(tmp_path: Path) -> None:
    path = tmp_path / "g.db"
    store = await Store.open(path)
    session = await store.create_session("kept")
    await store.add_message(session.id, "user", "saved before the disk filled")
    pages = (await store.fetchone("PRAGMA page_count"))[0]
    # A page cap is how SQLite reports a full disk: SQLITE_FULL, the same code path.
    await store.conn.execute(f"PRAGMA max_page_count={pages + 1}")
    with pytest.raises(StoreError, match="full") as info:
        for _ in range(50):
            await store.add_message(session.id, "user", "x" * 50_000)
    assert "intact" in str(info.value)
    await store.close()
    conn = connect_sync(path)
    contents = [r[0] for r in conn.execute("SELECT content FROM messages")]
    conn.close()
    assert "saved before the disk filled" in contents


async def test_usage_totals_by_run_session_and_all_time(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "g.db")
    s1, s2 = await store.create_session(), await store.create_session()
    common = dict(model="m", cached_prompt_tokens=0, ttft_s=0.1, tokens_per_s=50.0,
                  duration_s=1.0, context_used=10, context_max=100, step_id=None)
    await store.add_usage(run_id="r1", session_id=s1.id, prompt_tokens=10, completion_tokens=5, **common)
    await store.add_usage(run_id="r2", session_id=s1.id, prompt_tokens=20, completion_tokens=7, **common)
    await store.add_usage(run_id="r3", session_id=s2.id, prompt_tokens=1, completion_tokens=1, **common)
    assert (await store.usage_totals(run_id="r2")).prompt_tokens == 20
    assert (await store.usage_totals(session_id=s1.id)).completion_tokens == 12
    assert (await store.usage_totals()).prompt_tokens == 31
    await store.close()


async def test_a_write_cannot_commit_inside_another_coroutines_transaction(tmp_path: Path) -> None:
    import asyncio

    store = await Store.open(tmp_path / "g.db")
    kept = await store.create_session("kept")
    doomed = await store.create_session("doomed")
    entered = asyncio.Event()

    async def failing_transaction() -> None:
        with pytest.raises(StoreError):
            async with store.transaction() as conn:
                await conn.execute("UPDATE sessions SET title='changed' WHERE id=?", (doomed.id,))
                entered.set()
                await asyncio.sleep(0.05)  # another coroutine writes meanwhile
                await conn.execute("INSERT INTO no_such_table VALUES (1)")

    async def other_write() -> None:
        await entered.wait()
        await store.execute("UPDATE sessions SET title='renamed' WHERE id=?", (kept.id,))

    await asyncio.gather(failing_transaction(), other_write())
    assert (await store.get_session(kept.id)).title == "renamed"  # type: ignore[union-attr]
    # Without the write lock the other write's COMMIT would have committed this update too.
    assert (await store.get_session(doomed.id)).title == "doomed"  # type: ignore[union-attr]
    await store.close()
