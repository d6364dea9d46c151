"""Store: typed reads and writes of sessions, messages, runs, steps, executions and usage."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite
import psutil

from engine.errors import StoreError
from engine.store.db import connect, is_disk_full, run_blocking
from engine.store.executions import ExecutionQueries
from engine.store.records import (
    EMPTY_PATH,
    SESSION_MESSAGES_SQL,
    SESSIONS_SQL,
    MessageRecord,
    RunRecord,
    RunSummary,
    SessionRecord,
    StepRecord,
    UsageRecord,
    UsageTotals,
    branch,
    new_id,
    row_to,
)
from engine.store.tree import TreeQueries

T = TypeVar("T")

__all__ = ["MessageRecord", "RunRecord", "SessionRecord", "StepRecord", "Store", "UsageTotals", "new_id"]


class Store(ExecutionQueries, TreeQueries):
    """Async repository over the one SQLite file. All writes commit before returning."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        # One connection is shared by every coroutine (recorder, memory, UI); without this a
        # write from one could commit inside another's open transaction.
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Store:
        """Open (creating and migrating) the database and recover interrupted runs."""
        store = cls(await connect(path), path)
        await store.recover_interrupted()
        return store

    async def close(self) -> None:
        """Close the connection."""
        await self.conn.close()

    # -- plumbing ---------------------------------------------------------------------

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one write statement and commit."""
        async with self._write_lock:
            try:
                await self.conn.execute(sql, params)
                await self.conn.commit()
            except Exception as exc:
                raise self._wrap(exc) from None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Group several writes into one transaction (use the yielded connection, not execute())."""
        async with self._write_lock:
            try:
                await self.conn.execute("BEGIN")
                yield self.conn
                await self.conn.commit()
            except Exception as exc:
                await self.conn.rollback()
                raise self._wrap(exc) from None

    async def call(self, fn: Callable[[Any], T]) -> T:
        """Run fn(sqlite3 connection) as one job on the connection's thread, holding the write lock.

        For a batch of blocking statements (e.g. a whole turn's vectors) that must not
        interleave with other coroutines' writes and should not pay one round trip each.
        """
        async with self._write_lock:
            try:
                result = await run_blocking(self.conn, fn)
            except Exception as exc:
                raise self._wrap(exc) from None
        return result

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Rows of a query."""
        async with self.conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """First row of a query, or None."""
        async with self.conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    def _wrap(self, exc: BaseException) -> BaseException:
        if isinstance(exc, StoreError):
            return exc
        if is_disk_full(exc):
            return StoreError(
                f"The disk holding {self.path} is full; nothing new could be saved.",
                hint="Free some space; everything saved before this is intact.",
            )
        return StoreError(f"Database error in {self.path}: {exc}.")

    # -- sessions ---------------------------------------------------------------------

    async def create_session(self, title: str = "") -> SessionRecord:
        """A new, empty session."""
        now = time.time()
        record = SessionRecord(new_id(), title, now, now)
        await self.execute(
            "INSERT INTO sessions(id, title, created_at, updated_at) VALUES (?,?,?,?)",
            (record.id, record.title, now, now),
        )
        return record

    async def get_session(self, session_id: str) -> SessionRecord | None:
        """A session by id or unique id prefix."""
        rows = await self.fetchall(
            "SELECT * FROM sessions WHERE id LIKE ? || '%' LIMIT 2", (session_id,)
        )
        return row_to(SessionRecord, rows[0]) if len(rows) == 1 else None

    async def list_sessions(self, limit: int = 200) -> list[SessionRecord]:
        """Sessions, most recently used first."""
        rows = await self.fetchall(SESSIONS_SQL, (limit,))
        return [row_to(SessionRecord, r) for r in rows]

    async def latest_session(self) -> SessionRecord | None:
        """The most recently used session."""
        sessions = await self.list_sessions(limit=1)
        return sessions[0] if sessions else None

    async def rename_session(self, session_id: str, title: str) -> None:
        """Set a session's title."""
        await self.execute("UPDATE sessions SET title=? WHERE id=?", (title, session_id))

    async def set_session_budget(self, session_id: str, budget: int | None) -> None:
        """Set (or clear) a session's token budget."""
        await self.execute("UPDATE sessions SET token_budget=? WHERE id=?", (budget, session_id))

    async def delete_session(self, session_id: str) -> None:
        """Delete a session with everything it owns (messages, runs, steps, executions, usage)."""
        # Everything the session owns goes with it (ON DELETE CASCADE).
        await self.execute("DELETE FROM sessions WHERE id=?", (session_id,))

    async def touch_session(self, session_id: str) -> None:
        """Mark a session as just used."""
        await self.execute("UPDATE sessions SET updated_at=? WHERE id=?", (time.time(), session_id))

    # -- messages ---------------------------------------------------------------------

    async def add_message(
        self,
        session_id: str,
        role: str,
        content: str,
        *,
        parent_id: str | None = None,
        status: str = "complete",
        run_id: str | None = None,
        cached: bool = False,
        message_id: str | None = None,
    ) -> MessageRecord:
        """Append a message to a session (the session's latest message is the default parent)."""
        record = MessageRecord(
            message_id or new_id(), session_id, parent_id, role, content, status, cached,
            run_id, time.time(),
        )
        # Only a user message can title a session; take its first line without splitting it all.
        title = content.lstrip()[:200].split("\n", 1)[0][:60] if role == "user" else ""
        async with self.transaction() as conn:
            await conn.execute(
                "INSERT INTO messages(id, session_id, parent_id, role, content, status, cached,"
                " run_id, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (record.id, session_id, parent_id, role, content, status, int(cached), run_id,
                 record.created_at),
            )
            await conn.execute(
                "UPDATE sessions SET updated_at=?, title=CASE WHEN title='' THEN ? ELSE title END"
                " WHERE id=?",
                (record.created_at, title, session_id),
            )
            # The newest message ends the path the session shows (a new branch shows at once).
            await conn.execute("UPDATE sessions SET active_leaf_id=? WHERE id=?", (record.id, session_id))
        return record

    async def update_message(
        self, message_id: str, content: str, status: str | None = None, cached: bool | None = None
    ) -> None:
        """Replace a message's text (streamed replies are rewritten as they grow)."""
        sets, params = ["content=?"], [content]
        if status is not None:
            sets.append("status=?")
            params.append(status)
        if cached is not None:
            sets.append("cached=?")
            params.append(str(int(cached)))
        await self.execute(f"UPDATE messages SET {', '.join(sets)} WHERE id=?", (*params, message_id))

    async def message_counts(self) -> dict[str, int]:
        """Number of messages per session id."""
        rows = await self.fetchall("SELECT session_id, COUNT(*) FROM messages GROUP BY session_id")
        return {row[0]: int(row[1]) for row in rows}

    async def get_message(self, message_id: str) -> MessageRecord | None:
        """A message by id."""
        row = await self.fetchone("SELECT * FROM messages WHERE id=?", (message_id,))
        return row_to(MessageRecord, row) if row else None

    async def messages(self, session_id: str) -> list[MessageRecord]:
        """All messages of a session in order of creation."""
        rows = await self.fetchall(SESSION_MESSAGES_SQL, (session_id,))
        return [row_to(MessageRecord, r) for r in rows]

    async def conversation(self, session_id: str, leaf_id: str | None = None) -> list[MessageRecord]:
        """The branch ending at `leaf_id` (default: the session's active leaf), oldest first."""
        leaf = leaf_id or await self.active_leaf(session_id)
        if leaf == EMPTY_PATH:
            return []  # every turn undone
        return branch(await self.messages(session_id), leaf)

    async def search_messages(self, text: str, limit: int = 20) -> list[MessageRecord]:
        """Messages containing `text` (case-insensitive), newest first."""
        rows = await self.fetchall(
            "SELECT * FROM messages WHERE content LIKE '%' || ? || '%' ESCAPE '\\'"
            " ORDER BY created_at DESC LIMIT ?",
            (text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"), limit),
        )
        return [row_to(MessageRecord, r) for r in rows]

    # -- runs -------------------------------------------------------------------------

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

    # -- usage ------------------------------------------------------------------------

    async def add_usage(
        self, *, run_id: str | None, step_id: str | None, session_id: str | None, model: str,
        prompt_tokens: int, completion_tokens: int, cached_prompt_tokens: int, ttft_s: float,
        tokens_per_s: float, duration_s: float, context_used: int, context_max: int,
    ) -> None:
        """Record one model call's cost."""
        await self.execute(
            "INSERT INTO usage(run_id, step_id, session_id, model, prompt_tokens, completion_tokens,"
            " cached_prompt_tokens, ttft_s, tokens_per_s, duration_s, context_used, context_max,"
            " created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (run_id, step_id, session_id, model, prompt_tokens, completion_tokens,
             cached_prompt_tokens, ttft_s, tokens_per_s, duration_s, context_used, context_max,
             time.time()),
        )

    async def usage_totals(
        self, *, session_id: str | None = None, run_id: str | None = None
    ) -> UsageTotals:
        """Summed usage for a run, a session, or (neither given) all time."""
        where, params = "", cast(tuple[str, ...], ())
        if run_id is not None:
            where, params = "WHERE run_id=?", (run_id,)
        elif session_id is not None:
            where, params = "WHERE session_id=?", (session_id,)
        row = await self.fetchone(
            "SELECT COALESCE(SUM(prompt_tokens),0), COALESCE(SUM(completion_tokens),0),"
            f" COALESCE(SUM(duration_s),0), COUNT(*) FROM usage {where}", params,
        )
        return UsageTotals(int(row[0]), int(row[1]), float(row[2]), int(row[3]))

    async def usage_rows(self, session_id: str) -> list[UsageRecord]:
        """Per-call usage of a session, oldest first (for the tokens/s sparkline)."""
        rows = await self.fetchall(
            "SELECT * FROM usage WHERE session_id=? ORDER BY created_at", (session_id,)
        )
        return [row_to(UsageRecord, r) for r in rows]


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
