"""Store: typed reads and writes of sessions, messages, runs, steps, executions and usage."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

from engine.errors import StoreError
from engine.store.db import connect, is_disk_full, run_blocking
from engine.store.executions import ExecutionQueries
from engine.store.records import (
    EMPTY_PATH,
    SESSION_MESSAGES_SQL,
    SESSIONS_SQL,
    MessageRecord,
    RunRecord,
    SessionRecord,
    StepRecord,
    UsageRecord,
    UsageTotals,
    branch,
    new_id,
    row_to,
)
from engine.store.runs import RunQueries
from engine.store.tree import TreeQueries

T = TypeVar("T")

__all__ = ["MessageRecord", "RunRecord", "SessionRecord", "StepRecord", "Store", "UsageTotals", "new_id"]


class Store(ExecutionQueries, TreeQueries, RunQueries):
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
