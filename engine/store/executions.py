"""Executions in the store: their rows, their output as append-only chunks, and their files."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, get_args

from engine.events import Stream
from engine.store.db import immediate_transaction
from engine.store.records import ArtifactRecord, ExecutionRecord, new_id, row_to

T = TypeVar("T")

OutputPiece = tuple[Stream, str]
"""Text one stream printed, in the order it arrived."""

_APPEND_SQL = (
    # seq is the next after the execution's last chunk (one probe of the primary key, however much
    # is saved); an execution that was never recorded gets nothing, as the old UPDATE did.
    "INSERT INTO execution_output_chunks(execution_id, seq, stream, text)"
    " SELECT e.id, (SELECT COALESCE(MAX(c.seq), -1) + 1 FROM execution_output_chunks c"
    " WHERE c.execution_id = e.id), ?, ? FROM executions e WHERE e.id = ?"
)


def output_sql(stream: Stream, alias: str = "e") -> str:
    """SQL for everything one stream of execution `alias` printed: the column the output was kept
    in before schema v8 (empty since), then the chunks in order."""
    # The primary key (execution_id, seq) hands the chunks over in seq order, and an ORDER BY in
    # the subquery keeps SQLite from flattening it into the aggregate.
    return (f"({alias}.{stream} || COALESCE((SELECT group_concat(text, '') FROM (SELECT text FROM"
            f" execution_output_chunks WHERE execution_id = {alias}.id AND stream = '{stream}'"
            " ORDER BY seq)), ''))")


_OUTPUT: dict[str, str] = {stream: output_sql(stream) for stream in get_args(Stream)}
EXECUTION_COLUMNS = ", ".join(
    f"{_OUTPUT[name]} AS {name}" if name in _OUTPUT else f"e.{name}"
    for name in ExecutionRecord.__dataclass_fields__ if name != "artifacts")
"""Every column of an execution as ExecutionRecord has them (output joined), from `executions e`."""


def merged(pieces: Sequence[OutputPiece]) -> list[OutputPiece]:
    """Consecutive pieces of one stream as one (fewer rows; the order between streams is kept)."""
    out: list[tuple[Stream, list[str]]] = []
    for stream, text in pieces:
        if not text:
            continue
        if out and out[-1][0] == stream:
            out[-1][1].append(text)
        else:
            out.append((stream, [text]))
    return [(stream, "".join(parts)) for stream, parts in out]


def append_rows(conn: Any, exec_id: str, pieces: Sequence[OutputPiece]) -> None:
    """Insert the pieces as the execution's next chunks (blocking; inside the caller's transaction)."""
    conn.executemany(_APPEND_SQL, [(stream, text, exec_id) for stream, text in merged(pieces)])


class ExecutionQueries:
    """The Store's reads and writes of executions and their artifacts (a mixin of Store)."""

    if TYPE_CHECKING:
        async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]: ...

        async def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

        async def call(self, fn: Callable[[Any], T]) -> T: ...

    async def add_execution(
        self, exec_id: str, *, language: str, code: str, run_id: str | None = None,
        step_id: str | None = None, session_id: str | None = None, limits: dict[str, Any] | None = None,
    ) -> None:
        """Record an execution as started."""
        await self.execute(
            "INSERT INTO executions(id, run_id, step_id, session_id, language, code, limits,"
            " started_at) VALUES (?,?,?,?,?,?,?,?)",
            (exec_id, run_id, step_id, session_id, language, code,
             json.dumps(limits) if limits else None, time.time()),
        )

    async def append_execution_output(self, exec_id: str, pieces: Sequence[OutputPiece]) -> None:
        """Save output that arrived since the last save (the execution may still be running).

        Only the new text is written, as new chunk rows: a save costs the same whatever the
        execution printed before it."""
        if not any(text for _, text in pieces):
            return

        def write(conn: Any) -> None:
            with immediate_transaction(conn):
                append_rows(conn, exec_id, pieces)

        await self.call(write)

    async def finish_execution(
        self, exec_id: str, *, exit_code: int, duration_s: float, peak_memory_bytes: int | None,
        timed_out: bool, oom_killed: bool, truncated: bool, cancelled: bool = False,
        rest: Sequence[OutputPiece] = (),
    ) -> None:
        """Record how an execution ended, with `rest`: its output not saved yet (nothing saved
        before is written again)."""
        outcome = (exit_code, duration_s, peak_memory_bytes, int(timed_out), int(oom_killed),
                   int(truncated), int(cancelled), time.time(), exec_id)

        def write(conn: Any) -> None:
            with immediate_transaction(conn):
                append_rows(conn, exec_id, rest)
                conn.execute(
                    "UPDATE executions SET exit_code=?, duration_s=?, peak_memory_bytes=?,"
                    " timed_out=?, oom_killed=?, truncated=?, cancelled=?, finished_at=? WHERE id=?",
                    outcome)

        await self.call(write)

    async def add_artifact(
        self, execution_id: str, *, name: str, path: str, size: int, mime: str
    ) -> str:
        """Record a file an execution produced."""
        artifact_id = new_id()
        await self.execute(
            "INSERT INTO artifacts(id, execution_id, name, path, size, mime, created_at)"
            " VALUES (?,?,?,?,?,?,?)",
            (artifact_id, execution_id, name, path, size, mime, time.time()),
        )
        return artifact_id

    async def executions(self, run_id: str) -> list[ExecutionRecord]:
        """Executions of a run, oldest first, with their output and artifacts (two queries in all)."""
        rows = await self.fetchall(
            f"SELECT {EXECUTION_COLUMNS} FROM executions e WHERE e.run_id=? ORDER BY e.started_at",
            (run_id,))
        artifacts: dict[str, list[ArtifactRecord]] = {}
        for row in await self.fetchall(
            "SELECT a.* FROM artifacts a JOIN executions e ON e.id = a.execution_id"
            " WHERE e.run_id=? ORDER BY a.name", (run_id,)
        ):
            artifacts.setdefault(row["execution_id"], []).append(row_to(ArtifactRecord, row))
        return [dataclasses.replace(row_to(ExecutionRecord, r), artifacts=tuple(artifacts.get(r["id"], ())))
                for r in rows]
