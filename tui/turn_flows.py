"""TurnFlows: actions on the run going and on the last turn (cancel, kill, continue, rerun, mark wrong)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol

from textual.app import SystemCommand

from tui.flow_host import DashboardHost
from widgets.execution import ExecPane

if TYPE_CHECKING:

    from engine.service import Engine, RunHandle


class TurnHost(DashboardHost, Protocol):
    """The part of tui.flow_host.FlowHost these actions use."""

    @property
    def engine(self) -> Engine | None: ...

    @property
    def handle(self) -> RunHandle | None:
        """The run going in the session on screen."""
        ...

    async def submit(self, text: str, *, fresh: bool = False,
                     session_id: str | None = None) -> RunHandle | None:
        """Start a run for a prompt in a session (default: the one on screen); None when not sent."""
        ...

    def follow(self, handle: RunHandle) -> RunHandle:
        """Show a started run: its events flow to the dashboard."""
        ...


class TurnFlows:
    """The app's actions on the run in the session on screen and on that session's newest turn.
    `decline` declines the approval the run on screen waits for (tui.runs.LiveRuns.decline_current)."""

    def __init__(self, host: TurnHost, *, decline: Callable[[], None]) -> None:
        self.host = host
        self._decline = decline

    def action_cancel_run(self) -> None:
        """Cancel the running turn (generation stops within a token; executions are killed; a run
        waiting for the model ends without it)."""
        handle = self.host.handle
        if handle is None:
            return
        handle.cancel()
        self._decline()
        self.host.notify("Cancelling the run…")

    def action_kill_exec(self) -> None:
        """Kill the running execution by cancelling its run."""
        handle = self.host.handle
        if handle is None or not self.host.dashboard.query_one(ExecPane).running:
            self.host.notify("No execution is running.")
            return
        handle.cancel()
        self.host.notify("Killing the execution…")

    async def _last_turn(self) -> tuple[str, str, str] | None:
        """(prompt, reply id, run id) of the session's newest turn, if it has one."""
        engine, session_id = self.host.engine, self.host.dashboard.session_id
        if engine is None or session_id is None:
            return None
        history = await engine.history(session_id)
        reply = next((m for m in reversed(history) if m.role == "assistant"), None)
        prompt = next((m for m in reversed(history) if m.role == "user"), None)
        if reply is None or prompt is None:
            return None
        return prompt.content, reply.id, reply.run_id or ""

    async def action_continue_reply(self) -> None:
        """Continue the last reply if it was cut off (token limit, cancel)."""
        turn = await self._last_turn()
        engine, session_id = self.host.engine, self.host.dashboard.session_id
        if engine is None or self.host.handle is not None or turn is None or session_id is None:
            self.host.notify("Nothing to continue now.", severity="warning")
            return
        record = await engine.sessions.message(turn[1])
        if record is None or not record.incomplete:
            self.host.notify("The last reply is complete: there is nothing to continue.")
            return
        self.host.follow(engine.continue_reply(session_id, turn[1]))

    async def action_rerun_fresh(self) -> None:
        """Run the last prompt again without the cache (after a cache hit you doubt)."""
        turn = await self._last_turn()
        if turn is None:
            self.host.notify("No prompt to run again.", severity="warning")
            return
        await self.host.submit(turn[0], fresh=True)

    async def action_mark_wrong(self) -> None:
        """Mark the last answer wrong: never served from the cache or shown as an example again."""
        turn = await self._last_turn()
        engine = self.host.engine
        if engine is None or turn is None or not turn[2]:
            self.host.notify("No answer to mark.", severity="warning")
            return
        await engine.mark_wrong(turn[2])
        self.host.notify("Marked wrong: it will not be served from the cache or used as an example. "
                         "F9 runs the prompt again without the cache.")

    def system_commands(self) -> Iterator[SystemCommand]:
        """The palette's commands of these actions."""
        commands = (
            ("Cancel run", "Cancel the running turn", self.action_cancel_run),
            ("Continue reply", "Continue the last reply if it was cut off", self.action_continue_reply),
            ("Mark answer wrong", "Keep the last answer out of the cache and the examples",
             self.action_mark_wrong),
            ("Run again without cache", "Run the last prompt fresh, never from the cache",
             self.action_rerun_fresh),
            ("Kill execution", "Kill the running execution", self.action_kill_exec),
        )
        for title, help_text, callback in commands:
            yield SystemCommand(title, help_text, callback)
