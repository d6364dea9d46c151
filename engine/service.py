"""Engine: the facade the UI and CLI use; composes model, agent, sandbox and store."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from engine.chat import ChatTurn
from engine.config import Settings, database_path, load_settings
from engine.errors import GlassboxError, ModelError, SandboxError
from engine.events import ApprovalRequested, Event, RunFailed, RunFinished, RunStarted
from engine.llm.base import CancelToken, ChatMessage, ChatModel, SamplingParams
from engine.paths import app_paths
from engine.recorder import EventRecorder
from engine.sandbox.base import CodeRunner
from engine.store.repository import MessageRecord, SessionRecord, Store, new_id

Approver = Callable[[ApprovalRequested], Awaitable[bool]]
ModelFactory = Callable[[Settings], Awaitable[ChatModel]]
SandboxFactory = Callable[[Settings], Awaitable[CodeRunner]]
_TERMINAL = (RunFinished, RunFailed)


@dataclass(frozen=True, slots=True)
class SubmitOptions:
    """How to handle one user message."""

    mode: Literal["auto", "chat", "agent"] = "auto"
    """chat: reply only; agent: may run code and tools; auto: agent when one is available."""
    use_cache: bool = True
    """Allow a semantic-cache hit to answer (False bypasses and refreshes the cache)."""
    plan: Literal["auto", "always", "never"] | None = None
    """Override agent.plan_mode for this message."""
    approval: Literal["auto", "ask", "never"] | None = None
    """Override agent.approval for this message."""
    approver: Approver | None = None
    """Asked yes/no for each action in `ask` mode; without one, `ask` declines."""
    parent_id: str | None = None
    """Message to branch from; default: the session's newest message."""


