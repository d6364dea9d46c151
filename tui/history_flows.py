"""HistoryFlows: undo and redo of turns, a session's checkpoints and the command audit, for the app."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.app import SystemCommand
from textual.screen import Screen

from tui.dialog_flows import DialogFlows


class HistoryFlows(DialogFlows):
    """Base of GlassboxApp with the flows of turn history (engine.turns) and the audit (engine.audit)."""

    def _dashboard_in_front(self) -> bool:
        # Keys of the dashboard must not act behind a dialog.
        return len(self.screen_stack) == 1

    def action_undo_turn(self) -> None:
        """Undo the last turn: it moves to a side branch and /workspace goes back a turn."""
        if self._dashboard_in_front() and self._idle() and self.dashboard.session_id:
            self.run_action_task(self._move_turn("undo"))

    def action_redo_turn(self) -> None:
        """Redo the turn the last undo moved aside, with its files."""
        if self._dashboard_in_front() and self._idle() and self.dashboard.session_id:
            self.run_action_task(self._move_turn("redo"))

    async def _move_turn(self, which: str) -> None:
        assert self.engine is not None and self.dashboard.session_id is not None
        session_id = self.dashboard.session_id
        turns = self.engine.turns
        change = await (turns.undo(session_id) if which == "undo" else turns.redo(session_id))
        if change.changed:
            await self.open_session(session_id)
        severity = "warning" if change.files == "failed" or not change.changed else "information"
        self.notify(change.message, severity=severity, timeout=8)

    async def _checkpoints(self, session_id: str) -> None:
        """List a session's checkpoints; the one picked has its files put back."""
        from tui.screens.checkpoints import CheckpointsScreen

        assert self.engine is not None
        record = await self.engine.sessions.get(session_id)
        title = (record.title if record else "") or "(untitled)"
        saved = await self.engine.turns.saved(session_id)
        prompts = await self.engine.turns.prompts(session_id)
        choice = await self._ask(CheckpointsScreen(title, saved, fixed_times=self.snapshot_mode,
                                                   prompts=prompts))
        if isinstance(choice, str):
            change = await self.engine.turns.restore(choice)
            self.notify(change.message, severity="information" if change.changed else "warning",
                        timeout=8)

    async def action_exec_history(self, delta: int) -> None:
        """Show an older (-1) or newer (+1) execution of the session in the Execution pane."""
        dashboard = self.dashboard
        if (self.engine is None or not self._dashboard_in_front() or dashboard.session_id is None
                or dashboard.exec_history is None):
            return
        why = await dashboard.exec_history.step(self.engine, dashboard.session_id, dashboard.execution, delta)
        if why:
            self.notify(why)

    def action_audit(self) -> None:
        """Open the command audit: every execution across sessions."""
        from tui.screens.audit import AuditScreen

        if self.engine is None or not self._dashboard_in_front():
            return
        self.push_screen(AuditScreen(self.engine.audit, Path.cwd(), fixed_times=self.snapshot_mode))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Undo last turn", "Move the last turn aside and put its files back",
                            self.action_undo_turn)
        yield SystemCommand("Redo turn", "Bring back the turn the last undo moved aside",
                            self.action_redo_turn)
        yield SystemCommand("Command audit", "Every execution across sessions: filter, open, export",
                            self.action_audit)
