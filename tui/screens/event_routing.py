"""Routes engine events to the dashboard's panes; imported with the first event, after start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.events import (
    ApprovalRequested,
    Artifact,
    CacheHit,
    CodeExecStarted,
    Event,
    ExecFinished,
    MemoryUsed,
    MessageDone,
    Notice,
    PlanCreated,
    RunFailed,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
    UsageUpdated,
)
from widgets.activity import StepInfo
from widgets.cost import UsageView

if TYPE_CHECKING:
    from tui.screens.dashboard import DashboardScreen
    from widgets.execution import ExecPane


async def dispatch_event(screen: DashboardScreen, event: Event) -> None:
    """Route one engine event to the pane of the dashboard it belongs to."""
    if isinstance(event, RunStarted):
        await screen.chat.add_user(event.user_message_id, screen.prompt_text)
        await screen.chat.start_reply(event.assistant_message_id)
        screen.activity.start_run(screen.prompt_text)
    elif isinstance(event, MessageDone):
        await screen.chat.finish_reply(event.message_id, event.text, event.incomplete, event.cached)
    elif isinstance(event, UsageUpdated):
        _add_usage(screen, event)
    elif isinstance(event, Notice):
        await screen.chat.add_notice(event.text, event.level)
    elif isinstance(event, RunFinished):
        if event.status != "completed":
            await screen.chat.add_notice(f"Run {event.status}: {event.reason}".rstrip(": "), "warning")
        screen.activity.add_event(f"run {event.status} · {event.duration_s:.2f} s"
                                  if not screen.snapshot_mode else f"run {event.status}",
                                  "success" if event.status == "completed" else "skipped")
    elif isinstance(event, RunFailed):
        await _on_failed(screen, event)
    elif isinstance(event, PlanCreated):
        screen.activity.add_plan([(s.id, s.title, s.role) for s in event.steps], event.revision)
    elif isinstance(event, StepStarted) and event.step_id:
        screen.activity.step_started(StepInfo(
            step_id=event.step_id, kind=event.kind, title=event.title, status=event.status,
            parent_step_id=event.parent_step_id, input=event.input,
        ))
    elif isinstance(event, StepFinished) and event.step_id:
        screen.activity.step_finished(StepInfo(
            step_id=event.step_id, kind=event.kind, status=event.status,
            parent_step_id=event.parent_step_id, duration_s=event.duration_s, tokens=event.tokens,
            output=event.output, summary=event.summary, strategy=event.strategy, reason=event.reason,
        ))
    elif isinstance(event, ApprovalRequested):
        screen.activity.add_event(f"waiting for approval to run {event.language} code", "pending")
    elif isinstance(event, CodeExecStarted):
        screen.execution.start(event.language, event.code)
    elif isinstance(event, ExecFinished):
        screen.execution.finish(event)
    elif isinstance(event, CacheHit):
        screen.activity.add_event(f"cache hit (similarity {event.similarity:.2f}): answer replayed")
    elif isinstance(event, MemoryUsed):
        screen.activity.add_event(f"memory: {len(event.items)} past solution(s) offered to the model")


async def _on_failed(screen: DashboardScreen, event: RunFailed) -> None:
    await screen.chat.finish_reply_if_streaming()
    await screen.chat.add_notice(event.error, "error")
    if "Sandbox" in event.error_kind or "Docker" in event.error:
        screen.execution.show_error(event.error)
    if "Budget" in event.error_kind:
        await screen.refresh_budget()
    screen.activity.add_event(f"run failed: {event.error}", "failure")


def _add_usage(screen: DashboardScreen, event: UsageUpdated) -> None:
    def add(view: UsageView) -> UsageView:
        return UsageView(
            view.prompt_tokens + event.prompt_tokens, view.completion_tokens + event.completion_tokens,
            event.ttft_s if view.ttft_s is None else view.ttft_s, event.tokens_per_s,
            view.compute_s + event.duration_s,
        )

    screen.turn = add(screen.turn)
    screen.session_usage = add(screen.session_usage)
    screen.all_time = add(screen.all_time)
    if event.tokens_per_s:
        screen.speeds.append(event.tokens_per_s)
    cost = screen.cost
    cost.turn, cost.session, cost.all_time = screen.turn, screen.session_usage, screen.all_time
    cost.speeds = tuple(screen.speeds[-60:])
    cost.context = (event.context_used, event.context_max)


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
