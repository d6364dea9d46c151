"""Runs a turn for the engine facade: the run handle, its events from prompt to end, failure, checkpoint."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol

from engine.branches import prior_messages, reply_again
from engine.chat import continue_reply
from engine.config import Settings
from engine.errors import BudgetExceededError, GlassboxError
from engine.events import Event, MessageDone, ModelWait, Notice, RunFailed, RunFinished, RunStarted
from engine.llm.base import CancelToken, ChatMessage, ChatModel, takes_turns
from engine.llm.turns import ModelTurns
from engine.mcp.manager import McpManager
from engine.recorder import EventRecorder
from engine.run import Answer, RunContext, SearchHit, SubmitOptions
from engine.sandbox.base import CodeRunner
from engine.store.repository import MessageRecord, SessionRecord, Store, new_id
from engine.undo import TurnHistory

_TERMINAL = (RunFinished, RunFailed)


class RunHandle:
    """A running turn: async-iterate it for events; cancel() stops it within one token."""

    def __init__(self, run_id: str, session_id: str) -> None:
        self.run_id = run_id
        self.session_id = session_id
        self.cancel_token = CancelToken()
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    def cancel(self) -> None:
        """Stop generation and any running execution; the run ends as cancelled."""
        self.cancel_token.cancel()

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while True:
            event = await self.queue.get()
            if event is None:
                return
            yield event

    async def wait(self) -> list[Event]:
        """Consume the run to the end and return all its events."""
        return [event async for event in self]


class RunHost(Protocol):
    """What a run needs from the facade (engine.service.Engine is one). Read at each use: settings
    and the model change between runs, and tests replace the answer the pipeline ends with."""

    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> Store: ...

    @property
    def mcp(self) -> McpManager | None: ...

    @property
    def turns(self) -> TurnHistory: ...

    @property
    def runs(self) -> dict[str, RunHandle]: ...

    async def model(self) -> ChatModel: ...

    async def sandbox(self) -> CodeRunner: ...

    async def search(self, text: str, limit: int = 20) -> list[SearchHit]: ...

    def pipeline(self) -> Answer: ...


class RunDriver:
    """Drives one run at a time per handle: records and forwards its events, and ends it whatever
    happens (failed, cancelled, checkpointed, removed from the host's runs)."""

    def __init__(self, host: RunHost, model_turns: ModelTurns) -> None:
        self._host = host
        self._model_turns = model_turns

    async def drive(self, handle: RunHandle, text: str, options: SubmitOptions) -> None:
        """Run the turn to its end, putting every event (then None) on the handle's queue."""
        host = self._host
        recorder = EventRecorder(host.store, handle.session_id, host.settings.store.flush_interval_s)
        started = time.monotonic()

        async def emit(event: Event) -> None:
            # Persist first, so nothing the user has seen can be lost by a crash.
            try:
                await recorder.record(event)
            finally:
                await handle.queue.put(event)

        terminal_sent = task_cancelled = False
        try:
            async for event in self._run_events(handle, text, options):
                if isinstance(event, _TERMINAL):
                    terminal_sent = True
                    if isinstance(event, RunFinished) and not event.duration_s:
                        event = dataclasses.replace(event, duration_s=time.monotonic() - started)
                await emit(event)
        except GlassboxError as exc:
            if not terminal_sent:
                await self._fail(emit, handle, str(exc), type(exc).__name__)
                terminal_sent = True
        except asyncio.CancelledError:
            task_cancelled = True
            handle.cancel()
            await recorder.flush()
            await host.store.finish_run(handle.run_id, "cancelled", reason="task cancelled")
            raise
        except Exception as exc:
            if not terminal_sent:
                await self._fail(emit, handle, f"Internal error: {type(exc).__name__}: {exc}", "internal")
                terminal_sent = True
        finally:
            try:
                if not task_cancelled:  # the engine is closing: no new work
                    await self._checkpoint(handle)
            finally:
                host.runs.pop(handle.run_id, None)
                await handle.queue.put(None)

    async def _fail(
        self, emit: Callable[[Event], Awaitable[None]], handle: RunHandle, message: str, kind: str,
    ) -> None:
        # The store itself may fail (e.g. disk full): emit() has still told the UI.
        with contextlib.suppress(GlassboxError):
            await emit(RunFailed(run_id=handle.run_id, error=message, error_kind=kind))

    async def _run_events(
        self, handle: RunHandle, text: str, options: SubmitOptions
    ) -> AsyncIterator[Event]:
        host = self._host
        store = host.store
        session = await store.get_session(handle.session_id)
        if session is None:
            raise GlassboxError(f"No session with id {handle.session_id!r}.")
        continued = ""
        if options.continue_message_id is not None:
            user, prior, continued = await self._continuation(session.id, options.continue_message_id)
            text = user.content
        elif options.regenerate_of is not None:
            user, prior = await reply_again(store, session.id, options.regenerate_of)
            text = user.content
        else:
            prior = await prior_messages(store, session.id, options)
            user = await store.add_message(
                session.id, "user", text, parent_id=prior[-1].id if prior else None
            )
        assistant_id = new_id()
        model_name = host.settings.llm.model
        await store.start_run(session.id, user.id, assistant_id, model_name, handle.run_id)
        yield RunStarted(
            run_id=handle.run_id, session_id=session.id, user_message_id=user.id,
            assistant_message_id=assistant_id, model=model_name, text=text,
            user_siblings=len(await store.siblings(user.id)),
            reply_siblings=len(await store.children(user.id)) + 1,
        )
        # The reply row exists from the start, marked incomplete until MessageDone.
        await store.add_message(
            session.id, "assistant", "", parent_id=user.id, status="incomplete",
            run_id=handle.run_id, message_id=assistant_id,
        )
        await self._check_budget(session)
        model = await host.model()
        # An in-process model answers one run at a time; a server takes several (as it allows).
        # The model in use says which it is: one given to Engine.open need not be the settings' own.
        take_turns = takes_turns(model)
        # The session's title as the store gives it from this first prompt (the record read above
        # has none yet), so a run waiting behind this one names it.
        label = session.title or (text.strip().splitlines() or [session.id[:8]])[0][:60]
        # Taken at once when free; otherwise the run says it waits, then waits. (Checking `busy`
        # first and acquiring later let a run that started a moment before take the model in
        # between: the second run then waited with nothing on screen to say so.)
        holds = take_turns and await self._model_turns.take_if_free(label)
        waited = take_turns and not holds
        wait_started = time.monotonic()
        if waited:
            holder = f"“{self._model_turns.holder}”" if self._model_turns.holder else "another run"
            yield Notice(run_id=handle.run_id, level="info",
                         text=f"Waiting for the model: {holder} is using "
                         "it (an in-process model answers one run at a time).")
            yield ModelWait(run_id=handle.run_id, waiting=True, holder=holder)
            holds = await self._model_turns.acquire(label, handle.cancel_token)
        if take_turns and not holds:
            # Cancelled while waiting: the run ends here, without a call to the model it never had.
            why = "cancelled while waiting for the model"
            yield MessageDone(run_id=handle.run_id, message_id=assistant_id, text="", incomplete=True,
                              reason=why)
            yield RunFinished(run_id=handle.run_id, status="cancelled", reason=why,
                              final_message_id=assistant_id)
            return
        if waited:
            yield ModelWait(run_id=handle.run_id, waiting=False, waited_s=time.monotonic() - wait_started)
        history = [ChatMessage(m.role, m.content) for m in prior  # type: ignore[arg-type]
                   if m.role in ("user", "assistant") and m.content]
        history.append(ChatMessage("user", text))
        context = RunContext(
            run_id=handle.run_id, session_id=session.id, user_message_id=user.id,
            assistant_message_id=assistant_id, text=text, history=history, options=options,
            cancel=handle.cancel_token, model=model, settings=host.settings, store=store,
            sandbox=host.sandbox, search=host.search, continued_text=continued, mcp=host.mcp,
        )
        answer = continue_reply if continued else host.pipeline()
        try:
            async for event in answer(context):
                yield event
        finally:
            if holds:
                self._model_turns.release()

    async def _continuation(
        self, session_id: str, message_id: str
    ) -> tuple[MessageRecord, list[MessageRecord], str]:
        """The user message, the conversation before it and the text of a cut reply to continue."""
        store = self._host.store
        cut = await store.get_message(message_id)
        if cut is None or cut.session_id != session_id or cut.role != "assistant":
            raise GlassboxError(f"No reply {message_id[:8]} in this session to continue.")
        if not cut.incomplete or not cut.content.strip():
            raise GlassboxError("That reply is complete; only a reply that was cut off can be continued.")
        user = await store.get_message(cut.parent_id or "")
        if user is None:
            raise GlassboxError("The prompt of that reply is gone; it cannot be continued.")
        prior = await store.conversation(session_id, user.parent_id) if user.parent_id else []
        return user, prior, cut.content

    async def _check_budget(self, session: SessionRecord) -> None:
        budget = session.token_budget or self._host.settings.ui.session_token_budget
        if not budget:
            return
        totals = await self._host.store.usage_totals(session_id=session.id)
        used = totals.prompt_tokens + totals.completion_tokens
        if used >= budget:
            raise BudgetExceededError(
                f"This session has used {used:,} of its {budget:,}-token budget.",
                hint="Raise the budget in settings or start a new session.",
            )

    async def _checkpoint(self, handle: RunHandle) -> None:
        # Before the run's stream ends, so an undo right after it finds this turn's files.
        try:
            await self._host.turns.checkpoint(handle.session_id, handle.run_id)
        except Exception:  # a checkpoint is a convenience; it must never fail the turn
            logging.getLogger(__name__).exception("checkpoint after run %s failed", handle.run_id)
