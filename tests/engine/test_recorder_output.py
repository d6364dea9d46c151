"""Execution output in the store: each save writes only the new text; every reader joins it back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import engine.recorder
from engine.events import CodeExecStarted, ExecFinished, ExecOutput, Stream
from engine.memory.reembed import backfill_sync
from engine.recorder import EventRecorder
from engine.store.audit import AuditQuery, execution_detail, list_executions
from engine.store.db import connect_sync, run_blocking
from engine.store.migrations import MIGRATIONS
from engine.store.repository import Store
from tests.old_databases import migrate_up_to

LINE = "line {:05d} of the output, padded to a usual width\n"


async def traced(store: Store) -> list[str]:
    """Every statement the store's connection runs from now on, with its parameters written in."""
    statements: list[str] = []
    # sqlite3's trace callback gets each statement as run, bound values expanded: what it sends.
    await run_blocking(store.conn, lambda conn: conn.set_trace_callback(statements.append))
    return statements


def sent(statements: list[str], since: int) -> int:
    return sum(len(s.encode()) for s in statements[since:])


@pytest.fixture(autouse=True)
def still_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorder's clock stands still: with a long interval only the first output is saved."""
    monkeypatch.setattr(engine.recorder, "time", SimpleNamespace(monotonic=lambda: 1e6))


async def started(tmp_path: Path, flush_interval_s: float = 0.0) -> tuple[Store, EventRecorder, str]:
    store = await Store.open(tmp_path / "g.db")
    session = await store.create_session()
    run = await store.start_run(session.id, None, None, "m")
    recorder = EventRecorder(store, session.id, flush_interval_s=flush_interval_s)
    await recorder.record(CodeExecStarted(run_id=run.id, exec_id="x", language="python", code="loop()"))
    return store, recorder, run.id


def out(run_id: str, text: str, stream: Stream = "stdout") -> ExecOutput:
    return ExecOutput(run_id=run_id, exec_id="x", stream=stream, text=text)


def finished(run_id: str) -> ExecFinished:
    return ExecFinished(run_id=run_id, exec_id="x", exit_code=0, duration_s=1.0, peak_memory_bytes=None)


async def test_a_save_writes_only_what_arrived_since_the_last_one(tmp_path: Path) -> None:
    store, recorder, run_id = await started(tmp_path)
    statements = await traced(store)
    chunk = "".join(LINE.format(n) for n in range(400))  # 20 KB a save
    per_save: list[int] = []
    for _ in range(30):  # 600 KB saved in all by the last save
        before = len(statements)
        await recorder.record(out(run_id, chunk))
        per_save.append(sent(statements, before))
    # The trace does carry the values (else this test could not tell a rewrite from an append).
    assert per_save[0] >= len(chunk)
    # Each save sends its new 20 KB and a fixed overhead; rewriting the output so far sent up to 600 KB.
    assert max(per_save) < len(chunk) + 2_000, per_save
    assert max(per_save) - min(per_save) < 200, per_save
    before = len(statements)
    await recorder.record(finished(run_id))
    assert sent(statements, before) < 2_000  # the final save writes the outcome, not the output
    (execution,) = await store.executions(run_id)
    assert execution.stdout == chunk * 30 and execution.exit_code == 0
    await store.close()


async def test_output_not_saved_yet_goes_with_the_outcome_and_streams_stay_apart(tmp_path: Path) -> None:
    store, recorder, run_id = await started(tmp_path, flush_interval_s=3600.0)
    await recorder.record(out(run_id, "one\n"))  # the first output is saved at once
    pieces: list[tuple[Stream, str]] = [("stdout", "two\n"), ("stderr", "warn A\n"), ("stdout", "thr"),
                                        ("stdout", "ee\n"), ("stderr", "warn B\n")]
    for stream, text in pieces:
        await recorder.record(out(run_id, text, stream))
    (running,) = await store.executions(run_id)
    assert (running.stdout, running.stderr, running.exit_code) == ("one\n", "", None)
    await recorder.record(finished(run_id))
    (done,) = await store.executions(run_id)
    assert (done.stdout, done.stderr) == ("one\ntwo\nthree\n", "warn A\nwarn B\n")
    chunks = await store.fetchall(
        "SELECT seq, stream, text FROM execution_output_chunks WHERE execution_id='x' ORDER BY seq")
    # Consecutive pieces of a stream become one row; the order between the streams is kept.
    assert [tuple(r) for r in chunks] == [(0, "stdout", "one\n"), (1, "stdout", "two\n"),
                                          (2, "stderr", "warn A\n"), (3, "stdout", "three\n"),
                                          (4, "stderr", "warn B\n")]
    detail = await execution_detail(store, "x")
    assert detail is not None and (detail["stdout"], detail["stderr"]) == (done.stdout, done.stderr)
    # A search finds text that spans two saves.
    assert [r.id for r in await list_executions(store, AuditQuery(text="two\nthr"))] == ["x"]
    assert await list_executions(store, AuditQuery(text="three\nwarn")) == []
    await store.close()


