"""Engine: the facade the UI and CLI use; composes the run pipeline over model, sandbox and store."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.agent.given import given_action
from engine.agent.loop import run_agent
from engine.attach import attach_stage
from engine.attachments import Attachment, find_attachments
from engine.chat import answer_in_chat
from engine.config import Settings, database_path, load_settings
from engine.driver import RunDriver, RunHandle
from engine.errors import GlassboxError, ModelError, SandboxError
from engine.events import Event
from engine.llm.base import ChatModel, SamplingParams
from engine.llm.factory import load_chat_model
from engine.llm.turns import ModelTurns
from engine.mcp.manager import McpManager
from engine.paths import app_paths
from engine.run import Answer, RunContext, SearchHit, Stage, SubmitOptions, compose, sampling_from
from engine.sandbox.base import CodeRunner
from engine.sessions import SessionBook
from engine.store.audit import CommandAudit
from engine.store.export import write_exports
from engine.store.repository import MessageRecord, SessionRecord, Store, new_id
from engine.store.tree import ConversationTree
from engine.undo import TurnHistory

if TYPE_CHECKING:
    from engine.memory.service import MemoryService

ModelFactory = Callable[[Settings], Awaitable[ChatModel]]
SandboxFactory = Callable[[Settings], Awaitable[CodeRunner]]


def answer_by_mode(context: RunContext) -> AsyncIterator[Event]:
    """The default answer: plain chat when asked for, else the agent loop."""
    if context.options.mode == "chat":
        return answer_in_chat(context)
    return run_agent(context)


class Engine:
    """The engine facade. Open with `await Engine.open()`, close with `await engine.close()`.

    A turn runs through `pipeline()`: the memory stages (cache, index, recall) around the
    answer (agent or chat). Tests and embedders replace the answer through `answer=`."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        model_factory: ModelFactory | None = None,
        sandbox_factory: SandboxFactory | None = None,
        answer: Answer | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self._model_factory = model_factory or load_chat_model
        self._sandbox_factory = sandbox_factory or _start_docker_sandbox
        self.answer: Answer = answer or answer_by_mode
        """The innermost stage of every turn: produces the reply."""
        self._model: ChatModel | None = None
        self._model_lock = asyncio.Lock()
        self._model_turns = ModelTurns()
        self._sandbox: CodeRunner | None = None
        self._sandbox_lock = asyncio.Lock()
        self.runs: dict[str, RunHandle] = {}
        self.memory: MemoryService | None = None
        self.mcp: McpManager | None = None
        if settings.mcp.servers:
            # Nothing starts here: a server starts when a run first lists its tools.
            self.mcp = McpManager(settings.mcp, log_dir=app_paths().logs_dir)
        self.turns = TurnHistory(store, app_paths().data_dir / "checkpoints",
                                 lambda: self.settings.sandbox.checkpoints,
                                 started_sandbox=lambda: self._sandbox, start_sandbox=self.sandbox,
                                 busy=lambda sid: any(h.session_id == sid for h in self.runs.values()))
        """Checkpoints of /workspace after each turn, undo, redo and restore (engine/undo.py)."""
        self.audit = CommandAudit(store)
        """Every execution across sessions: list, open, export (engine/store/audit.py)."""
        self.sessions = SessionBook(store)
        """Session, run and usage reads and edits for the app (the UI never holds the store)."""
        self._driver = RunDriver(self, self._model_turns)

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
        answer: Answer | None = None,
        memory: bool = True,
    ) -> Engine:
        """Open the store and prepare (lazily) the model and sandbox; memory=False skips the
        semantic cache, recall and vector search."""
        settings = settings or load_settings()
        app_paths().ensure()
        store = await Store.open(database or database_path(settings))
        engine = cls(settings, store, model_factory=model_factory, sandbox_factory=sandbox_factory,
                     answer=answer)
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

            self.memory = await MemoryService.open(self.store, self.settings)

    def pipeline(self) -> Answer:
        """The stages of a turn, outermost first: attach, cache, index, recall; then the answer."""
        stages: Sequence[Stage] = ()
        if self.memory is not None:
            stages = (self.memory.cache_stage, self.memory.index_stage,
                      _unless_given_code(self.memory.recall_stage))
        return compose(self.answer, (attach_stage, *stages))

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
        if self.mcp is not None:
            await self.mcp.close()
        await self.store.close()

    @property
    def database(self) -> Path:
        """The SQLite file this engine keeps its sessions in."""
        return self.store.path

    # -- components ---------------------------------------------------------------------

    def apply_settings(self, settings: Settings) -> None:
        """Use new settings from the next run on (the memory layer reads them per run)."""
        self.settings = settings
        if self.memory is not None:
            self.memory.settings = settings.memory

    async def model(self) -> ChatModel:
        """The chat model, loaded on first use and kept loaded (raises ModelError)."""
        async with self._model_lock:
            if self._model is None:
                self._model = await self._model_factory(self.settings)
            return self._model

    async def switch_model(self, model: str) -> None:
        """Use another chat model from the next run on; the loaded one is released now."""
        async with self._model_lock:
            llm = self.settings.llm.model_copy(update={"model": model})
            self.settings = self.settings.model_copy(update={"llm": llm})
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
        return sampling_from(self.settings, **overrides)

    # -- sessions -----------------------------------------------------------------------

    async def new_session(self, title: str = "") -> SessionRecord:
        """Create an empty session."""
        return await self.store.create_session(title)

    async def history(self, session_id: str, leaf_id: str | None = None) -> list[MessageRecord]:
        """The conversation branch ending at leaf_id (default: the branch the session shows)."""
        return await self.store.conversation(session_id, leaf_id)

    # -- conversation tree --------------------------------------------------------------

    async def tree(self, session_id: str) -> ConversationTree:
        """Every message of the session, with the path it shows (nothing is ever left out)."""
        return await self.store.tree(session_id)

    async def show_branch(self, session_id: str, message_id: str) -> ConversationTree:
        """Show the branch through a message, down to its newest reply; returns the tree."""
        return await self._show(await self.store.tree(session_id), message_id)

    async def _show(self, tree: ConversationTree, message_id: str) -> ConversationTree:
        leaf = tree.latest_leaf(message_id)
        if leaf is None:
            raise GlassboxError(f"No message {message_id[:8]} in this session.")
        await self.store.set_active_leaf(tree.messages[0].session_id, leaf.id)
        return ConversationTree(tree.messages, leaf.id)

    async def switch_sibling(self, session_id: str, message_id: str, step: int) -> ConversationTree | None:
        """Show the sibling `step` places away (-1 previous, +1 next, wrapping) and the newest
        branch under it; None when the message has no siblings."""
        tree = await self.store.tree(session_id)
        sibling = tree.sibling_at(message_id, step)
        return None if sibling is None else await self._show(tree, sibling.id)

    def edit_prompt(self, session_id: str, message_id: str, text: str,
                    options: SubmitOptions | None = None) -> RunHandle:
        """Send `text` in place of an earlier prompt: a new branch beside it (it stays)."""
        options = dataclasses.replace(options or SubmitOptions(), edit_of=message_id)
        return self.submit(session_id, text, options)

    def regenerate(self, session_id: str, message_id: str, options: SubmitOptions | None = None) -> RunHandle:
        """Answer a prompt again, never from the cache: a new reply beside the earlier ones."""
        options = dataclasses.replace(options or SubmitOptions(), regenerate_of=message_id, use_cache=False)
        return self.submit(session_id, "", options)

    async def export_session(self, session_id: str, directory: Path | None = None) -> tuple[Path, Path]:
        """Write the session's whole tree as Markdown and JSON (default: the data directory's
        exports/); returns the two paths."""
        session = await self.store.get_session(session_id)
        if session is None:
            raise GlassboxError(f"No session with id {session_id!r}.")
        tree = await self.store.tree(session.id)
        folder = directory or app_paths().data_dir / "exports"
        return await asyncio.to_thread(write_exports, session, tree, folder)

    # -- runs ---------------------------------------------------------------------------

    def continue_reply(self, session_id: str, message_id: str) -> RunHandle:
        """Continue a reply that was cut off (token limit, cancel, a lost server): a new reply to
        the same prompt that starts with the cut text; the cut one stays in the tree."""
        options = SubmitOptions(mode="chat", use_cache=False, continue_message_id=message_id)
        return self.submit(session_id, "", options)

    async def mark_wrong(self, run_id: str) -> bool:
        """The user says a run's answer is wrong: it never serves the cache or an example again."""
        return await self.store.mark_run_wrong(run_id)

    def submit(self, session_id: str, text: str, options: SubmitOptions | None = None) -> RunHandle:
        """Start a run for a user message; iterate the handle for its events."""
        handle = RunHandle(new_id(), session_id)
        self.runs[handle.run_id] = handle
        handle.task = asyncio.create_task(self._driver.drive(handle, text, options or SubmitOptions()))
        return handle

    async def cancel(self, run_id: str) -> None:
        """Cancel a run by id."""
        handle = self.runs.get(run_id)
        if handle is not None:
            handle.cancel()

    def find_attachments(self, text: str, root: Path) -> tuple[Attachment, ...]:
        """The files a prompt attaches with @path, relative to `root` (raises AttachmentError for a
        missing, unreadable or too large one); pass them in SubmitOptions.attachments."""
        return find_attachments(text, root, self.settings.sandbox.attach_max_bytes)

    async def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Search all sessions (hybrid text + vector once the memory layer is on)."""
        if self.memory is not None:
            return await self.memory.search(text, limit)
        rows = await self.store.search_messages(text, limit)
        return [SearchHit(m.session_id, m.id, m.run_id, "message", m.content, 1.0) for m in rows]


def _unless_given_code(stage: Stage) -> Stage:
    """A stage left out for a task that brings its own code: the agent runs that code as given and no
    model reads the task, so choosing worked examples for it would only cost time and mislead."""
    def staged(context: RunContext, answer: Answer) -> AsyncIterator[Event]:
        if context.options.mode != "chat" and given_action(context.text) is not None:
            return answer(context)
        return stage(context, answer)
    return staged


async def _start_docker_sandbox(settings: Settings) -> CodeRunner:
    from engine.sandbox.docker_runner import DockerSandbox

    sandbox = DockerSandbox(settings.sandbox, app_paths().workspaces_dir)
    await sandbox.start()
    return sandbox


__all__ = ["Engine", "ModelError", "RunContext", "RunHandle", "SandboxError", "SearchHit", "SubmitOptions"]

