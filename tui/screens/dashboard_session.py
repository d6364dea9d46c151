"""SessionView: how the dashboard shows a stored session: messages, runs' steps, newest execution, cost."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from widgets import first_frame
from widgets.activity import StepInfo
from widgets.chat import ChatItem
from widgets.cost import BudgetView, UsageView

if TYPE_CHECKING:
    from textual.message_pump import Callback

    from engine.glance import Glance
    from engine.store.records import MessageRecord, RunRecord, StepRecord, UsageRecord
    from tui.exec_history import ExecHistory
    from tui.host import DashboardHost
    from tui.presenter import RunPresenter
    from widgets.activity import ActivityPane
    from widgets.chat import ChatPane
    from widgets.cost import CostPane
    from widgets.execution import ExecPane

HISTORY_RUNS = 50
"""Runs of a session shown in Activity when it opens (older ones: `glassbox runs list`)."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def chat_items(messages: Iterable[MessageRecord]) -> list[ChatItem]:
    """The chat's view of stored messages (user and assistant ones)."""
    return [ChatItem(m.id, m.role, m.content, m.incomplete, m.cached)
            for m in messages if m.role in ("user", "assistant")]


def step_from_record(record: StepRecord) -> StepInfo:
    """A stored step as the Activity pane shows it."""
    return StepInfo(
        step_id=record.id, kind=record.kind, title=record.title, status=record.status,
        parent_step_id=record.parent_id, duration_s=record.duration_s, tokens=record.tokens,
        input=_text(record.input), output=_text(record.output), strategy=record.strategy,
        reason=record.reason,
    )


