"""RunPresenter: a run's view state and the routing of its engine events to the panes (widgets only)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from engine.events import (
    ApprovalRequested,
    Artifact,
    CacheHit,
    CodeExecStarted,
    Event,
    ExecFinished,
    FileAttached,
    MemoryUsed,
    MessageDone,
    ModelWait,
    Notice,
    PlanCreated,
    RunFailed,
    RunFinished,
    RunStarted,
    SandboxRestored,
    StepFinished,
    StepStarted,
    UsageUpdated,
)
from widgets.activity import ActivityPane, StepInfo
from widgets.chat import ChatPane
from widgets.cost import CostPane, UsageView
from widgets.execution import ExecPane


@dataclass(frozen=True, slots=True)
class Panes:
    """The four panes a presenter writes to."""

    chat: ChatPane
    execution: ExecPane
    activity: ActivityPane
    cost: CostPane


class RunPresenter:
    """Per-run view state (usage of the turn, the session and all time) and event routing.

    Usage is accumulated here, from the events, in one place; the store is read only when a
    session is opened (`show_totals`)."""

    def __init__(self, panes: Panes, *, snapshot_mode: bool = False,
                 on_budget: Callable[[], Awaitable[None]] | None = None) -> None:
        self.panes = panes
        self.snapshot_mode = snapshot_mode
        self.on_budget = on_budget
        self.turn = UsageView()
        self.session = UsageView()
        self.all_time = UsageView()
        self.speeds: list[float] = []
        self._replies: list[str] = []
        self._reasons: list[str] = []
        """What this run already told the user in the chat: a reason is said once only."""

    def begin_turn(self) -> None:
        """A new run: the turn column starts from zero."""
        self.turn = UsageView()
        self.panes.cost.turn = self.turn

    def show_totals(self, turn: UsageView, session: UsageView, all_time: UsageView, speeds: list[float],
                    context: tuple[int, int] | None) -> None:
        """Totals read from the store when a session opens."""
        self.turn, self.session, self.all_time, self.speeds = turn, session, all_time, speeds
        self._show_usage()
        if context is not None:
            self.panes.cost.context = context

    async def dispatch(self, event: Event) -> None:
        """Route one engine event to the pane it belongs to."""
        chat, activity, execution = self.panes.chat, self.panes.activity, self.panes.execution
        if isinstance(event, RunStarted):
            self.begin_turn()
            self._replies, self._reasons = [], []
            await chat.add_user(event.user_message_id, event.text, _branch(event.user_siblings))
            await chat.start_reply(event.assistant_message_id, _branch(event.reply_siblings))
            activity.start_run(event.text)
            execution.new_run()
        elif isinstance(event, MessageDone):
            await chat.finish_reply(event.message_id, event.text, event.incomplete, event.cached)
            self._replies.append(event.text.lower())
            if event.incomplete and event.reason and self._say(event.reason):
                await chat.add_notice(f"The reply is incomplete: {event.reason}.", "warning")
        elif isinstance(event, UsageUpdated):
            self._add_usage(event)
        elif isinstance(event, Notice):
            await chat.add_notice(event.text, event.level)
        elif isinstance(event, RunFinished):
            if event.status != "completed" and self._say(event.reason):
                await chat.add_notice(f"Run {event.status}: {event.reason}".rstrip(": "), "warning")
            activity.add_event(f"run {event.status} · {event.duration_s:.2f} s"
                               if not self.snapshot_mode else f"run {event.status}",
                               "success" if event.status == "completed" else "skipped")
        elif isinstance(event, RunFailed):
            await self._on_failed(event)
        elif isinstance(event, PlanCreated):
            activity.add_plan([(s.id, s.title, s.role) for s in event.steps], event.revision)
        elif isinstance(event, StepStarted) and event.step_id:
            activity.step_started(StepInfo(
                step_id=event.step_id, kind=event.kind, title=event.title, status=event.status,
                parent_step_id=event.parent_step_id, input=event.input,
            ))
            if event.kind == "code":
                execution.preparing()
        elif isinstance(event, StepFinished) and event.step_id:
            activity.step_finished(StepInfo(
                step_id=event.step_id, kind=event.kind, status=event.status,
                parent_step_id=event.parent_step_id, duration_s=event.duration_s, tokens=event.tokens,
                output=event.output, summary=event.summary, strategy=event.strategy, reason=event.reason,
            ))
            if event.kind == "code" and event.duration_s:
                execution.set_step_duration(event.duration_s)
        elif isinstance(event, ModelWait):
            # The chat said whose run has the model (a Notice); Activity keeps the wait's start and end.
            waited = "" if self.snapshot_mode else f" after {event.waited_s:.1f} s"
            activity.add_event(f"waiting for the model ({event.holder} is using it)" if event.waiting
                               else f"got the model{waited}", "pending" if event.waiting else "success")
        elif isinstance(event, ApprovalRequested):
            activity.add_event(f"waiting for approval to run {event.language} code", "pending")
        elif isinstance(event, CodeExecStarted):
            execution.border_subtitle = ""  # no longer an earlier execution ([ and ] browse those)
            execution.start(event.language, event.code)
        elif isinstance(event, ExecFinished):
            execution.finish(event)
        elif isinstance(event, CacheHit):
            activity.add_event(f"cache hit (similarity {event.similarity:.2f}) on {event.matched_task!r}: "
                               "answer replayed (Ctrl+R runs it fresh)")
        elif isinstance(event, SandboxRestored):
            activity.add_event(
                f"sandbox restored: {event.files} file(s), {event.bytes:,} bytes · variables from earlier "
                "runs are gone" if event.saved else
                "sandbox restarted: the files of the retired container could not be kept", "retry")
        elif isinstance(event, MemoryUsed):
            # Chosen before the run knows whether one of their programs fits the task as it is
            ids = "; ".join(item.run_id for item in event.items)
            activity.add_event(f"{len(event.items)} worked example(s) chosen (a program that fits runs as "
                               f"it is, else the model sees them): {ids}")
        elif isinstance(event, FileAttached):
            execution.add_attachment(event.name, event.path, event.size)
            activity.add_event(f"attached {event.name} ({event.size:,} bytes) as {event.path}")

    async def _on_failed(self, event: RunFailed) -> None:
        chat = self.panes.chat
        await chat.finish_reply_if_streaming()
        if self._say(event.error):
            await chat.add_notice(event.error, "error")
        if "Sandbox" in event.error_kind or "Docker" in event.error:
            self.panes.execution.show_error(event.error)
        if "Budget" in event.error_kind and self.on_budget is not None:
            await self.on_budget()
        self.panes.activity.add_event(f"run failed: {event.error}", "failure")

    def _say(self, reason: str) -> bool:
        """Whether a reason is news in this run's chat (and remember it): an error or a stop reason
        the reply or an earlier notice already gave is not shown again."""
        said = reason.strip().rstrip(".").lower()
        if not said:
            return True
        if any(said in text for text in self._replies) or any(
                said in earlier or earlier in said for earlier in self._reasons):
            return False
        self._reasons.append(said)
        return True

    def _add_usage(self, event: UsageUpdated) -> None:
        def add(view: UsageView) -> UsageView:
            # One definition for every column (widgets/cost.py UsageView.plus).
            return view.plus(event.prompt_tokens, event.completion_tokens, event.ttft_s,
                             event.tokens_per_s, event.duration_s)

        self.turn, self.session, self.all_time = add(self.turn), add(self.session), add(self.all_time)
        if event.tokens_per_s:
            self.speeds.append(event.tokens_per_s)
        self._show_usage()
        self.panes.cost.context = (event.context_used, event.context_max)

    def _show_usage(self) -> None:
        cost = self.panes.cost
        cost.turn, cost.session, cost.all_time = self.turn, self.session, self.all_time
        cost.speeds = tuple(self.speeds[-60:])


def restore_execution(pane: ExecPane, run_id: str, row: dict[str, Any]) -> None:
    """Show a stored execution (the session's last) as it ended."""
    pane.start(row.get("language") or "python", row.get("code") or "")
    pane.add_output("stdout", row.get("stdout") or "")
    pane.add_output("stderr", row.get("stderr") or "")
    if row.get("exit_code") is None:
        pane.show_error("interrupted: the app stopped during this execution")
        return
    artifacts = tuple(Artifact(name=a["name"], path=a["path"], size=a["size"], mime=a["mime"])
                      for a in row.get("artifacts", []))
    pane.finish(ExecFinished(
        run_id=run_id, exec_id=row["id"], exit_code=int(row["exit_code"]),
        duration_s=float(row.get("duration_s") or 0.0), peak_memory_bytes=row.get("peak_memory_bytes"),
        timed_out=bool(row.get("timed_out")), oom_killed=bool(row.get("oom_killed")),
        truncated=bool(row.get("truncated")), cancelled=bool(row.get("cancelled")),
        artifacts=artifacts,
    ))


def _branch(siblings: int) -> str:
    """The place of a new message, the newest of its siblings: "3/3" (empty when it has none)."""
    return f"{siblings}/{siblings}" if siblings > 1 else ""
