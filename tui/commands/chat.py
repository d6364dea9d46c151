"""`glassbox ask` and `glassbox sessions`: headless chat over the same engine, no Textual."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import signal
import sys
from pathlib import Path
from typing import Any

from engine.errors import GlassboxError
from engine.events import (
    ApprovalRequested,
    CacheHit,
    CodeExecStarted,
    Event,
    ExecFinished,
    ExecOutput,
    MessageDone,
    Notice,
    RunFailed,
    RunFinished,
    StepFinished,
    StepStarted,
    TokenDelta,
)
from engine.service import Engine, SubmitOptions
from engine.store.export import message_json, session_json, session_markdown
from engine.store.repository import MessageRecord
from tui.commands.common import emit_json, open_engine, print_table, run, short_id, when

EXIT_FAILED = 1
EXIT_BUDGET = 3
EXIT_CANCELLED = 130


def register(sub: Any) -> None:
    """Add `ask` and `sessions`."""
    ask = sub.add_parser("ask", help="ask one question and stream the reply")
    ask.add_argument("text", nargs="?", default="", help="the message (use - to read it from stdin)")
    ask.add_argument("--continue", dest="continue_reply", action="store_true",
                     help="continue the session's last reply that was cut off (token limit, cancel)")
    where = ask.add_mutually_exclusive_group()
    where.add_argument("--session", metavar="ID", help="continue this session (id or prefix)")
    where.add_argument("--new", action="store_true", help="start a new session")
    ask.add_argument("--json", action="store_true", help="print events as JSON lines")
    ask.add_argument("--chat", action="store_true", help="reply only: never run code or tools")
    ask.add_argument("--no-cache", action="store_true", help="bypass and refresh the cache")
    ask.add_argument("--yes", action="store_true", help="approve every action without asking")
    ask.add_argument("--approval", choices=["auto", "ask", "never"], help="override agent.approval")
    ask.add_argument("--plan", choices=["auto", "always", "never"], help="override agent.plan_mode")
    ask.set_defaults(handler=_ask)

    sessions = sub.add_parser("sessions", help="list, show and export stored sessions")
    ssub = sessions.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)
    listing = ssub.add_parser("list", help="sessions, most recent first")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_sessions_list)
    show = ssub.add_parser("show", help="a session's messages")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_sessions_show)
    export = ssub.add_parser("export", help="a session as Markdown or JSON")
    export.add_argument("id")
    export.add_argument("--format", choices=["md", "json"], default="md")
    export.set_defaults(handler=_sessions_export)


def _ask(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    if not text.strip() and not args.continue_reply:
        print("glassbox ask: give the message (or - to read it from stdin, or --continue)", file=sys.stderr)
        return 2
    return run(_ask_async(args, text))


async def _ask_async(args: argparse.Namespace, text: str) -> int:
    async with open_engine() as engine:
        if args.new:
            session = await engine.new_session()
        elif args.session:
            found = await engine.store.get_session(args.session)
            if found is None:
                raise GlassboxError(f"No session matches '{args.session}'.",
                                    hint="`glassbox sessions list` shows them.")
            session = found
        else:
            session = await engine.store.latest_session() or await engine.new_session()
        approval = "auto" if args.yes else args.approval
        options = SubmitOptions(
            mode="chat" if args.chat else "auto", use_cache=not args.no_cache, plan=args.plan,
            approval=approval, approver=None if args.yes else _terminal_approver,
        )
        # @path in the message attaches a file from the current folder (copied into /workspace).
        options = dataclasses.replace(options, attachments=engine.find_attachments(text, Path.cwd()))
        if args.continue_reply:
            cut = next((m for m in reversed(await engine.history(session.id)) if m.role == "assistant"), None)
            if cut is None or not cut.incomplete:
                raise GlassboxError("The session's last reply is complete: there is nothing to continue.")
            handle = engine.continue_reply(session.id, cut.id)
        else:
            handle = engine.submit(session.id, text, options)
        loop = asyncio.get_running_loop()
        # Ctrl+C cancels the run cleanly (kills any execution) instead of killing the process.
        loop.add_signal_handler(signal.SIGINT, handle.cancel)
        try:
            status = "failed"
            printer = _HumanPrinter(interactive=sys.stdout.isatty())
            async for event in handle:
                if args.json:
                    emit_json(event.to_json())
                else:
                    printer.show(event)
                if isinstance(event, RunFinished):
                    status = event.status
                elif isinstance(event, RunFailed):
                    status = "failed"
        finally:
            loop.remove_signal_handler(signal.SIGINT)
        return {"completed": 0, "cancelled": EXIT_CANCELLED, "budget": EXIT_BUDGET}.get(
            status, EXIT_FAILED
        )


async def _terminal_approver(request: ApprovalRequested) -> bool:
    if not sys.stdin.isatty():
        print("glassbox: approval needed but stdin is not a terminal; declined (use --yes)",
              file=sys.stderr)
        return False
    print(f"\n--- {request.language} ---\n{request.code}\n---", file=sys.stderr)
    answer = await asyncio.to_thread(input, "Run this? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


class _HumanPrinter:
    """Prints a run for a person: the answer once on stdout, progress (the model's drafts, steps,
    code and its output) on stderr. On a terminal the reply streams to stdout as it comes and
    is printed again at the end only if the answer is not what streamed (e.g. code's output)."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive
        self.segment: list[str] = []
        """Tokens since the last step began: the draft the answer may be."""
        self.last_draft = ""

    def _close_segment(self) -> None:
        if self.segment:
            self.last_draft = "".join(self.segment)
            self.segment = []

    def show(self, event: Event) -> None:
        out, err = sys.stdout, sys.stderr
        if isinstance(event, TokenDelta):
            self.segment.append(event.text)
            (out if self.interactive else err).write(event.text)
            (out if self.interactive else err).flush()
            return
        if isinstance(event, StepStarted):
            self._close_segment()
        elif isinstance(event, MessageDone):
            self._close_segment()
            streamed, answer = self.last_draft.strip(), event.text.strip()
            if self.interactive:
                if not streamed or not answer.endswith(streamed):
                    out.write(("\n" if streamed else "") + answer)
                out.write("\n")
            else:
                if streamed:
                    err.write("\n")
                out.write(answer + "\n")
            out.flush()
            if event.incomplete:
                err.write("[reply incomplete]\n")
            err.flush()
            return
        _print_progress(event)


def _print_progress(event: Event) -> None:
    err = sys.stderr
    if isinstance(event, CacheHit):
        err.write(f"[cached answer from run {short_id(event.source_run_id)}, "
                  f"similarity {event.similarity:.3f}]\n")
    elif isinstance(event, StepStarted):
        err.write(f"\n[{event.kind}] {event.title}\n")
    elif isinstance(event, StepFinished) and event.status not in ("success",):
        err.write(f"[{event.kind} {event.status}] {event.reason or event.summary}\n")
    elif isinstance(event, CodeExecStarted):
        err.write(f"[running {event.language}]\n")
    elif isinstance(event, ExecOutput):
        err.write(event.text)
    elif isinstance(event, ExecFinished):
        killed = " killed: timeout" if event.timed_out else " killed: memory" if event.oom_killed else ""
        err.write(f"\n[exit {event.exit_code} in {event.duration_s:.2f}s{killed}]\n")
    elif isinstance(event, Notice):
        err.write(f"[{event.level}] {event.text}\n")
    elif isinstance(event, RunFailed):
        err.write(f"glassbox: {event.error}\n")
    elif isinstance(event, RunFinished) and event.status != "completed":
        err.write(f"[run {event.status}: {event.reason}]\n")
    err.flush()


def _sessions_list(args: argparse.Namespace) -> int:
    async def body() -> int:
        async with open_engine() as engine:
            sessions = await engine.store.list_sessions()
            counts = await engine.store.message_counts()
            if args.json:
                for s in sessions:
                    emit_json({"type": "session", "id": s.id, "title": s.title,
                               "created_at": s.created_at, "updated_at": s.updated_at,
                               "messages": counts.get(s.id, 0)})
                return 0
            print_table(
                ["ID", "UPDATED", "MSGS", "TITLE"],
                [(short_id(s.id), when(s.updated_at), counts.get(s.id, 0), s.title[:60]) for s in sessions],
            )
            return 0

    return run(body())


async def _load_session(engine: Engine, ident: str) -> tuple[Any, list[MessageRecord]]:
    session = await engine.store.get_session(ident)
    if session is None:
        raise GlassboxError(f"No session matches '{ident}'.", hint="`glassbox sessions list` shows them.")
    return session, await engine.store.messages(session.id)


def _sessions_show(args: argparse.Namespace) -> int:
    async def body() -> int:
        async with open_engine() as engine:
            session, messages = await _load_session(engine, args.id)
            if args.json:
                for m in messages:
                    emit_json(message_json(m))
                return 0
            print(f"Session {short_id(session.id)}  {session.title}")
            for m in messages:
                marks = "".join([" [incomplete]" if m.incomplete else "", " [cached]" if m.cached else ""])
                print(f"\n{m.role}{marks} ({when(m.created_at)}):\n{m.content}")
            return 0

    return run(body())


def _sessions_export(args: argparse.Namespace) -> int:
    async def body() -> int:
        async with open_engine() as engine:
            session, _messages = await _load_session(engine, args.id)
            tree = await engine.tree(session.id)
            if args.format == "json":
                emit_json(session_json(session, tree))
            else:
                sys.stdout.write(session_markdown(session, tree))
            return 0

    return run(body())


__all__ = ["register"]
