"""DockerSandbox: the CodeRunner that keeps one warm, stateful container per session."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import mimetypes
import os
import tempfile
import time
import uuid
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker.errors

from engine.cancel import CancelToken
from engine.config import SandboxSettings
from engine.errors import SandboxError
from engine.events import (
    Artifact,
    CodeExecStarted,
    ExecFinished,
    ExecOutput,
    SandboxRestored,
    Stream,
)
from engine.sandbox.archive import (
    SavedWorkspace,
    forget_workspace,
    restore_workspace,
    save_workspace,
    saved_workspace,
)
from engine.sandbox.base import ExecEvent, ExecLimits, Language
from engine.sandbox.checkpoints import SessionCheckpoints
from engine.sandbox.container import ContainerSpec, SandboxContainer, safe_name
from engine.sandbox.dockerapi import blocking, connect
from engine.sandbox.execution import Execution, Outcome
from engine.sandbox.image import image_status
from engine.sandbox.pool import WarmPool
from engine.sandbox.reaper import reap_orphans
from engine.sandbox.upload import upload_file

log = logging.getLogger(__name__)

# What the execution job hands the consumer: events, an error to raise, or None at the end.
_Item = ExecEvent | BaseException | None

RESTORED_NOTE = ("[sandbox: this session's container had been retired ({why}); "
                 "files restored; variables from earlier runs are gone]\n")
LOST_FILES_NOTE = ("[sandbox: this session's container had been retired ({why}) and its files "
                   "could not be kept; variables from earlier runs are gone]\n")


@dataclass
class _Session:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    container: SandboxContainer | None = None
    last_used: float = field(default_factory=time.monotonic)
    users: int = 0  # jobs holding or waiting for the lock; the entry goes when none are left
    unsaid: SavedWorkspace | None = None  # restored by put_file: the next execution says so


class DockerSandbox(SessionCheckpoints):
    """Runs code in per-session Docker containers; implements engine.sandbox.base.CodeRunner
    (and WorkspaceCheckpointer, through SessionCheckpoints).

    Call `await start()` once (reaps orphans, fills the warm pool) and `await close()` at
    exit. Artifacts are copied to `workspaces_dir/<session>/artifacts/<exec_id>/`.
    """

    def __init__(self, settings: SandboxSettings, workspaces_dir: Path, *,
                 client: Any | None = None) -> None:
        self.settings = settings
        self.workspaces_dir = workspaces_dir
        self._client = client
        self._sessions: dict[str, _Session] = {}
        self._background: set[asyncio.Task[Any]] = set()
        self.runtime_root = runtime_root_for(workspaces_dir)
        self._pool = WarmPool(self._new_container, settings.pool_size)
        self._admission = asyncio.Lock()  # one session at a time takes a container
        self._released = asyncio.Event()  # an execution ended: a container may be idle now
        self._started = False

    @property
    def client(self) -> Any:
        """The docker SDK client (after start())."""
        if self._client is None:
            raise SandboxError("The sandbox was used before start().")
        return self._client

    async def start(self) -> None:
        """Connect to Docker, check the image, remove orphans, start filling the pool."""
        if self._client is None:
            self._client = await blocking(connect, settings=self.settings)
        status = await blocking(image_status, self._client, self.settings.image)
        if (problem := status.problem(self.settings.image)) is not None:
            raise problem
        removed = await blocking(reap_orphans, self._client, runtime_root=self.runtime_root)
        if removed:
            log.info("removed %d orphaned sandbox containers", len(removed))
        _EXIT_CLEANUP.add(self)
        self._started = True
        self._pool.fill()
        if self.settings.idle_retire_s > 0:
            self._spawn(self._retire_idle_loop())

    async def wait_ready(self, timeout_s: float = 60.0) -> None:
        """Wait until the warm pool is full."""
        await self._pool.wait_ready(timeout_s)

    async def _new_container(self) -> SandboxContainer:
        s = self.settings
        spec = ContainerSpec(s.image, s.memory, s.cpus, s.pids, s.workspace_size)
        container = SandboxContainer(self.client, spec)
        await container.start()
        return container

    async def execute(
        self,
        session_id: str,
        code: str,
        *,
        language: Language = "python",
        run_id: str,
        step_id: str | None = None,
        exec_id: str | None = None,
        limits: ExecLimits | None = None,
        cancel: CancelToken | None = None,
    ) -> AsyncIterator[ExecEvent]:
        """Yield CodeExecStarted, live ExecOutput chunks, then ExecFinished."""
        if not self._started:
            raise SandboxError("The sandbox was used before start().")
        queue: asyncio.Queue[_Item] = asyncio.Queue()
        stop = asyncio.Event()
        self._spawn(self._job(queue, stop, session_id, code, language, run_id, step_id,
                              exec_id or uuid.uuid4().hex, limits or ExecLimits(), cancel))
        try:
            while (item := await queue.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            # Closing the iterator kills the execution; the job keeps the session locked
            # until the kernel is idle again, so the next step finds it usable.
            stop.set()

    async def _job(self, queue: asyncio.Queue[_Item], stop: asyncio.Event,
                   session_id: str, code: str, language: Language, run_id: str,
                   step_id: str | None, exec_id: str, limits: ExecLimits,
                   cancel: CancelToken | None) -> None:
        session = self._sessions.setdefault(session_id, _Session())
        session.users += 1
        try:
            async with session.lock:
                restored, session.unsaid = session.unsaid, None
                if session.container is None or session.container.broken:
                    restored = await self._admit(session_id, session)
                container = session.container
                assert container is not None
                queue.put_nowait(CodeExecStarted(run_id=run_id, step_id=step_id,
                                                 exec_id=exec_id, language=language, code=code))
                if restored is not None:
                    self._say_restored(queue, restored, session_id, run_id, step_id, exec_id)
                started = time.monotonic()
                outcome = await self._run(container, queue, stop, session_id, code, language,
                                          run_id, step_id, exec_id, limits, cancel)
                if outcome.lost:
                    session.container = None
                    await container.remove()
                artifacts = tuple(
                    Artifact(name=name, path=str(path), size=path.stat().st_size,
                             mime=mimetypes.guess_type(name)[0] or "application/octet-stream")
                    for name, path in outcome.artifacts.items() if path.exists())
                queue.put_nowait(ExecFinished(
                    run_id=run_id, step_id=step_id, exec_id=exec_id,
                    exit_code=outcome.exit_code, duration_s=time.monotonic() - started,
                    peak_memory_bytes=outcome.peak, timed_out=outcome.timed_out,
                    oom_killed=outcome.oom_killed, truncated=outcome.truncated,
                    cancelled=outcome.cancelled, artifacts=artifacts))
                queue.put_nowait(None)
        except asyncio.CancelledError:
            queue.put_nowait(SandboxError("The sandbox was closed during execution."))
            raise
        except Exception as exc:
            queue.put_nowait(exc)
        finally:
            session.users -= 1
            session.last_used = time.monotonic()
            self._forget_if_unused(session_id, session)
            self._released.set()

    async def _admit(self, session_id: str, session: _Session) -> SavedWorkspace | None:
        """Give the session (whose lock the caller holds) a container within the cap.

        Returns what was restored into it when the session had been retired.
        """
        async with self._admission:
            if session.container is not None:  # broken: it goes before a new one comes
                await session.container.remove()
                session.container = None
            while self.live_count() >= self.settings.max_live_sessions:
                victim = self._least_recently_used_idle()
                if victim is None:
                    # Every live container runs code, and a running execution is never
                    # retired: wait until one ends.
                    self._released.clear()
                    await self._released.wait()
                    continue
                await self._retire(*victim, reason="to make room for another session")
            container = await self._pool.acquire()
            session.container = container
            self._spawn(container.rename(session_id))
        folder = self._session_dir(session_id)
        saved = await blocking(saved_workspace, folder)
        if saved is None:
            return None
        if saved.saved:
            try:
                await blocking(restore_workspace, self.client, container.container_id, folder)
            except SandboxError as exc:
                log.warning("sandbox: %s", exc)
                saved = SavedWorkspace(0, 0, saved.reason, saved=False)
        await blocking(forget_workspace, folder)
        return saved

    def live_count(self) -> int:
        """Session containers alive now (the warm pool not counted)."""
        return sum(1 for s in self._sessions.values() if s.container is not None)

    def _least_recently_used_idle(self) -> tuple[str, _Session] | None:
        idle = [(s.last_used, sid, s) for sid, s in self._sessions.items()
                if s.container is not None and s.users == 0 and not s.lock.locked()]
        if not idle:
            return None
        _, sid, session = min(idle, key=lambda item: item[0])
        return sid, session

    async def _retire(self, session_id: str, session: _Session, reason: str) -> None:
        """Save the idle session's files, then remove its container."""
        async with session.lock:  # free, as the caller checked: taken at once
            container, session.container = session.container, None
            if container is not None:
                try:
                    saved = await blocking(save_workspace, self.client, container.container_id,
                                           self._session_dir(session_id), reason)
                    log.info("sandbox: retired %s (%s): %d files kept", session_id, reason,
                             saved.files)
                finally:
                    await container.remove()
        self._forget_if_unused(session_id, session)

    async def _retire_idle_loop(self) -> None:
        idle_s = self.settings.idle_retire_s
        while True:
            await asyncio.sleep(min(max(idle_s / 4, 0.05), 30.0))
            now = time.monotonic()
            for sid, session in list(self._sessions.items()):
                if (session.container is not None and session.users == 0
                        and not session.lock.locked() and now - session.last_used >= idle_s):
                    try:
                        await self._retire(sid, session, reason=f"idle for {idle_s:g} s")
                    except Exception:  # one failure must not end idle retirement for good
                        log.exception("sandbox: retiring idle session %s failed", sid)

    def _forget_if_unused(self, session_id: str, session: _Session) -> None:
        # A session with no container and no job waiting keeps nothing in memory; a retired
        # one is remembered by its saved files on disk.
        if (session.container is None and session.users == 0 and not session.lock.locked()
                and self._sessions.get(session_id) is session):
            del self._sessions[session_id]

    def _session_dir(self, session_id: str) -> Path:
        return self.workspaces_dir / safe_name(session_id)

    @staticmethod
    def _say_restored(queue: asyncio.Queue[_Item], saved: SavedWorkspace, session_id: str,
                      run_id: str, step_id: str | None, exec_id: str) -> None:
        queue.put_nowait(SandboxRestored(
            run_id=run_id, step_id=step_id, session_id=session_id, exec_id=exec_id,
            files=saved.files, bytes=saved.bytes, reason=saved.reason, saved=saved.saved))
        # Also in the output, so the model learns its variables are gone.
        note = RESTORED_NOTE if saved.saved else LOST_FILES_NOTE
        queue.put_nowait(ExecOutput(run_id=run_id, step_id=step_id, exec_id=exec_id,
                                    stream="stderr", text=note.format(why=saved.reason)))

    async def reset_session(self, session_id: str) -> None:
        """Give the session a clean interpreter and workspace (a fresh container)."""
        await self.close_session(session_id)

    async def close_session(self, session_id: str) -> None:
        """Stop and remove the session's container; its saved files, if any, go too."""
        session = self._sessions.get(session_id)
        if session is not None:
            session.users += 1
            try:
                async with session.lock:
                    container, session.container = session.container, None
                    if container is not None:
                        await container.remove()
            finally:
                session.users -= 1
                self._forget_if_unused(session_id, session)
        await blocking(forget_workspace, self._session_dir(session_id))

    async def put_file(self, session_id: str, source: Path, name: str) -> str:
        """Copy a host file into the session's /workspace (starting its container if it has
        none); returns the path the code sees."""
        if not self._started:
            raise SandboxError("The sandbox was used before start().")
        session = self._sessions.setdefault(session_id, _Session())
        session.users += 1
        try:
            async with session.lock:
                if session.container is None or session.container.broken:
                    session.unsaid = await self._admit(session_id, session)
                container = session.container
                assert container is not None
                await blocking(upload_file, self.client, container.container_id, source, name)
        finally:
            session.users -= 1
            session.last_used = time.monotonic()
            self._forget_if_unused(session_id, session)
            self._released.set()
        return f"/workspace/{name}"

    async def close(self) -> None:
        """Remove every container this runner started."""
        await self._pool.close()
        for task in list(self._background):
            task.cancel()
        containers = [s.container for s in self._sessions.values() if s.container is not None]
        self._sessions.clear()
        await asyncio.gather(*(c.remove() for c in containers), return_exceptions=True)
        if self._client is not None:
            with contextlib.suppress(docker.errors.DockerException):
                await blocking(reap_orphans, self._client, runtime_root=self.runtime_root,
                               mine=True)
        self._started = False
        _EXIT_CLEANUP.discard(self)

    async def _run(self, container: SandboxContainer,
                   queue: asyncio.Queue[_Item], stop: asyncio.Event,
                   session_id: str, code: str, language: Language, run_id: str,
                   step_id: str | None, exec_id: str, limits: ExecLimits,
                   cancel: CancelToken | None) -> Outcome:
        s = self.settings
        await container.set_memory(limits.memory or s.memory)

        def emit(stream: Stream, text: str) -> None:
            queue.put_nowait(ExecOutput(run_id=run_id, step_id=step_id, exec_id=exec_id,
                                        stream=stream, text=text))

        execution = Execution(
            container, emit, limits.timeout_s or s.timeout_s,
            limits.output_limit_bytes or s.output_limit_bytes,
            self.workspaces_dir / safe_name(session_id) / "artifacts" / safe_name(exec_id))
        return await execution.run(code, language, exec_id, stop, cancel)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)


def runtime_root_for(workspaces_dir: Path) -> Path:
    """Where earlier versions kept per-container socket folders (the reaper still clears them)."""
    root = workspaces_dir / ".run"
    # A unix socket path must fit in 108 bytes; long homes fall back to the temp dir.
    if len(str(root / "glassbox-0123456789ab" / "kernel.sock")) < 100:
        return root
    return Path(tempfile.gettempdir()) / f"glassbox-run-{os.getuid()}"


_EXIT_CLEANUP: weakref.WeakSet[DockerSandbox] = weakref.WeakSet()


@atexit.register
def _cleanup_at_exit() -> None:
    # A process that never called close(): remove what it started before it goes.
    for runner in list(_EXIT_CLEANUP):
        if runner._client is not None:
            with contextlib.suppress(Exception):
                reap_orphans(runner._client, runtime_root=runner.runtime_root, mine=True)
