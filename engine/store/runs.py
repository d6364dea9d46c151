"""Runs and their steps in the store: starting, finishing, judging, listing and recovering them."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

import psutil

from engine.store.records import RunRecord, RunSummary, StepRecord, new_id, row_to

if TYPE_CHECKING:
    import aiosqlite


class RunQueries:
    """The Store's reads and writes of runs and steps (a mixin of Store)."""

    if TYPE_CHECKING:
        async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

        async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

        async def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

        def transaction(self) -> AbstractAsyncContextManager[aiosqlite.Connection]: ...

    async def start_run(
        self, session_id: str, user_message_id: str | None, assistant_message_id: str | None,
        model: str, run_id: str | None = None,
    ) -> RunRecord:
        """Record a run as running, owned by this process."""
        record = RunRecord(
            run_id or new_id(), session_id, user_message_id, assistant_message_id, "running", "",
            None, model, time.time(), None,
        )
        await self.execute(
            "INSERT INTO runs(id, session_id, user_message_id, assistant_message_id, status,"
            " model, pid, started_at) VALUES (?,?,?,?,?,?,?,?)",
            (record.id, session_id, user_message_id, assistant_message_id, "running", model,
             os.getpid(), record.started_at),
        )
        return record

    async def finish_run(
        self, run_id: str, status: str, *, reason: str = "", error: str | None = None
    ) -> None:
        """Record how a run ended."""
        await self.execute(
            "UPDATE runs SET status=?, reason=?, error=?, finished_at=? WHERE id=?",
            (status, reason, error, time.time(), run_id),
        )

    async def mark_run_wrong(self, run_id: str) -> bool:
        """Record that a run's answer is wrong: it never serves the cache or an example again."""
        if not await self.fetchall("SELECT 1 FROM runs WHERE id=?", (run_id,)):
            return False
        async with self.transaction() as conn:
            await conn.execute("UPDATE runs SET verdict='wrong' WHERE id=?", (run_id,))
            await conn.execute("DELETE FROM memory_cache WHERE run_id=?", (run_id,))
        return True

    async def wrong_runs(self, run_ids: list[str]) -> set[str]:
        """Those of `run_ids` the user marked wrong."""
        if not run_ids:
            return set()
        marks = ",".join("?" for _ in run_ids)
        rows = await self.fetchall(
            f"SELECT id FROM runs WHERE verdict='wrong' AND id IN ({marks})", tuple(run_ids))
        return {str(r[0]) for r in rows}

    async def get_run(self, run_id: str) -> RunRecord | None:
        """A run by id or unique prefix."""
        rows = await self.fetchall("SELECT * FROM runs WHERE id LIKE ? || '%' LIMIT 2", (run_id,))
        return row_to(RunRecord, rows[0]) if len(rows) == 1 else None

    async def runs(self, session_id: str) -> list[RunRecord]:
        """Runs of a session, oldest first."""
        rows = await self.fetchall(
            "SELECT * FROM runs WHERE session_id=? ORDER BY started_at", (session_id,)
        )
        return [row_to(RunRecord, r) for r in rows]

    async def run_summaries(self, session_id: str | None = None, limit: int = 50) -> list[RunSummary]:
        """Newest runs with their task text, step count and tokens (for `glassbox runs list`)."""
        where, params = ("WHERE r.session_id=?", [session_id, limit]) if session_id else ("", [limit])
        rows = await self.fetchall(
            "SELECT r.*, m.content AS task, (SELECT COUNT(*) FROM steps s WHERE s.run_id=r.id) AS nsteps,"
            " (SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) FROM usage u"
            "  WHERE u.run_id=r.id) AS tokens"
            f" FROM runs r LEFT JOIN messages m ON m.id=r.user_message_id {where}"
            " ORDER BY r.started_at DESC LIMIT ?", params,
        )
        return [RunSummary(row_to(RunRecord, r), r["task"] or "", int(r["nsteps"]), int(r["tokens"]))
                for r in rows]

    async def recover_interrupted(self) -> int:
        """Mark runs of dead processes as interrupted and their streaming replies incomplete."""
        rows = await self.fetchall("SELECT id, pid, started_at FROM runs WHERE status='running'")
        dead = [r for r in rows if not _run_owner_alive(r["pid"], float(r["started_at"]))]
        if not dead:
            return 0
        async with self.transaction() as conn:
            for row in dead:
                await conn.execute(
                    "UPDATE runs SET status='interrupted', reason='the app stopped during the run',"
                    " finished_at=? WHERE id=?", (time.time(), row["id"]),
                )
                await conn.execute(
                    "UPDATE messages SET status='incomplete' WHERE run_id=? AND status!='complete'",
                    (row["id"],),
                )
                await conn.execute(
                    "UPDATE steps SET status='failure', reason='interrupted' WHERE run_id=?"
                    " AND status IN ('running','pending')", (row["id"],),
                )
                # Output saved so far stays; the missing exit code says the execution never ended.
                await conn.execute(
                    "UPDATE executions SET finished_at=? WHERE run_id=? AND finished_at IS NULL",
                    (time.time(), row["id"]),
                )
        return len(dead)

    # -- steps ------------------------------------------------------------------------

    async def add_step(
        self, run_id: str, kind: str, *, step_id: str | None = None, parent_id: str | None = None,
        title: str = "", status: str = "running", input: Any = None,
    ) -> str:
        """Record a step as started; returns its id."""
        step_id = step_id or new_id()
        row = await self.fetchone("SELECT COALESCE(MAX(seq), 0) + 1 FROM steps WHERE run_id=?", (run_id,))
        await self.execute(
            "INSERT INTO steps(id, run_id, parent_id, seq, kind, status, title, input, started_at)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (step_id, run_id, parent_id, int(row[0]), kind, status, title,
             json.dumps(input) if input is not None else None, time.time()),
        )
        return step_id

    async def finish_step(
        self, step_id: str, status: str, *, output: Any = None, strategy: str | None = None,
        reason: str | None = None, tokens: int = 0, duration_s: float | None = None,
    ) -> None:
        """Record a step's outcome."""
        now = time.time()
        await self.execute(
            "UPDATE steps SET status=?, output=?, strategy=?, reason=?, tokens=?, finished_at=?,"
            " duration_s=COALESCE(?, ? - started_at) WHERE id=?",
            (status, json.dumps(output) if output is not None else None, strategy, reason, tokens,
             now, duration_s, now, step_id),
        )

    async def set_step_output(self, step_id: str, output: Any) -> None:
        """Replace a step's recorded output."""
        await self.execute("UPDATE steps SET output=? WHERE id=?", (json.dumps(output), step_id))

    async def steps(self, run_id: str) -> list[StepRecord]:
        """Steps of a run in the order they started."""
        rows = await self.fetchall("SELECT * FROM steps WHERE run_id=? ORDER BY seq", (run_id,))
        return [row_to(StepRecord, r) for r in rows]


def _run_owner_alive(pid: int | None, started_at: float) -> bool:
    """Whether the process that started a run still runs (not a later process given its pid)."""
    if not pid:
        return False
    try:
        created = float(psutil.Process(pid).create_time())
    except psutil.NoSuchProcess:
        return False
    except psutil.Error:
        return True  # it exists but cannot be inspected: assume it is the owner
    # Process start times are rounded; a second of slack keeps a run started at once alive.
    return created <= started_at + 1.0
