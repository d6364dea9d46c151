"""HistoryFlows: undo and redo of turns, a session's checkpoints and the command audit, for the app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from tui.flow_host import ask, idle, run_flow

if TYPE_CHECKING:
    from tui.flow_host import FlowHost


class HistoryFlows:
    """The app's flows of turn history (engine.turns) and the audit (engine.audit)."""

    def __init__(self, host: FlowHost) -> None:
        self.host = host

    def _dashboard_in_front(self) -> bool:
        # Keys of the dashboard must not act behind a dialog.
        return len(self.host.screen_stack) == 1

    def action_undo_turn(self) -> None:
        """Undo the last turn: it moves to a side branch and /workspace goes back a turn."""
        if self._dashboard_in_front() and idle(self.host) and self.host.dashboard.session_id:
            run_flow(self.host, self._move_turn("undo"))

    def action_redo_turn(self) -> None:
        """Redo the turn the last undo moved aside, with its files."""
        if self._dashboard_in_front() and idle(self.host) and self.host.dashboard.session_id:
            run_flow(self.host, self._move_turn("redo"))

    async def _move_turn(self, which: str) -> None:
        assert self.host.engine is not None and self.host.dashboard.session_id is not None
        session_id = self.host.dashboard.session_id
        turns = self.host.engine.turns
        change = await (turns.undo(session_id) if which == "undo" else turns.redo(session_id))
        if change.changed:
            await self.host.open_session(session_id)
        severity = "warning" if change.files == "failed" or not change.changed else "information"
        self.host.notify(change.message, severity=severity, timeout=8)

    async def checkpoints(self, session_id: str) -> None:
        """List a session's checkpoints; the one picked has its files put back."""
        from tui.screens.checkpoints import CheckpointsScreen

        assert self.host.engine is not None
        record = await self.host.engine.sessions.get(session_id)
        title = (record.title if record else "") or "(untitled)"
        saved = await self.host.engine.turns.saved(session_id)
        prompts = await self.host.engine.turns.prompts(session_id)
        screen = CheckpointsScreen(title, saved, fixed_times=self.host.snapshot_mode, prompts=prompts)
        choice = await ask(self.host, screen)
        if isinstance(choice, str):
            change = await self.host.engine.turns.restore(choice)
            self.host.notify(change.message, severity="information" if change.changed else "warning",
                             timeout=8)

    async def action_exec_history(self, delta: int) -> None:
        """Show an older (-1) or newer (+1) execution of the session in the Execution pane."""
        dashboard = self.host.dashboard
        if (self.host.engine is None or not self._dashboard_in_front() or dashboard.session_id is None
                or dashboard.exec_history is None):
            return
        engine, session_id = self.host.engine, dashboard.session_id
        why = await dashboard.exec_history.step(engine, session_id, dashboard.execution, delta)
        if why:
            self.host.notify(why)

    def action_audit(self) -> None:
        """Open the command audit: every execution across sessions."""
        from tui.screens.audit import AuditScreen

        if self.host.engine is None or not self._dashboard_in_front():
            return
        audit = self.host.engine.audit
        self.host.push_screen(AuditScreen(audit, Path.cwd(), fixed_times=self.host.snapshot_mode))

    def system_commands(self) -> Iterator[SystemCommand]:
        """The palette's commands of these flows."""
        yield SystemCommand("Undo last turn", "Move the last turn aside and put its files back",
                            self.action_undo_turn)
        yield SystemCommand("Redo turn", "Bring back the turn the last undo moved aside",
                            self.action_redo_turn)
        yield SystemCommand("Command audit", "Every execution across sessions: filter, open, export",
                            self.action_audit)