class SessionView:
    """The part of DashboardScreen that shows a stored session (a mixin: DashboardScreen provides
    the attributes below).

    A session opens with its newest messages painted first; older messages, every run's steps,
    the newest execution and the cost follow that frame. A run still going is left out of what is
    read from the store: its own events are replayed into the panes."""

    if TYPE_CHECKING:
        session_id: str | None
        exec_history: ExecHistory | None

        @property
        def gb(self) -> DashboardHost: ...

        @property
        def presenter(self) -> RunPresenter: ...

        @property
        def chat(self) -> ChatPane: ...

        @property
        def execution(self) -> ExecPane: ...

        @property
        def activity(self) -> ActivityPane: ...

        @property
        def cost(self) -> CostPane: ...

        def update_topbar(self) -> None: ...

        async def next_frame(self) -> None: ...

        def call_after_refresh(self, callback: Callback, *args: Any, **kwargs: Any) -> bool: ...

    async def load_session(self, session_id: str, at_message: str | None = None, *,
                           live_run: str | None = None, hide: Collection[str] = ()) -> None:
        """Show a stored session as it was: messages, last run's steps and execution, cost. A run
        still going (`live_run`, its messages `hide`) is left out: its own events are replayed."""
        engine = self.gb.engine
        assert engine is not None
        self.session_id = session_id
        from tui.screens.session_tree import path_items  # with textual's Tree: not for the first frame

        tree = await engine.tree(session_id)
        if (at_message and live_run is None and tree.get(at_message)
                and all(m.id != at_message for m in tree.path())):
            # The hit is on another branch: the session shows that branch from now on (not while a
            # run goes in it: that run's reply is on the branch shown).
            tree = await engine.show_branch(session_id, at_message)
        items = [item for item in path_items(tree) if item.message_id not in hide]
        await self.chat.show_history(items)
        self.update_topbar()
        self.gb.shown.set()
        # The newest messages are painted first; older ones, the last run and the cost read and
        # mount more, so they follow the frame instead of delaying it.
        await self.next_frame()
        await self.chat.show_older()
        await self._load_last_run(session_id, {i.message_id: i.text for i in items}, live_run)
        await self.refresh_cost(live_run)
        if at_message:
            self.call_after_refresh(self.chat.scroll_to_message, at_message)

    async def show_glance(self, glance: Glance) -> None:
        """Show the last session's newest messages as read at launch, before the engine is open;
        load_session() keeps them on screen and adds the rest."""
        saved = first_frame.load(first_frame.beside(glance.database))
        await self.chat.show_glance(chat_items(glance.messages), saved)
        self.update_topbar()

    async def _load_last_run(self, session_id: str, texts: dict[str, str], live_run: str | None) -> None:
        """The session's history: every run's steps in Activity (the newest open), its newest
        execution in Execution ([ and ] step through the older ones: tui/exec_history.py)."""
        engine = self.gb.engine
        assert engine is not None
        self.activity.clear()
        self.execution.clear()
        runs = [run for run in await engine.sessions.runs(session_id) if run.id != live_run][-HISTORY_RUNS:]
        for run in runs:
            await self._show_run_steps(run, texts)
        from tui.exec_history import ExecHistory

        self.exec_history = ExecHistory()
        await self.exec_history.show_newest(engine, session_id, self.execution)

    async def _show_run_steps(self, run: RunRecord, texts: dict[str, str]) -> None:
        engine = self.gb.engine
        assert engine is not None
        title = texts.get(run.user_message_id or "", "")
        if not title and run.user_message_id:  # a run on another branch than the one shown
            message = await engine.sessions.message(run.user_message_id)
            title = message.content if message else ""
        self.activity.start_run(title)
        for record in await engine.sessions.steps(run.id):
            info = step_from_record(record)
            self.activity.step_started(info)
            if record.finished_at is not None or record.status not in ("running", "pending"):
                self.activity.step_finished(info)
            if record.kind == "plan" and isinstance(record.output, dict) and "plan" in record.output:
                self.activity.add_plan([(p["id"], p["title"], p["role"]) for p in record.output["plan"]],
                                       int(record.output.get("revision", 0)))
        if run.status not in ("completed", "running"):
            self.activity.add_event(f"run {run.status}: {run.error or run.reason}".rstrip(": "),
                                    "failure" if run.status == "failed" else "skipped")

    async def refresh_cost(self, live_run: str | None = None) -> None:
        """Session and all-time totals from the store when a session opens; the presenter adds
        each run's usage from its events after that. A run still going (`live_run`) is left out
        of both: its usage events are replayed."""
        engine = self.gb.engine
        if engine is None or self.session_id is None or self.gb.closing:
            return
        rows = await engine.sessions.usage(self.session_id)
        sums = await engine.sessions.all_time_usage()
        live = _usage_from_rows([r for r in rows if r.run_id == live_run])
        rows = [r for r in rows if r.run_id != live_run]
        all_time = UsageView.of_sums(
            sums.prompt_tokens - live.prompt_tokens, sums.completion_tokens - live.completion_tokens,
            sums.compute_s - live.compute_s, sums.calls - live.calls, sums.ttft_sum_s - live.ttft_sum_s,
            sums.decode_tokens - live.decode_tokens, sums.decode_s - live.decode_s)
        turn = UsageView()
        context = (0, 0)
        if rows:
            last_run = rows[-1].run_id
            turn = _usage_from_rows([r for r in rows if r.run_id == last_run])
            context = (rows[-1].context_used or 0, rows[-1].context_max or 0)
        speeds = [r.tokens_per_s for r in rows if r.tokens_per_s]
        self.presenter.show_totals(turn, _usage_from_rows(rows), all_time, speeds, context)
        await self.refresh_budget()

    async def refresh_budget(self) -> None:
        """Budget left for this session (session budget, else the settings default)."""
        app = self.gb
        if app.engine is None or self.session_id is None or app.closing:
            return
        record = await app.engine.sessions.get(self.session_id)
        budget = (record.token_budget if record else None) or app.engine.settings.ui.session_token_budget
        used = self.presenter.session.total
        self.cost.budget = BudgetView(budget, used) if budget else None


def _usage_from_rows(rows: list[UsageRecord]) -> UsageView:
    view = UsageView()
    for r in rows:
        view = view.plus(r.prompt_tokens, r.completion_tokens, r.ttft_s, r.tokens_per_s, r.duration_s or 0.0)
    return view
