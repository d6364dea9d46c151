"""The command audit: every execution across sessions in a table, filtered, opened in full, exported."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Label, Select

from engine.errors import GlassboxError
from engine.store.audit import AUDIT_STATUSES, AuditQuery, AuditRow, CommandAudit
from widgets.execution import human_bytes

PAGE = 200
"""Rows read at a time; moving the cursor near the end reads the next page."""
_STYLES = {"ok": "green", "failed": "red", "timeout": "red", "memory": "red", "cancelled": "yellow",
           "running": "yellow", "interrupted": "yellow"}


def export_name(fmt: str, now: float | None = None) -> str:
    """glassbox-executions-20261202-171500.csv"""
    return f"glassbox-executions-{datetime.fromtimestamp(now or time.time()):%Y%m%d-%H%M%S}.{fmt}"


class AuditScreen(ModalScreen[None]):
    """Executions newest first. Type to filter by text (code, output, session title), pick a status,
    Enter opens one, F5 exports CSV and F6 JSON lines to the folder Glassbox was started in."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="audit_close", tooltip="Close the audit"),
        Binding("f2", "cycle_status", "Status", id="audit_status", tooltip="Next status filter"),
        Binding("f5", "export('csv')", "Export CSV", id="audit_export_csv",
                tooltip="Export the filtered list as CSV"),
        Binding("f6", "export('jsonl')", "Export JSONL", id="audit_export_jsonl",
                tooltip="Export the filtered list as JSON lines"),
    ]
    DEFAULT_CSS = """
    AuditScreen { align: center middle; }
    AuditScreen > Vertical { width: 100%; height: 100%; background: $surface; padding: 0 1; }
    AuditScreen #audit-filters { height: auto; }
    AuditScreen #audit-text { width: 1fr; }
    AuditScreen #audit-status { width: 24; }
    AuditScreen #audit-table { height: 1fr; }
    AuditScreen #audit-count { color: $text-muted; }
    """

    def __init__(self, audit: CommandAudit, export_dir: Path, *, fixed_times: bool = False) -> None:
        super().__init__()
        self.audit = audit
        self.export_dir = export_dir
        self.fixed_times = fixed_times
        self.query_ = AuditQuery()
        self.rows: list[AuditRow] = []
        self.total = 0
        self._loading = False
        self._generation = 0
        self.last_export: Path | None = None
        """The file the last export wrote."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Command audit: every execution, newest first", classes="dialog-title")
            with Horizontal(id="audit-filters"):
                yield Input(placeholder="filter: text in code, output or session title…", id="audit-text")
                yield Select([(s, s) for s in AUDIT_STATUSES], value="all", allow_blank=False,
                             id="audit-status")
            yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
            yield Label("", id="audit-count")
            yield Footer()

    async def on_mount(self) -> None:
        table = self.table
        # The code comes last: at 80 columns what is cut is its end, not the outcome.
        for label, key in (("time", "time"), ("status", "status"), ("duration", "duration"),
                           ("peak mem", "peak"), ("lang", "lang"), ("session", "session"),
                           ("code", "code")):
            table.add_column(label, key=key)
        await self.reload()
        table.focus()

    @property
    def table(self) -> DataTable[Any]:
        """The executions table."""
        return self.query_one("#audit-table", DataTable)

    async def reload(self) -> None:
        """Read the first page for the current filters."""
        self._generation += 1
        generation = self._generation
        rows, total = await self.audit.page(self.query_, limit=PAGE)
        if generation != self._generation:
            return  # a newer filter was typed meanwhile
        self.rows, self.total = rows, total
        self.table.clear()
        self._add_rows(rows)
        self._show_count()

    async def _more(self) -> None:
        if self._loading or len(self.rows) >= self.total:
            return
        self._loading = True
        try:
            rows, self.total = await self.audit.page(self.query_, limit=PAGE, offset=len(self.rows))
            self.rows += rows
            self._add_rows(rows)
            self._show_count()
        finally:
            self._loading = False

    def _add_rows(self, rows: list[AuditRow]) -> None:
        from rich.text import Text

        for row in rows:
            stamp = datetime.fromtimestamp(row.started_at)
            started = "--:--:--" if self.fixed_times else f"{stamp:%m-%d %H:%M:%S}"
            status = f"exit {row.exit_code}" if row.status == "failed" else row.status
            self.table.add_row(
                started, Text(status, style=_STYLES.get(row.status, "")),
                "—" if row.duration_s is None else f"{row.duration_s:.2f} s",
                human_bytes(row.peak_memory_bytes), row.language,
                (row.session_title or "(untitled)")[:20], row.first_line[:100], key=row.id)

    def _show_count(self) -> None:
        shown = len(self.rows)
        more = " · move down for more" if shown < self.total else ""
        text = f"{shown:,} of {self.total:,} execution(s){more} · Enter opens one"
        if not self.total:
            text = "No execution matches." if self.query_ != AuditQuery() else "No code has run yet."
        self.query_one("#audit-count", Label).update(text)

    @on(Input.Changed, "#audit-text")
    async def _text_changed(self, event: Input.Changed) -> None:
        self.query_ = AuditQuery(self.query_.status, event.value)
        await self.reload()

    @on(Input.Submitted, "#audit-text")
    def _text_submitted(self) -> None:
        self.table.focus()

    @on(Select.Changed, "#audit-status")
    async def _status_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.query_.status:
            self.query_ = AuditQuery(event.value, self.query_.text)  # type: ignore[arg-type]
            await self.reload()

    def action_cycle_status(self) -> None:
        index = AUDIT_STATUSES.index(self.query_.status)
        self.query_one("#audit-status", Select).value = AUDIT_STATUSES[(index + 1) % len(AUDIT_STATUSES)]

    @on(DataTable.RowHighlighted, "#audit-table")
    async def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= len(self.rows) - 5:
            await self._more()

    @on(DataTable.RowSelected, "#audit-table")
    async def _open(self, event: DataTable.RowSelected) -> None:
        exec_id = event.row_key.value
        detail = await self.audit.detail(exec_id) if exec_id else None
        if detail is None:
            self.notify("That execution is gone.", severity="warning")
            return
        from tui.screens.execution_detail import ExecutionDetailScreen

        await self.app.push_screen(ExecutionDetailScreen(detail, fixed_times=self.fixed_times))

    async def action_export(self, fmt: str) -> None:
        path = self.export_dir / export_name(fmt)
        try:
            count = await self.audit.export(self.query_, path)
        except GlassboxError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        self.notify(f"Exported {count:,} execution(s) to {path}", timeout=10)
        self.last_export = path

    def action_close(self) -> None:
        self.dismiss(None)
