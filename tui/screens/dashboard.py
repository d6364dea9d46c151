"""The dashboard screen: the four panes, their layout (grid or tabs) and engine-event dispatch."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen

from tui.bridge import EngineEvent, RunEnded, StreamBatch
from tui.keymap import FOOTER_PRIORITY
from tui.screens.dashboard_session import SessionView
from widgets.activity import ActivityPane
from widgets.chat import ChatPane
from widgets.cost import CostPane
from widgets.execution import ExecPane
from widgets.pane import Pane
from widgets.scrollbars import use_whole_cell_scrollbars
from widgets.topbar import TopBar

if TYPE_CHECKING:
    from textual.widgets import Tabs

    from tui.exec_history import ExecHistory
    from tui.host import DashboardHost
    from tui.presenter import RunPresenter

PANES = ("chat", "execution", "activity", "cost")
COMPACT_WIDTH = 110
COMPACT_HEIGHT = 32
"""Below either size the four panes become tabs, so nothing is cut off."""


class DashboardScreen(SessionView, Screen[None]):
    """Chat, Execution, Activity and Cost; wide terminals show all four, small ones use tabs."""

    AUTO_FOCUS = "#prompt"
    """Focused as the screen mounts, so keys typed during start-up have somewhere to go."""

    def __init__(self, *, snapshot_mode: bool = False) -> None:
        super().__init__(id="dashboard-screen")
        self.snapshot_mode = snapshot_mode
        self._early_keys: list[tuple[str, str | None]] = []
        self.compact = False
        self.active_pane = "chat"
        self.session_id: str | None = None
        self._presenter: RunPresenter | None = None
        self.exec_history: ExecHistory | None = None
        """Which of the session's executions the Execution pane shows (set when a session opens)."""

    @property
    def gb(self) -> DashboardHost:
        """The app, as the protocol of what this screen needs from it."""
        return self.app  # type: ignore[return-value]

    @property
    def presenter(self) -> RunPresenter:
        """Routes engine events to the panes; made with the first use (engine.events costs 11 ms
        of a launch, so start-up does not import it)."""
        if self._presenter is None:
            from tui.presenter import Panes, RunPresenter

            self._presenter = RunPresenter(Panes(self.chat, self.execution, self.activity, self.cost),
                                           snapshot_mode=self.snapshot_mode, on_budget=self.refresh_budget)
        return self._presenter

    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar", live=not self.snapshot_mode)
        if self._is_compact(self.app.size.width, self.app.size.height):
            yield self._pane_tabs()
        with Horizontal(id="dashboard"):
            yield ChatPane()
            with Vertical(id="side"):
                # Filled after the first frame (fill_panes): start-up paints the chat first.
                yield ExecPane(show_clock=not self.snapshot_mode, lazy=True)
                yield ActivityPane(lazy=True)
                yield CostPane(lazy=True)

    def on_key(self, event: events.Key) -> None:
        # Typed while the app was still starting, a key reaches the screen (nothing had focus when
        # it was sent): it goes to the prompt once that can take it, instead of being lost.
        if not self.gb.ready.is_set() and (event.is_printable or event.key in ("enter", "space")):
            event.stop()
            if not self._early_keys:
                self.call_after_refresh(self._replay_keys)
            self._early_keys.append((event.key, event.character))

    def _replay_keys(self) -> None:
        keys, self._early_keys = self._early_keys, []
        prompt = self.chat.prompt
        if self.focused is None:
            prompt.focus()
        for key, character in keys:
            prompt.post_message(events.Key(key, character))

    async def on_mount(self) -> None:
        use_whole_cell_scrollbars()
        if self.snapshot_mode:
            self.chat.prompt.cursor_blink = False
        self.apply_layout(self.app.size.width, self.app.size.height)
        glance = self.gb.glance
        if glance is not None and glance.session_id is not None:
            await self.show_glance(glance)  # before the first frame: no frame without the session
        self.app.call_later(self.gb.startup)

    # -- panes ----------------------------------------------------------------------------

    @property
    def chat(self) -> ChatPane:
        """The Chat pane."""
        return self.query_one(ChatPane)

    @property
    def execution(self) -> ExecPane:
        """The Execution pane."""
        return self.query_one(ExecPane)

    @property
    def activity(self) -> ActivityPane:
        """The Activity pane."""
        return self.query_one(ActivityPane)

    @property
    def cost(self) -> CostPane:
        """The Cost pane."""
        return self.query_one(CostPane)

    def pane(self, name: str) -> Pane:
        """A pane by id."""
        return self.query_one(f"#{name}", Pane)

    @property
    def topbar(self) -> TopBar:
        """The status line at the top."""
        return self.query_one("#topbar", TopBar)

    def set_status(self, text: str) -> None:
        """The one-line bar at the top."""
        self.topbar.show_text(text)

    # -- layout ---------------------------------------------------------------------------

    def on_resize(self) -> None:
        self.apply_layout(self.app.size.width, self.app.size.height)

    @staticmethod
    def _is_compact(width: int, height: int) -> bool:
        return width < COMPACT_WIDTH or height < COMPACT_HEIGHT

    def _pane_tabs(self) -> Tabs:
        # Made when the terminal is first too small for the grid (not before: 15 ms of start-up, and
        # the import another 1.3 ms).
        from textual.widgets import Tab, Tabs

        return Tabs(
            Tab("1 Chat", id="tab-chat"), Tab("2 Execution", id="tab-execution"),
            Tab("3 Activity", id="tab-activity"), Tab("4 Cost", id="tab-cost"), id="pane-tabs",
            active=f"tab-{self.active_pane}",
        )

    def apply_layout(self, width: int, height: int) -> None:
        """Grid when there is room; otherwise one pane at a time under a tab bar."""
        self.compact = self._is_compact(width, height)
        self.set_class(self.compact, "-compact")
        tabs = self.query("#pane-tabs")
        if tabs:
            tabs.first().display = self.compact
        elif self.compact:
            self.mount(self._pane_tabs(), before="#dashboard")
        for name in PANES:
            self.pane(name).display = not self.compact or name == self.active_pane
        self.query_one("#side").display = not self.compact or self.active_pane != "chat"

    def show_pane(self, name: str, focus: bool = True) -> None:
        """Make a pane visible (switching tab in compact mode) and focus it."""
        from textual.widgets import Tabs

        self.active_pane = name
        for tabs in self.query("#pane-tabs").results(Tabs):
            if tabs.active != f"tab-{name}":
                tabs.active = f"tab-{name}"
        self.apply_layout(self.app.size.width, self.app.size.height)
        if focus:
            self.call_after_refresh(self.pane(name).focus_first)

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        if event.tabs.id != "pane-tabs":
            return
        name = (event.tab.id or "tab-chat").removeprefix("tab-")
        if name != self.active_pane:
            self.show_pane(name, focus=self.compact)

    def focused_pane(self) -> Pane | None:
        """The pane holding the focused widget."""
        node = self.focused
        while node is not None:
            if isinstance(node, Pane):
                return node
            node = node.parent  # type: ignore[assignment]
        return None

    # -- start-up and the top bar ---------------------------------------------------------
    # Opening a stored session (messages, runs, cost) is SessionView's part: dashboard_session.py.

    async def fill_panes(self) -> None:
        """Make the chat's newest messages widgets and mount the side panes' bodies (once);
        start-up does it after its first frame, which shows the messages as lines."""
        await self.chat.show_live()
        for pane in (self.execution, self.activity, self.cost):
            await pane.fill()

    async def add_footer(self) -> None:
        """Mount the key footer (once). The app does it after its first frame: during start-up the
        footer rebuilt its keys on every change of focus or bindings, 20% of the start-up's work."""
        if not self.query("Footer"):
            from widgets.footer import FittedFooter  # with Textual's Footer: 4 ms not spent before

            await self.mount(FittedFooter(FOOTER_PRIORITY))
            self.refresh_bindings()  # a footer shows its keys once the bindings next change

    async def next_frame(self) -> None:
        """Return once the screen has refreshed, or after a moment if it is covered and does not."""
        painted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.call_after_refresh(lambda: painted.done() or painted.set_result(None))
        await asyncio.wait([painted], timeout=0.25)

    def update_topbar(self) -> None:
        """Session title, model, run state and how many runs go in other sessions."""
        app = self.gb
        title = app.session_title or "(new session)"
        model = app.engine.settings.llm.model if app.engine else "?"
        state = "running (Esc cancels)" if app.handle is not None else "idle"
        if app.handle is not None and app.runs.waiting(self.session_id):
            state = "waiting for the model (Esc cancels)"
        if not app.ready.is_set():
            state = "starting…"
        queued = self.chat.queue.count
        if queued:
            state += f" · {queued} queued"
        elsewhere = app.runs.running_elsewhere(self.session_id)
        if elsewhere:
            state += f" · {elsewhere} running elsewhere"
        self.topbar.show(title, model, state, running=app.handle is not None)
        self.refresh_bindings()  # the footer shows Esc only while it cancels something

    # -- engine events (messages from the bridge) -------------------------------------------

    def begin_turn(self) -> None:
        """Called by the app right after submit (the presenter resets the turn on RunStarted)."""
        self.update_topbar()

    # A run's messages reach the screen while its session is shown; runs.claim() says which to draw
    # (a message of a session left, or already drawn by a replay, is not).

    async def on_stream_batch(self, message: StreamBatch) -> None:
        if self.gb.runs.claim(message):
            await self.draw(message)

    async def on_engine_event(self, message: EngineEvent) -> None:
        if self.gb.runs.claim(message):
            await self.draw(message)

    async def on_run_ended(self, message: RunEnded) -> None:
        if self.gb.runs.claim(message):
            await self.draw(message)
        self.gb.run_ended(message.run_id)
        self.update_topbar()

    async def draw(self, message: Message) -> None:
        """Show one of a run's messages in the panes: as it arrives, or replayed when the session of
        a run still going is opened again."""
        if isinstance(message, StreamBatch):
            self.topbar.count_tokens(sum(c.count for c in message.chunks if c.kind == "token"))
            for chunk in message.chunks:
                if chunk.kind == "token":
                    await self.chat.append_reply(chunk.text)
                else:
                    self.execution.add_output(chunk.kind, chunk.text)
        elif isinstance(message, EngineEvent):
            await self.presenter.dispatch(message.event)
            self.topbar.take_event(message.event)
            if message.event.type == "model_wait":
                self.update_topbar()  # waiting for the model, or no longer
            # A run's first widgets were found laid out but not painted in a real terminal when a
            # prompt was queued as the run started (tmux, 160x48); a repaint of the log after each
            # event (not each token) costs little and leaves nothing stale.
            self.call_after_refresh(self.chat.log_view.refresh)
        elif isinstance(message, RunEnded):
            await self.chat.finish_reply_if_streaming()
            await self.refresh_budget()
