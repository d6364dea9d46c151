"""LiveRuns: the runs going on in every session at once, each with its bridge and a log of its messages."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message

from tui.bridge import Bridge, EngineEvent, RunEnded, StreamBatch, StreamChunk
from tui.screens.dialogs import Confirm

if TYPE_CHECKING:
    from engine.events import ApprovalRequested
    from engine.service import RunHandle
    from tui.flow_host import FlowHost

STARTED_S = 5.0
"""How long opening a session waits for its new run's first event (the ids of the messages it shows)."""


class LiveRun:
    """One session's run: its handle, its bridge, and every message the bridge posted, in order (the
    index in `log` is the message's sequence number)."""

    def __init__(self, runs: LiveRuns, handle: RunHandle) -> None:
        self.runs = runs
        self.handle = handle
        self.session_id = handle.session_id
        self.bridge = Bridge(self)
        self.log: list[Message] = []
        self.drawn = 0
        """How many messages of the log the screen shows (those before this number)."""
        self.hide: frozenset[str] = frozenset()
        """The prompt and reply this run shows (from RunStarted): a stored session leaves them out."""
        self.waiting = False
        """True while the run waits for the model another run is using."""
        self.started = asyncio.Event()
        """Set with the run's first message."""
        self.approval: asyncio.Future[bool] | None = None
        self.confirm: Confirm | None = None

    def post_message(self, message: Message) -> bool:
        """The bridge's target: keep the message, and pass it to the screen if its session is shown."""
        self.log.append(message)
        self.started.set()
        if isinstance(message, EngineEvent):
            event = message.event
            if event.type == "run_started":
                self.hide = frozenset((getattr(event, "user_message_id", ""),
                                       getattr(event, "assistant_message_id", "")))
            elif event.type == "model_wait":
                self.waiting = bool(getattr(event, "waiting", False))
        elif isinstance(message, RunEnded):
            self.waiting = False
        return self.runs.deliver(self, message)


