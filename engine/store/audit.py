"""The command audit: every execution across sessions, filtered by status and text, a page at a time."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from engine.errors import StoreError
from engine.store.executions import EXECUTION_COLUMNS, output_sql
from engine.store.repository import Store

AuditStatus = Literal["all", "ok", "failed", "killed", "unfinished"]
AUDIT_STATUSES: tuple[AuditStatus, ...] = ("all", "ok", "failed", "killed", "unfinished")
"""ok: exit 0; failed: another exit code; killed: timeout, memory or cancel; unfinished: still
running, or the app stopped during it."""

_STATUS_SQL = (
    "CASE WHEN e.exit_code IS NULL AND e.finished_at IS NULL THEN 'running'"
    " WHEN e.exit_code IS NULL THEN 'interrupted'"
    " WHEN e.timed_out THEN 'timeout' WHEN e.oom_killed THEN 'memory'"
    " WHEN e.cancelled THEN 'cancelled' WHEN e.exit_code = 0 THEN 'ok' ELSE 'failed' END"
)
_STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "ok": ("ok",), "failed": ("failed",), "killed": ("timeout", "memory", "cancelled"),
    "unfinished": ("running", "interrupted"),
}
EXPORT_FIELDS = ("id", "started_at", "session_id", "session_title", "language", "status",
                 "exit_code", "duration_s", "peak_memory_bytes", "run_id", "code")


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which executions to list: a status group, text in the code, output or session title."""

    status: AuditStatus = "all"
    text: str = ""


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One execution as the audit lists it."""

    id: str
    started_at: float
    session_id: str | None
    session_title: str
    language: str
    first_line: str
    status: str
    """ok, failed, timeout, memory, cancelled, running or interrupted."""
    exit_code: int | None
    duration_s: float | None
    peak_memory_bytes: int | None
    run_id: str | None


def _where(query: AuditQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if query.status != "all":
        group = _STATUS_GROUPS[query.status]
        clauses.append(f"{_STATUS_SQL} IN ({','.join('?' for _ in group)})")
        params += group
    if query.text.strip():
        needle = query.text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = "LIKE '%' || ? || '%' ESCAPE '\\'"
        columns = ("e.code", output_sql("stdout"), output_sql("stderr"), "s.title")
        clauses.append("(" + " OR ".join(f"{column} {like}" for column in columns) + ")")
        params += [needle] * 4
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


_FROM = " FROM executions e LEFT JOIN sessions s ON s.id = e.session_id "


def _row(row: Any) -> AuditRow:
    head = str(row["head"] or "").lstrip("\n")
    first = head.split("\n", 1)[0].rstrip()
    if "\n" in head.strip("\n"):
        first += " …"
    return AuditRow(
        str(row["id"]), float(row["started_at"]), row["session_id"], str(row["title"] or ""),
        str(row["language"]), first, str(row["status"]), row["exit_code"], row["duration_s"],
        row["peak_memory_bytes"], row["run_id"],
    )


async def list_executions(store: Store, query: AuditQuery, *, limit: int = 200,
                          offset: int = 0) -> list[AuditRow]:
    """One page of executions, newest first (only the code's start is read)."""
    where, params = _where(query)
    rows = await store.fetchall(
        f"SELECT e.id, e.started_at, e.session_id, s.title AS title, e.language,"
        f" substr(e.code, 1, 400) AS head, {_STATUS_SQL} AS status, e.exit_code, e.duration_s,"
        f" e.peak_memory_bytes, e.run_id{_FROM}{where} ORDER BY e.started_at DESC LIMIT ? OFFSET ?",
        (*params, limit, offset),
    )
    return [_row(r) for r in rows]


async def count_executions(store: Store, query: AuditQuery) -> int:
    """How many executions match."""
    where, params = _where(query)
    row = await store.fetchone(f"SELECT COUNT(*){_FROM}{where}", params)
    return int(row[0]) if row else 0


async def execution_detail(store: Store, exec_id: str) -> dict[str, Any] | None:
    """One execution in full (code, output, limits, outcome), with its session's title and files."""
    row = await store.fetchone(
        f"SELECT {EXECUTION_COLUMNS}, s.title AS session_title, {_STATUS_SQL} AS status{_FROM}"
        " WHERE e.id=?", (exec_id,))
    if row is None:
        return None
    detail = dict(row)
    detail["artifacts"] = [dict(a) for a in await store.fetchall(
        "SELECT name, path, size, mime FROM artifacts WHERE execution_id=? ORDER BY name", (exec_id,))]
    return detail


async def export_lines(store: Store, query: AuditQuery, fmt: Literal["csv", "jsonl"],
                       batch: int = 500) -> AsyncIterator[str]:
    """Every matching execution (newest first) as CSV (a header first) or JSON lines."""
    where, params = _where(query)
    if fmt == "csv":
        yield _csv_line(EXPORT_FIELDS)
    offset = 0
    while True:
        rows = await store.fetchall(
            f"SELECT e.id, e.started_at, e.session_id, COALESCE(s.title, '') AS session_title,"
            f" e.language, {_STATUS_SQL} AS status, e.exit_code, e.duration_s, e.peak_memory_bytes,"
            f" e.run_id, e.code{_FROM}{where} ORDER BY e.started_at DESC LIMIT ? OFFSET ?",
            (*params, batch, offset))
        for row in rows:
            item = {name: row[name] for name in EXPORT_FIELDS}
            yield (_csv_line([item[n] for n in EXPORT_FIELDS]) if fmt == "csv"
                   else json.dumps(item, ensure_ascii=False) + "\n")
        if len(rows) < batch:
            return
        offset += batch


def _csv_line(values: Any) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["" if v is None else v for v in values])
    return buffer.getvalue()


def row_dict(row: AuditRow) -> dict[str, Any]:
    """An AuditRow as a plain dict."""
    return asdict(row)


class CommandAudit:
    """The audit as the engine facade offers it (`engine.audit`)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def page(self, query: AuditQuery, *, limit: int = 200,
                   offset: int = 0) -> tuple[list[AuditRow], int]:
        """A page of matching executions, newest first, and how many match in all."""
        rows = await list_executions(self.store, query, limit=limit, offset=offset)
        return rows, await count_executions(self.store, query)

    async def detail(self, exec_id: str) -> dict[str, Any] | None:
        """One execution in full."""
        return await execution_detail(self.store, exec_id)

    async def session_execution_ids(self, session_id: str) -> list[str]:
        """A session's executions, oldest first (ids only: the Execution pane opens one at a time)."""
        rows = await self.store.fetchall(
            "SELECT id FROM executions WHERE session_id=? ORDER BY started_at, rowid", (session_id,))
        return [str(r[0]) for r in rows]

    async def export(self, query: AuditQuery, path: Path) -> int:
        """Write every matching execution to `path` (.csv: CSV, else JSON lines); returns how
        many. Raises StoreError when the file cannot be written."""
        fmt: Literal["csv", "jsonl"] = "csv" if path.suffix.lower() == ".csv" else "jsonl"
        count = 0
        try:
            with path.open("w", encoding="utf-8", newline="") as out:
                async for line in export_lines(self.store, query, fmt):
                    out.write(line)
                    count += 1
        except OSError as exc:
            raise StoreError(f"Could not write {path}: {exc.strerror or exc}.") from None
        return count - (1 if fmt == "csv" else 0)