async def test_output_saved_before_a_crash_reads_back(tmp_path: Path) -> None:
    store, recorder, run_id = await started(tmp_path, flush_interval_s=3600.0)
    await recorder.record(out(run_id, "shown and saved\n"))
    await recorder.record(out(run_id, "not saved yet\n"))
    await store.close()  # the process dies: no ExecFinished, no flush
    reopened = await Store.open(tmp_path / "g.db")
    (execution,) = await reopened.executions(run_id)
    assert execution.stdout == "shown and saved\n" and execution.exit_code is None
    await reopened.close()


async def test_a_failed_save_is_tried_again_with_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, recorder, run_id = await started(tmp_path)
    original: Callable[..., Any] = store.append_execution_output
    calls: list[int] = []

    async def failing_once(exec_id: str, pieces: Any) -> None:
        calls.append(len(pieces))
        if len(calls) == 1:
            raise OSError("disk full")
        await original(exec_id, pieces)

    monkeypatch.setattr(store, "append_execution_output", failing_once)
    with pytest.raises(OSError):
        await recorder.record(out(run_id, "a\n"))
    await recorder.record(out(run_id, "b\n"))
    (execution,) = await store.executions(run_id)
    assert execution.stdout == "a\nb\n" and calls == [1, 2]
    await store.close()


async def test_output_kept_in_the_old_column_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "v7.db"
    conn = connect_sync(path)
    try:
        migrate_up_to(conn, 7)
        conn.execute("INSERT INTO sessions(id, title, created_at, updated_at) VALUES ('s', 'old', 0, 0)")
        conn.execute("INSERT INTO runs(id, session_id, status, started_at) VALUES ('r', 's', 'completed', 0)")
        conn.execute("INSERT INTO executions(id, run_id, session_id, language, code, stdout, stderr,"
                     " exit_code, started_at, finished_at) VALUES ('old', 'r', 's', 'python', 'p()',"
                     " 'printed by v7\n', 'warned by v7\n', 0, 0, 1)")
        conn.commit()
    finally:
        conn.close()
    store = await Store.open(path)
    assert (await store.fetchone("PRAGMA user_version"))[0] == MIGRATIONS[-1][0]
    (execution,) = await store.executions("r")
    assert (execution.stdout, execution.stderr) == ("printed by v7\n", "warned by v7\n")
    detail = await execution_detail(store, "old")
    assert detail is not None and detail["stdout"] == "printed by v7\n"
    assert [r.id for r in await list_executions(store, AuditQuery(text="printed by v7"))] == ["old"]
    assert await store.call(backfill_sync) == 1
    (doc,) = await store.fetchall("SELECT text FROM memory_docs WHERE execution_id='old'")
    assert "printed by v7" in doc[0] and "warned by v7" in doc[0]
    await store.delete_session("s")
    await store.close()


async def test_deleting_the_session_deletes_the_chunks(tmp_path: Path) -> None:
    store, recorder, run_id = await started(tmp_path)
    await recorder.record(out(run_id, "kept until the session goes\n"))
    (session_id,) = (await store.fetchone("SELECT session_id FROM runs WHERE id=?", (run_id,)))
    await store.delete_session(session_id)
    assert (await store.fetchone("SELECT COUNT(*) FROM execution_output_chunks"))[0] == 0
    await store.close()