class LiveRuns:
    """Every session's run, owned by the app. The session on screen shows its run as it goes; a run in
    another session goes on unseen (the engine records it as always) and, when its session is opened
    again, the log of what it showed is replayed and its messages stream on from there. Prompts queued
    in a session wait with it and run in order after its run, on screen or not."""

    def __init__(self, host: FlowHost, start_next_queued: Callable[[], None]) -> None:
        self.host = host
        self._start_next_queued = start_next_queued
        self._live: dict[str, LiveRun] = {}
        self._last_bridge: dict[str, Bridge] = {}
        self._queues: dict[str, list[str]] = {}
        """Prompts queued in sessions not on screen (the shown one's are in the Chat pane's queue)."""
        self._drawing: str | None = None
        """The session whose run's messages go to the screen as they come (None while switching)."""

    # -- the run on screen (the app's handle and bridge) ------------------------------------

    def current(self) -> LiveRun | None:
        """The run going in the session on screen."""
        session_id = self.host.dashboard.session_id if self.host.screen_stack else None
        return self._live.get(session_id) if session_id is not None else None

    @property
    def handle(self) -> RunHandle | None:
        """The run going in the session on screen."""
        live = self.current()
        return live.handle if live is not None else None

    @property
    def bridge(self) -> Bridge | None:
        """The bridge of the session on screen: its run's, else its last run's."""
        session_id = self.host.dashboard.session_id if self.host.screen_stack else None
        live = self.current()
        return live.bridge if live is not None else self._last_bridge.get(session_id or "")

    # -- what the screens ask (tui.host.RunsView) -------------------------------------------

    def running_in(self, session_id: str | None) -> bool:
        """True while a run goes in the session."""
        return session_id is not None and session_id in self._live

    def waiting(self, session_id: str | None) -> bool:
        """True while the session's run waits for the model."""
        live = self._live.get(session_id or "")
        return live is not None and live.waiting

    def running_elsewhere(self, session_id: str | None) -> int:
        """How many runs go in other sessions than this one."""
        return sum(1 for other in self._live if other != session_id)

    @property
    def count(self) -> int:
        """How many runs go, in all sessions."""
        return len(self._live)

    def claim(self, message: Message) -> bool:
        """True (and counted as drawn) when a message that reached the dashboard is the next one of
        the shown session's run; False for one of a session left, or one a replay already drew."""
        live = self._live.get(self._drawing or "")
        if live is None or live.drawn >= len(live.log) or live.log[live.drawn] is not message:
            return False
        live.drawn += 1
        return True

    # -- runs starting and ending -----------------------------------------------------------

    def follow(self, handle: RunHandle) -> RunHandle:
        """Keep a started run; its events flow through its own bridge worker."""
        live = LiveRun(self, handle)
        self._live[handle.session_id] = live
        self.host.run_worker(live.bridge.pump(handle.run_id, handle), name=f"bridge {handle.run_id}",
                             group="bridge", exit_on_error=False)
        if handle.session_id != self.host.dashboard.session_id:
            self.host.dashboard.update_topbar()  # one more running elsewhere
        return handle

    def deliver(self, live: LiveRun, message: Message) -> bool:
        """Pass a run's message to the screen while its session is shown. The end of a run not on
        screen is taken here (a shown run's end is taken by the dashboard, after its last text)."""
        if live.session_id == self._drawing and not self.host.closing:
            return self.host.dashboard.post_message(message)
        if isinstance(message, RunEnded):
            self.host.call_later(self.ended, message.run_id)
        return True

    def ended(self, run_id: str) -> None:
        """A run's last message was delivered: forget it, decline its pending approval, and start
        the next prompt queued in its session."""
        live = next((live for live in self._live.values() if live.handle.run_id == run_id), None)
        if live is None:
            return
        del self._live[live.session_id]
        self._last_bridge[live.session_id] = live.bridge
        live.log = []  # what it showed is in the store now (a replay going on keeps its own list)
        self._decline(live)
        if self.host.closing:
            return
        if live.session_id == self.host.dashboard.session_id:
            self._start_next_queued()
        elif self._queues.get(live.session_id):
            self.host.call_later(self._run_next_elsewhere, live.session_id)
        self.host.dashboard.update_topbar()

    async def _run_next_elsewhere(self, session_id: str) -> None:
        queue = self._queues.get(session_id)
        if not queue or self.running_in(session_id) or self.host.closing:
            return
        text = queue.pop(0)
        if await self.host.submit(text, session_id=session_id) is None:
            queue.insert(0, text)  # not sent (no engine): it keeps its place

    def cancel_all(self) -> None:
        """Cancel every run, in every session (quitting); pending approvals are declined."""
        for live in list(self._live.values()):
            live.handle.cancel()
            self._decline(live)

    # -- switching sessions -----------------------------------------------------------------

    async def open(self, session_id: str, at_message: str | None = None) -> None:
        """Show a session: as stored, then, if a run goes in it, that run's log replayed, after which
        its messages are drawn as they come. A run in the session left goes on unseen."""
        dashboard = self.host.dashboard
        self._drawing = None
        queue = dashboard.chat.queue
        left = queue.replace_all(self._queues.pop(session_id, []))
        if left and dashboard.session_id is not None and dashboard.session_id != session_id:
            self._queues[dashboard.session_id] = left
        live = self._live.get(session_id)
        if live is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(live.started.wait(), STARTED_S)
        # Taken before the store is read: if the run ends meanwhile, its log is still replayed.
        log = live.log if live is not None else []
        await dashboard.load_session(session_id, at_message, live_run=live.handle.run_id if live else None,
                                     hide=live.hide if live else ())
        if live is not None:
            await self._replay(live, log)
        newer = self._live.get(session_id)
        if newer is not None and newer is not live:  # started while the session was read
            await self._replay(newer, newer.log)
        if dashboard.session_id != session_id:
            return  # another session was opened meanwhile: that one draws
        # No await between a replay's last message and this: every later one is passed on.
        self._drawing = session_id
        if newer is None and queue.count:
            self._start_next_queued()  # its run ended while the session was read
        dashboard.update_topbar()

    async def _replay(self, live: LiveRun, log: list[Message]) -> None:
        """Draw the run's log from its start; messages posted meanwhile are drawn too, in order."""
        dashboard = self.host.dashboard
        live.drawn = 0
        while live.drawn < len(log) and dashboard.session_id == live.session_id:
            start = live.drawn
            end = start + 1
            # Consecutive text batches are drawn as one: a long reply comes back in one write.
            if isinstance(log[start], StreamBatch):
                while end < len(log) and isinstance(log[end], StreamBatch):
                    end += 1
            live.drawn = end
            await dashboard.draw(log[start] if end == start + 1 else _merged(log[start:end]))

    # -- approvals (`ask` mode) ---------------------------------------------------------------

    async def approve(self, request: ApprovalRequested) -> bool:
        """Ask whether a run's code may run: a modal with the code (naming the session when it is not
        the one on screen); resolves on y/n, or False when the run ends or is cancelled first."""
        live = next((live for live in self._live.values() if live.handle.run_id == request.run_id), None)
        if live is None:
            return False
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        live.approval = future
        question = f"Run this {request.language} code in the sandbox?"
        if live.session_id != self.host.dashboard.session_id and self.host.engine is not None:
            record = await self.host.engine.sessions.get(live.session_id)
            question = f"{question} (session “{(record.title if record else '') or 'untitled'}”)"
        live.confirm = Confirm(question, code=request.code, language=request.language)
        self.host.call_later(self.host.push_screen, live.confirm,
                             lambda answer: future.done() or future.set_result(bool(answer)))
        return await future

    def decline_current(self) -> None:
        """Decline the approval the run on screen waits for (it is being cancelled)."""
        live = self.current()
        if live is not None:
            self._decline(live)

    def _decline(self, live: LiveRun) -> None:
        if live.approval is not None and not live.approval.done():
            live.approval.set_result(False)
            if self.host.screen is live.confirm and live.confirm is not None:
                live.confirm.dismiss(False)
        live.approval, live.confirm = None, None


def _merged(batches: list[Message]) -> StreamBatch:
    """Several text batches as one (neighbouring text of the same kind and key joined)."""
    merged = StreamBatch(run_id="")
    for batch in batches:
        assert isinstance(batch, StreamBatch)
        merged.run_id = batch.run_id
        for chunk in batch.chunks:
            last = merged.chunks[-1] if merged.chunks else None
            if last is not None and last.kind == chunk.kind and last.key == chunk.key:
                last.text += chunk.text
                last.count += chunk.count
            else:
                merged.chunks.append(StreamChunk(chunk.kind, chunk.text, chunk.key, chunk.count))
    return merged
