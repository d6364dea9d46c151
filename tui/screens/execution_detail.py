"""One execution in full: its code, output, outcome, limits and files (opened from the command audit)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from widgets.execution import human_bytes


def _facts(detail: dict[str, Any], fixed_times: bool) -> str:
    started = detail.get("started_at")
    when = ("--" if fixed_times or not started
            else f"{datetime.fromtimestamp(float(started)):%Y-%m-%d %H:%M:%S}")
    duration = detail.get("duration_s")
    facts = [
        f"status: {detail.get('status')}",
        f"exit: {'—' if detail.get('exit_code') is None else detail['exit_code']}",
        f"duration: {'—' if duration is None else f'{float(duration):.2f} s'}",
        f"peak memory: {human_bytes(detail.get('peak_memory_bytes'))}",
        f"started: {when}",
        f"session: {detail.get('session_title') or '(untitled)'} ({str(detail.get('session_id') or '')[:8]})",
        f"run: {str(detail.get('run_id') or '—')[:8]}",
    ]
    if detail.get("truncated"):
        facts.append("output truncated")
    if detail.get("limits"):
        try:
            limits = json.loads(detail["limits"])
            facts.append("limits: " + ", ".join(f"{k}={v}" for k, v in limits.items()))
        except (ValueError, AttributeError):
            facts.append(f"limits: {detail['limits']}")
    return " · ".join(facts)


class ExecutionDetailScreen(ModalScreen[None]):
    """Everything stored about one execution; Escape closes."""

    BINDINGS = [Binding("escape,q", "close", "Close", id="execution_detail_close",
                        tooltip="Close the execution")]

    def __init__(self, detail: dict[str, Any], *, fixed_times: bool = False) -> None:
        super().__init__(classes="dialog-screen")
        self.detail = detail
        self.fixed_times = fixed_times

    def compose(self) -> ComposeResult:
        detail = self.detail
        language = str(detail.get("language") or "python")
        with Vertical(classes="dialog -wide"):
            yield Label(f"Execution {str(detail.get('id'))[:8]} ({language})", classes="dialog-title")
            with VerticalScroll(id="execution-detail-body", can_focus=True):
                yield Static(_facts(detail, self.fixed_times), markup=False)
                yield Label("code", classes="section-title")
                lexer = "bash" if language in ("bash", "sh", "shell") else language
                yield Static(Syntax(str(detail.get("code") or "").rstrip("\n"), lexer, line_numbers=True,
                                    word_wrap=True, theme="ansi_dark"))
                for stream, style in (("stdout", ""), ("stderr", "red")):
                    text = str(detail.get(stream) or "")
                    if text:
                        yield Label(stream, classes="section-title")
                        yield Static(Text(text.rstrip("\n"), style=style))
                files = detail.get("artifacts") or []
                if files:
                    yield Label("files", classes="section-title")
                    lines = [f"{a['name']}  ({human_bytes(a['size'])}, {a['mime']})  {a['path']}"
                             for a in files]
                    yield Static("\n".join(lines), markup=False)
            yield Label("Esc closes", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#execution-detail-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