@dataclass
class RunContext:
    """Everything a run needs; handed to the agent loop."""

    engine: Engine
    run_id: str
    session_id: str
    user_message_id: str
    assistant_message_id: str
    text: str
    history: list[ChatMessage]
    options: SubmitOptions
    cancel: CancelToken
    model: ChatModel
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result; opening it shows `session_id` at `message_id`."""

    session_id: str
    message_id: str | None
    run_id: str | None
    kind: str
    text: str
    score: float


class RunHandle:
    """A running turn: async-iterate it for events; cancel() stops it within one token."""

    def __init__(self, run_id: str, session_id: str) -> None:
        self.run_id = run_id
        self.session_id = session_id
        self.cancel_token = CancelToken()
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.events: list[Event] = []

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


class Engine:
    """The engine facade. Open with `await Engine.open()`, close with `await engine.close()`."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        model_factory: ModelFactory | None = None,
        sandbox_factory: SandboxFactory | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self._model_factory = model_factory or _load_llama_model
        self._sandbox_factory = sandbox_factory or _start_docker_sandbox
        self._model: ChatModel | None = None
        self._model_lock = asyncio.Lock()
        self._sandbox: CodeRunner | None = None
        self._sandbox_lock = asyncio.Lock()
        self.runs: dict[str, RunHandle] = {}
        self.memory: Any = None  # set by the memory layer when available

    @classmethod
    async def open(
        cls,
        settings: Settings | None = None,
        *,
        database: Path | None = None,
        model: ChatModel | None = None,
        model_factory: ModelFactory | None = None,
        sandbox: CodeRunner | None = None,
        sandbox_factory: SandboxFactory | None = None,
        memory: bool = True,
    ) -> Engine:
        """Open the store and prepare (lazily) the model and sandbox; memory=False skips the
        semantic cache, recall and vector search."""
        settings = settings or load_settings()
        app_paths().ensure()
        store = await Store.open(database or database_path(settings))
        engine = cls(settings, store, model_factory=model_factory, sandbox_factory=sandbox_factory)
        engine._model = model
        engine._sandbox = sandbox
        if memory:
            await engine.open_memory()
        return engine

    async def open_memory(self) -> None:
        """Open the semantic cache, recall and vector search, if not open yet (Engine.open does it
        unless memory=False; the dashboard does it after its first frame, as it imports numpy)."""
        if self.memory is None:
            from engine.memory.service import MemoryService

            self.memory = await MemoryService.open(self)

    async def close(self) -> None:
        """Cancel runs, remove containers, release the model and close the file."""
        for handle in list(self.runs.values()):
            handle.cancel()
        tasks = [h.task for h in self.runs.values() if h.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=10)
        if self._sandbox is not None:
            await self._sandbox.close()
        if self._model is not None:
            await self._model.close()
        if self.memory is not None:
            await self.memory.close()
        await self.store.close()

    # -- components ---------------------------------------------------------------------

    async def model(self) -> ChatModel:
        """The chat model, loaded on first use and kept loaded (raises ModelError)."""
        async with self._model_lock:
            if self._model is None:
                self._model = await self._model_factory(self.settings)
            return self._model

    async def switch_model(self, model: str) -> None:
        """Use another chat model from the next run on; the loaded one is released now."""
        async with self._model_lock:
            self.settings.llm.model = model
            old, self._model = self._model, None
        if old is not None:
            await old.close()

    async def sandbox(self) -> CodeRunner:
        """The code runner, started on first use (raises SandboxError if Docker is down)."""
        async with self._sandbox_lock:
            if self._sandbox is None:
                self._sandbox = await self._sandbox_factory(self.settings)
            return self._sandbox

    def warm_up(self) -> asyncio.Task[str | None]:
        """Start the sandbox (and its warm pool) in the background; the task returns an error text."""

        async def start() -> str | None:
            try:
                await self.sandbox()
            except GlassboxError as exc:
                return str(exc)
            return None

        return asyncio.create_task(start())

    def sampling(self, **overrides: Any) -> SamplingParams:
        """Sampling parameters from settings."""
        llm = self.settings.llm
        values: dict[str, Any] = dict(
            temperature=llm.temperature, top_p=llm.top_p, top_k=llm.top_k,
            repeat_penalty=llm.repeat_penalty, max_tokens=llm.max_tokens, seed=llm.seed,
        )
        values.update(overrides)
        return SamplingParams(**values)

    # -- sessions -----------------------------------------------------------------------

    async def new_session(self, title: str = "") -> SessionRecord:
        """Create an empty session."""
        return await self.store.create_session(title)

    async def history(self, session_id: str, leaf_id: str | None = None) -> list[MessageRecord]:
        """The conversation branch ending at leaf_id (default: newest message)."""
        return await self.store.conversation(session_id, leaf_id)

    # -- runs ---------------------------------------------------------------------------

    def submit(self, session_id: str, text: str, options: SubmitOptions | None = None) -> RunHandle:
        """Start a run for a user message; iterate the handle for its events."""
        handle = RunHandle(new_id(), session_id)
        self.runs[handle.run_id] = handle
        handle.task = asyncio.create_task(self._drive(handle, text, options or SubmitOptions()))
        return handle

    async def cancel(self, run_id: str) -> None:
        """Cancel a run by id."""
        handle = self.runs.get(run_id)
        if handle is not None:
            handle.cancel()

    async def _drive(self, handle: RunHandle, text: str, options: SubmitOptions) -> None:
        recorder = EventRecorder(self.store, handle.session_id, self.settings.store.flush_interval_s)
        started = time.monotonic()

        async def emit(event: Event) -> None:
            # Persist first, so nothing the user has seen can be lost by a crash.
            try:
                await recorder.record(event)
            finally:
                handle.events.append(event)
                await handle.queue.put(event)

        terminal_sent = False
        try:
            async for event in self._run_events(handle, text, options):
                if isinstance(event, _TERMINAL):
                    terminal_sent = True
                    if isinstance(event, RunFinished) and not event.duration_s:
                        event = dataclasses.replace(event, duration_s=time.monotonic() - started)
                await emit(event)
        except GlassboxError as exc:
            if not terminal_sent:
                await self._fail(emit, recorder, handle, str(exc), type(exc).__name__)
                terminal_sent = True
        except asyncio.CancelledError:
            handle.cancel()
            await recorder.flush()
            await self.store.finish_run(handle.run_id, "cancelled", reason="task cancelled")
            raise
        except Exception as exc:
            if not terminal_sent:
                await self._fail(
                    emit, recorder, handle, f"Internal error: {type(exc).__name__}: {exc}", "internal"
                )
                terminal_sent = True
        finally:
            self.runs.pop(handle.run_id, None)
            await handle.queue.put(None)

    async def _fail(
        self, emit: Callable[[Event], Awaitable[None]], recorder: EventRecorder,
        handle: RunHandle, message: str, kind: str,
    ) -> None:
        try:
            await emit(RunFailed(run_id=handle.run_id, error=message, error_kind=kind))
        except GlassboxError:
            # The store itself failed (e.g. disk full): still tell the UI.
            failed = RunFailed(run_id=handle.run_id, error=message, error_kind=kind)
            handle.events.append(failed)
            await handle.queue.put(failed)

    async def _run_events(
        self, handle: RunHandle, text: str, options: SubmitOptions
    ) -> AsyncIterator[Event]:
        session = await self.store.get_session(handle.session_id)
        if session is None:
            raise GlassboxError(f"No session with id {handle.session_id!r}.")
        prior = await self.store.conversation(session.id, options.parent_id)
        user = await self.store.add_message(
            session.id, "user", text, parent_id=prior[-1].id if prior else None
        )
        assistant_id = new_id()
        model_name = self.settings.llm.model
        await self.store.start_run(session.id, user.id, assistant_id, model_name, handle.run_id)
        yield RunStarted(
            run_id=handle.run_id, session_id=session.id, user_message_id=user.id,
            assistant_message_id=assistant_id, model=model_name,
        )
        # The reply row exists from the start, marked incomplete until MessageDone.
        await self.store.add_message(
            session.id, "assistant", "", parent_id=user.id, status="incomplete",
            run_id=handle.run_id, message_id=assistant_id,
        )
        await self._check_budget(session)
        model = await self.model()
        history = [ChatMessage(m.role, m.content) for m in prior  # type: ignore[arg-type]
                   if m.role in ("user", "assistant") and m.content]
        history.append(ChatMessage("user", text))
        context = RunContext(
            engine=self, run_id=handle.run_id, session_id=session.id, user_message_id=user.id,
            assistant_message_id=assistant_id, text=text, history=history, options=options,
            cancel=handle.cancel_token, model=model,
        )
        async for event in self._dispatch(context):
            yield event

    async def _dispatch(self, context: RunContext) -> AsyncIterator[Event]:
        if self.memory is not None:
            async for event in self.memory.around_run(context, self._answer):
                yield event
            return
        async for event in self._answer(context):
            yield event

    async def _answer(self, context: RunContext) -> AsyncIterator[Event]:
        """Produce the reply: the agent loop when available, else plain chat."""
        agent_run = _agent_runner() if context.options.mode != "chat" else None
        if agent_run is not None:
            async for event in agent_run(context):
                yield event
            return
        turn = ChatTurn(
            model=context.model, params=self.sampling(), system_prompt=self.settings.llm.system_prompt,
            run_id=context.run_id, message_id=context.assistant_message_id, cancel=context.cancel,
        )
        async for event in turn.run(context.history):
            yield event

    async def _check_budget(self, session: SessionRecord) -> None:
        budget = session.token_budget or self.settings.ui.session_token_budget
        if not budget:
            return
        totals = await self.store.usage_totals(session_id=session.id)
        used = totals.prompt_tokens + totals.completion_tokens
        if used >= budget:
            from engine.errors import BudgetExceededError

            raise BudgetExceededError(
                f"This session has used {used:,} of its {budget:,}-token budget.",
                hint="Raise the budget in settings or start a new session.",
            )

    async def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Search all sessions (hybrid text + vector once the memory layer is on)."""
        if self.memory is not None:
            hits: list[SearchHit] = await self.memory.search(text, limit)
            return hits
        rows = await self.store.search_messages(text, limit)
        return [SearchHit(m.session_id, m.id, m.run_id, "message", m.content, 1.0) for m in rows]


def _agent_runner() -> Callable[[RunContext], AsyncIterator[Event]] | None:
    """The agent loop's entry point, if the agent package provides one."""
    try:
        from engine.agent.loop import run_agent
    except ImportError:
        return None
    runner: Callable[[RunContext], AsyncIterator[Event]] = run_agent
    return runner


async def _load_llama_model(settings: Settings) -> ChatModel:
    from engine.llm.llama_backend import LlamaChatModel
    from engine.llm.registry import resolve_model_path

    path = resolve_model_path(settings.llm.model)
    return await LlamaChatModel.load(path, settings.llm)


async def _start_docker_sandbox(settings: Settings) -> CodeRunner:
    try:
        from engine.sandbox.docker_runner import DockerSandbox
    except ImportError as exc:
        raise SandboxError(f"The Docker sandbox is not available: {exc}.") from None
    sandbox = DockerSandbox(settings.sandbox, app_paths().workspaces_dir)
    await sandbox.start()
    return sandbox


__all__ = ["Engine", "ModelError", "RunContext", "RunHandle", "SearchHit", "SubmitOptions"]
