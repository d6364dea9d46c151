"""ExecHistory: the Execution pane shows a session's newest execution; [ and ] step through the older ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.presenter import restore_execution

if TYPE_CHECKING:
    from engine.service import Engine
    from widgets.execution import ExecPane

HINT = "[ older · ] newer"


class ExecHistory:
    """Which of the session's executions the pane shows (read from the store one at a time)."""

    def __init__(self) -> None:
        self.shown: str | None = None
        self._count = 0

    async def show_newest(self, engine: Engine, session_id: str, pane: ExecPane) -> None:
        """On opening a session: its newest execution, with a hint when there are older ones."""
        pane.border_subtitle = ""
        self.shown, self._count = None, 0
        ids = await engine.audit.session_execution_ids(session_id)
        if ids:
            await self._show(engine, pane, ids, len(ids) - 1)

    async def step(self, engine: Engine, session_id: str, pane: ExecPane, delta: int) -> str | None:
        """Show the execution `delta` away from the one shown; returns why not, if it cannot."""
        if pane.running:
            return "Code is running: wait for it to end to look at earlier executions."
        ids = await engine.audit.session_execution_ids(session_id)
        if not ids:
            return "No code has run in this session yet."
        # A run since the last step put its own (newest) execution in the pane.
        current = ids.index(self.shown) if self.shown in ids and self._count == len(ids) else len(ids) - 1
        target = min(max(current + delta, 0), len(ids) - 1)
        if target == current:
            return "This is the session's oldest execution." if delta < 0 else "This is the newest execution."
        await self._show(engine, pane, ids, target)
        return None

    async def _show(self, engine: Engine, pane: ExecPane, ids: list[str], index: int) -> None:
        detail = await engine.audit.detail(ids[index])
        if detail is None:
            return
        restore_execution(pane, str(detail.get("run_id") or ""), detail)
        self.shown, self._count = ids[index], len(ids)
        pane.border_subtitle = f"{index + 1} of {len(ids)} · {HINT}" if len(ids) > 1 else ""
