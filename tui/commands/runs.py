"""`glassbox runs list` and `glassbox runs show RUN_ID`: stored agent runs and their step trees."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from engine.config import database_path, load_settings
from engine.errors import GlassboxError
from engine.store.records import ExecutionRecord
from engine.store.repository import StepRecord, Store
from tui.commands.common import emit_json, print_table, run, short_id, when

_MARKS = {"success": "✓", "failure": "✗", "retry": "↻", "skipped": "–", "running": "…", "pending": "·"}
_TEXT_LINES = 6


def register(sub: Any) -> None:
    """Add `runs list` and `runs show`."""
    runs = sub.add_parser("runs", help="stored agent runs and their steps")
    rsub = runs.add_subparsers(dest="runs_command", metavar="ACTION", required=True)
    listing = rsub.add_parser("list", help="runs, most recent first")
    listing.add_argument("--session", metavar="ID", help="only this session's runs (id or prefix)")
    listing.add_argument("--limit", type=int, default=50, help="most runs to list (default 50)")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(handler=_list)
    show = rsub.add_parser("show", help="a run's step tree with code, output and recovery decisions")
    show.add_argument("id", help="run id or unique prefix")
    show.add_argument("--full", action="store_true", help="do not shorten code and output")
    show.add_argument("--json", action="store_true", help="the run, steps and executions as JSON")
    show.set_defaults(handler=_show)
    wrong = rsub.add_parser("wrong", help="mark a run's answer wrong: never cached or shown as an example")
    wrong.add_argument("id", help="run id or unique prefix")
    wrong.set_defaults(handler=_wrong)


async def _open_store() -> Store:
    # Read-only views need the file only: no model, sandbox or memory layer.
    return await Store.open(database_path(load_settings()))


def _wrong(args: argparse.Namespace) -> int:
    async def body() -> int:
        store = await _open_store()
        try:
            record = await store.get_run(args.id)
            if record is None:
                print(f"glassbox: no run matches '{args.id}' (`glassbox runs list` shows them)",
                      file=sys.stderr)
                return 1
            await store.mark_run_wrong(record.id)
            print(f"Run {short_id(record.id)} is marked wrong: its answer is no longer served from the "
                  "cache or shown to the model as an example.")
            return 0
        finally:
            await store.close()

    return run(body())


def _list(args: argparse.Namespace) -> int:
    async def body() -> int:
        store = await _open_store()
        try:
            session_id = None
            if args.session:
                session = await store.get_session(args.session)
                if session is None:
                    raise GlassboxError(f"No session matches '{args.session}'.",
                                        hint="`glassbox sessions list` shows them.")
                session_id = session.id
            rows = await store.run_summaries(session_id, args.limit)
            if args.json:
                for r in rows:
                    emit_json({"type": "run", "id": r.run.id, "session_id": r.run.session_id,
                               "status": r.run.status, "reason": r.run.reason, "model": r.run.model,
                               "started_at": r.run.started_at, "finished_at": r.run.finished_at,
                               "steps": r.steps, "tokens": r.tokens, "task": r.task})
                return 0
            if not rows:
                print("No runs yet.")
                return 0
            print_table(
                ["RUN", "STARTED", "STATUS", "STEPS", "TOKENS", "SECONDS", "TASK"],
                [(short_id(r.run.id), when(r.run.started_at), r.run.status, r.steps, r.tokens,
                  _seconds(r.run.started_at, r.run.finished_at), _one_line(r.task, 50))
                 for r in rows],
            )
            return 0
        finally:
            await store.close()

    return run(body())


def _show(args: argparse.Namespace) -> int:
    async def body() -> int:
        store = await _open_store()
        try:
            record = await store.get_run(args.id)
            if record is None:
                raise GlassboxError(f"No run matches '{args.id}' (or the prefix is not unique).",
                                    hint="`glassbox runs list` shows them.")
            steps = await store.steps(record.id)
            executions = await store.executions(record.id)
            usage = await store.usage_totals(run_id=record.id)
            task = await store.get_message(record.user_message_id) if record.user_message_id else None
            answer = (await store.get_message(record.assistant_message_id)
                      if record.assistant_message_id else None)
            if args.json:
                emit_json({"type": "run", "id": record.id, "session_id": record.session_id,
                           "status": record.status, "reason": record.reason, "error": record.error,
                           "model": record.model, "started_at": record.started_at,
                           "finished_at": record.finished_at, "task": task.content if task else "",
                           "answer": answer.content if answer else "",
                           "prompt_tokens": usage.prompt_tokens,
                           "completion_tokens": usage.completion_tokens})
                for step in steps:
                    fields = StepRecord.__dataclass_fields__
                    emit_json({"type": "step", **{k: getattr(step, k) for k in fields}})
                for execution in executions:
                    emit_json({"type": "execution", **execution.to_json()})
                return 0
            for line in render_run(record, steps, executions, task.content if task else "",
                                   answer.content if answer else "", usage.prompt_tokens
                                   + usage.completion_tokens, full=args.full):
                print(line)
            return 0
        finally:
            await store.close()

    return run(body())


def render_run(
    record: Any, steps: list[StepRecord], executions: list[ExecutionRecord], task: str, answer: str,
    tokens: int, *, full: bool = False,
) -> list[str]:
    """The run as text lines: a header, then the step tree with code, output and decisions."""
    status = record.status + (f" ({record.reason})" if record.reason else "")
    lines = [f"Run {short_id(record.id)}  {status}",
             f"Session {short_id(record.session_id)}  model {record.model}  {when(record.started_at)}  "
             f"{_seconds(record.started_at, record.finished_at)} s  {tokens:,} tokens"]
    if record.error:
        lines.append(f"Error: {record.error}")
    lines.append(f"Task: {_one_line(task, 200)}")
    by_parent: dict[str | None, list[StepRecord]] = {}
    ids = {s.id for s in steps}
    for step in steps:
        parent = step.parent_id if step.parent_id in ids else None
        by_parent.setdefault(parent, []).append(step)
    by_step: dict[str | None, list[ExecutionRecord]] = {}
    for execution in executions:
        by_step.setdefault(execution.step_id, []).append(execution)

    def walk(parent: str | None, prefix: str) -> None:
        children = by_parent.get(parent, [])
        for index, step in enumerate(children):
            last = index == len(children) - 1
            lines.append(prefix + ("└─ " if last else "├─ ") + _step_line(step))
            inner = prefix + ("   " if last else "│  ")
            lines.extend(inner + "   " + line for line in _step_body(step, by_step.get(step.id, []), full))
            walk(step.id, inner)

    walk(None, "")
    lines.append(f"Answer: {_clip(answer, full) if answer else '(none)'}")
    return lines


def _step_line(step: StepRecord) -> str:
    mark = _MARKS.get(step.status, "?")
    parts = [f"{mark} {step.kind:<8} {step.title or ''}".rstrip(), step.status]
    if step.duration_s is not None:
        parts.append(f"{step.duration_s:.2f} s")
    if step.tokens:
        parts.append(f"{step.tokens} tok")
    return "  ".join(parts)


def _step_body(step: StepRecord, executions: list[ExecutionRecord], full: bool) -> list[str]:
    body: list[str] = []
    if step.kind in ("code", "retry", "tool") and isinstance(step.input, str) and step.input:
        body += ["code:" if step.kind != "tool" else "call:", *_indent(_clip(step.input, full))]
    for execution in executions:
        flags = [name for name in ("timed_out", "oom_killed", "truncated", "cancelled")
                 if getattr(execution, name)]
        duration = execution.duration_s or 0.0
        body.append(f"exec {short_id(execution.id)}: exit {execution.exit_code}  {duration:.2f} s"
                    + (f"  [{', '.join(flags)}]" if flags else ""))
        for name, text in (("stdout", execution.stdout), ("stderr", execution.stderr)):
            if text:
                body += [f"{name}:", *_indent(_clip(text, full))]
        body += [f"artifact: {a.name} ({a.size} bytes)" for a in execution.artifacts]
    output = step.output if isinstance(step.output, str) else ""
    if output and not executions:  # an execution's stdout already shows what its step saw
        body += ["output:", *_indent(_clip(output, full))]
    if step.strategy or step.reason:
        body.append(f"decision: {step.strategy or '-'}" + (f" ({step.reason})" if step.reason else ""))
    return body


def _indent(text: str) -> list[str]:
    return ["  " + line for line in text.splitlines()] or ["  "]


def _clip(text: str, full: bool) -> str:
    lines = text.strip().splitlines()
    if full or len(lines) <= _TEXT_LINES:
        return "\n".join(lines)
    return "\n".join([*lines[: _TEXT_LINES - 2], f"... {len(lines) - _TEXT_LINES + 1} more lines", lines[-1]])


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"



def _seconds(start: float | None, end: float | None) -> str:
    return f"{end - start:.1f}" if start and end else "-"
