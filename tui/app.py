"""GlassboxApp: wires the engine to the dashboard; runs, panes and the one bridge worker."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.screen import Screen

from engine.errors import ConfigError, GlassboxError
from engine.glance import Glance
from engine.resources import data_file, styles_dir
from tui.branch_flows import TREE_ACTIONS, BranchFlows
from tui.dialog_flows import DialogFlows
from tui.flow_host import FlowAction
from tui.history_flows import HistoryFlows
from tui.idle_gc import IdleCollector
from tui.keymap import dashboard_bindings, unknown_ids
from tui.media_flows import MediaFlows
from tui.palette import palette_commands
from tui.pane_flows import PaneFlows
from tui.queue_flow import PromptQueueFlow
from tui.runs import LiveRuns
from tui.screens.dashboard import DashboardScreen
from tui.turn_flows import TurnFlows
from widgets import first_frame
from widgets.activity import ActivityPane
from widgets.cost import load_pricing
from widgets.execution import ExecPane
from widgets.message import switch_on_highlighting
from widgets.prompt import PromptInput
from widgets.prompt_queue import PromptQueue

if TYPE_CHECKING:  # imported at run time only after the first frame: they bring in pydantic
    from engine.config import Settings
    from engine.events import ApprovalRequested
    from engine.service import Engine, RunHandle, SubmitOptions
    from tui.bridge import Bridge

EngineFactory = Callable[["Settings"], Awaitable["Engine"]]
_DASHBOARD_ACTIONS = {
    "cancel_run", "kill_exec", "focus_pane", "toggle_maximize", "new_session", "sessions",
    "rename_session", "search", "models", "settings", "budget", "continue_reply", "mark_wrong",
    "rerun_fresh", "focus_queue", *TREE_ACTIONS,
}

_REPLACED_SYSTEM_COMMANDS = {"Theme", "Keys", "Maximize", "Minimize"}


class GlassboxApp(App[int]):
    """The Glassbox dashboard. Its flows (prompt queue, conversation tree, turn history, media,
    dialogs, run and last-turn actions, panes) are objects written against tui.flow_host.FlowHost
    (or a part of it), which this app is."""

    TITLE = "Glassbox"
    CSS_PATH = str(styles_dir() / "glassbox.tcss")
    BINDINGS = dashboard_bindings()

    start_dir: Path = Path.cwd()
    """The host folder @paths are relative to: where Glassbox was started."""
    graphics: str | None = None
    """What the terminal can draw (kitty, sixel, halfblock), found before Textual started; None: not asked."""
    cell_size: tuple[int, int] | None = None
    """The terminal's cell size in pixels, when it told."""

    # Key bindings name these actions; each is carried out by the flow that owns it.
    action_focus_queue = FlowAction("queue")
    action_select_message = FlowAction("branches")
    action_switch_sibling = FlowAction("branches")
    action_edit_prompt = FlowAction("branches")
    action_cancel_edit = FlowAction("branches")
    action_regenerate = FlowAction("branches")
    action_export_session = FlowAction("branches")
    action_undo_turn = FlowAction("history")
    action_redo_turn = FlowAction("history")
    action_exec_history = FlowAction("history")
    action_audit = FlowAction("history")
    action_attach_file = FlowAction("media")
    action_view_image = FlowAction("media")
    action_new_session = FlowAction("dialogs")
    action_sessions = FlowAction("dialogs")
    action_rename_session = FlowAction("dialogs")
    action_search = FlowAction("dialogs")
    action_models = FlowAction("dialogs")
    action_settings = FlowAction("dialogs")
    action_budget = FlowAction("dialogs")
    action_toggle_theme = FlowAction("dialogs")
    action_help = FlowAction("dialogs")
    action_cancel_run = FlowAction("turns")
    action_kill_exec = FlowAction("turns")
    action_continue_reply = FlowAction("turns")
    action_rerun_fresh = FlowAction("turns")
    action_mark_wrong = FlowAction("turns")
    action_focus_pane = FlowAction("panes")
    action_toggle_maximize = FlowAction("panes")

    def __init__(
        self,
        settings: Settings | None,
        engine_factory: EngineFactory,
        *,
        load_settings: Callable[[], Settings] | None = None,
        glance: Glance | None = None,
        snapshot_mode: bool = False,
        submit_options: SubmitOptions | None = None,
    ) -> None:
        """Without `settings`, `load_settings` is called in a thread after the first frame, which
        shows `glance` (the last session read raw) in the meantime."""
        super().__init__()
        if settings is None and load_settings is None:
            raise ValueError("GlassboxApp needs settings or a function that loads them")
        self._current_settings = settings
        self._load_settings = load_settings
        self.glance = glance
        self.engine_factory = engine_factory
        self.snapshot_mode = snapshot_mode
        self.submit_options = submit_options
        self.config_error: ConfigError | None = None
        """Set when the settings loaded after the first frame are invalid; the app then exits (2)."""
        self.engine: Engine | None = None
        self.session_title = ""
        self.ready = asyncio.Event()
        """Set once start-up finished: every pane shows the last session (or the engine failed)."""
        self.shown = asyncio.Event()
        """Set when a session's newest messages are mounted, before the rest of it is loaded."""
        self._engine_closed = False
        self._idle_gc = IdleCollector(self)
        self.queue = PromptQueueFlow(self)
        self.runs = LiveRuns(self, self.queue.start_next_queued)
        """The runs going on in every session; the one on screen is `handle`."""
        self.branches = BranchFlows(self)
        self.history = HistoryFlows(self)
        self.media = MediaFlows(self)
        self.dialogs = DialogFlows(self, checkpoints=self.history.checkpoints,
                                   export=self.branches.export_session)
        self.turns = TurnFlows(self, decline=self.runs.decline_current)
        self.panes = PaneFlows(self)

    # -- start-up -------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        return DashboardScreen(snapshot_mode=self.snapshot_mode)

    @property
    def dashboard(self) -> DashboardScreen:
        """The main screen (always at the bottom of the stack)."""
        screen = self.screen_stack[0]
        assert isinstance(screen, DashboardScreen)
        return screen

    @property
    def settings(self) -> Settings:
        """The validated settings (loaded during start-up when the app was given a loader)."""
        if self._current_settings is None:
            raise RuntimeError("settings are not loaded yet")
        return self._current_settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self._current_settings = settings

    def on_mount(self) -> None:
        if self._current_settings is not None:
            self.apply_ui_settings()
        elif self.glance is not None and self.glance.theme in self.available_themes:
            self.theme = self.glance.theme

    async def startup(self) -> None:
        """Show the last session and open the engine (called once the dashboard is mounted)."""
        try:
            await self._start()
        finally:
            # Everything made during start-up (modules, styles, widgets) lives as long as the app:
            # frozen, it is out of the collector's full passes, which stalled streaming frames for
            # 30-60 ms. `glassbox` starts with the collector off (run_dashboard), so its start-up
            # garbage (about 15,000 objects, 2 MB) is frozen with it: a full collection to free it
            # would block the event loop for 70-100 ms.
            gc.freeze()
            gc.enable()
            self._idle_gc.install()  # full passes while quiet, not in a key's frame

    async def _start(self) -> None:
        dashboard = self.dashboard
        if self.glance is not None and self.glance.session_id is not None:
            self.session_title = self.glance.session_title
            await dashboard.show_glance(self.glance)
        dashboard.chat.focus_first()
        self.media.setup_attachments()
        # Everything below waits for the first frame: it is what that frame does not show.
        await dashboard.next_frame()
        await dashboard.fill_panes()
        await switch_on_highlighting(dashboard.chat)
        if self._current_settings is None and not await self._settings_loaded():
            return
        dashboard.cost.pricing = load_pricing(data_file("pricing.toml"))
        self.media.apply_image_mode(preload=True)
        try:
            self.engine = await self.engine_factory(self.settings)
        except GlassboxError as exc:
            await dashboard.chat.add_notice(f"The engine could not start: {exc}", "error")
            dashboard.set_status(" Glassbox · engine not available (Ctrl+Q quits)")
        else:
            session = await self.engine.sessions.latest() or await self.engine.new_session()
            await self.open_session(session.id)
            self.glance = None  # shown and superseded: its copy of the messages is not kept
        await dashboard.add_footer()
        if self.engine is not None:
            try:
                await self.engine.open_memory()
            except GlassboxError as exc:
                await dashboard.chat.add_notice(f"Memory is off: {exc}", "warning")
        self.ready.set()
        if self.engine is not None:
            dashboard.update_topbar()

    async def _settings_loaded(self) -> bool:
        """Load and validate the settings off the event loop; invalid ones end the app (code 2)."""
        assert self._load_settings is not None
        try:
            self.settings = await asyncio.to_thread(self._load_settings)
        except ConfigError as exc:
            self.config_error = exc
            self.exit(return_code=2)
            return False
        self.apply_ui_settings()
        return True

    def apply_ui_settings(self) -> None:
        """Apply the settings' theme (when it exists) and keymap."""
        if self.settings.ui.theme in self.available_themes:
            self.theme = self.settings.ui.theme
        self.apply_keymap()

    def apply_keymap(self) -> None:
        """Apply settings.ui.keymap (binding id -> keys) and report ids that match nothing."""
        keymap = dict(self.settings.ui.keymap)
        self.set_keymap(keymap)
        unknown = unknown_ids(keymap)
        if unknown:
            self.notify(f"Unknown keymap ids ignored: {', '.join(unknown)} (F1 lists them).",
                        severity="warning")

    async def open_session(self, session_id: str, at_message: str | None = None) -> None:
        """Show a session; a run going in the one left goes on (tui/runs.py)."""
        assert self.engine is not None
        record = await self.engine.sessions.get(session_id)
        self.session_title = record.title if record else ""
        self.branches.stop_editing()  # an edit belongs to the session it was started in
        await self.runs.open(session_id, at_message)

    # -- runs -----------------------------------------------------------------------------

    @property
    def handle(self) -> RunHandle | None:
        """The run going in the session on screen (runs in other sessions: self.runs)."""
        return self.runs.handle

    @property
    def bridge(self) -> Bridge | None:
        """The bridge of the session on screen's run (or of its last run)."""
        return self.runs.bridge

    async def on_prompt_input_submitted(self, message: PromptInput.Submitted) -> None:
        if self.handle is not None and self.ready.is_set():
            self.queue.queue_prompt(message.text)  # runs when the current run ends
            return
        self.queue._editing_at = None
        if await self.submit(message.text) is None:
            # Not sent (still loading, no engine): the text stays in the box.
            self.dashboard.chat.prompt.restore(message.text)

    async def submit(self, text: str, *, fresh: bool = False,
                     session_id: str | None = None) -> RunHandle | None:
        """Start a run for a prompt in a session (default: the one on screen; `fresh`: never from
        the cache); its events flow through its own bridge."""
        if not self.ready.is_set():
            self.notify("The session is still loading.", severity="warning")
            return None
        shown = session_id is None or session_id == self.dashboard.session_id
        session_id = session_id or self.dashboard.session_id
        if self.engine is None or session_id is None:
            self.notify("The engine is not available.", severity="error")
            return None
        if self.runs.running_in(session_id):
            self.notify("A run is in progress; Esc cancels it.", severity="warning")
            return None
        if shown and self.branches.branch_edit is not None:
            return await self.branches.send_edit(text)
        from engine.service import SubmitOptions

        options = replace(self.submit_options or SubmitOptions(), approver=self.approve)
        if fresh:
            options = replace(options, use_cache=False)
        if (with_files := self.media.with_attachments(text, options, shown=shown)) is None:
            return None
        options = with_files
        handle = self.engine.submit(session_id, text, options)
        if shown and not self.session_title:
            self.session_title = text.strip().splitlines()[0][:60]
        return self.follow(handle)

    def follow(self, handle: RunHandle) -> RunHandle:
        """Follow a started run: its events flow through its own bridge, to the panes while its
        session is on screen."""
        self.runs.follow(handle)
        if handle.session_id == self.dashboard.session_id:
            self.dashboard.begin_turn()
        return handle

    def run_ended(self, run_id: str) -> None:
        """Called by the dashboard once the bridge delivered the run's last event."""
        self.runs.ended(run_id)

    async def approve(self, request: ApprovalRequested) -> bool:
        """The approver for `ask` mode: a modal with the code; resolves on y/n."""
        return await self.runs.approve(request)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Dashboard keys must not act behind a dialog.
        if action in _DASHBOARD_ACTIONS and len(self.screen_stack) > 1:
            return False
        if action == "cancel_run" and self.handle is None:
            return None
        if action == "focus_queue" and not self.queue.queued_count:
            return None
        return True

    async def action_quit(self) -> None:
        """Quit; a running turn is cancelled and the engine closed cleanly first."""
        await self._save_first_frame()
        await self.shutdown()
        self.exit(0)

    async def _save_first_frame(self) -> None:
        """Save what the chat shows for the next launch's first frame (widgets.first_frame); a cache,
        so nothing that goes wrong here may stop the quit."""
        database = self.engine.database if self.engine is not None else (
            self.glance.database if self.glance is not None else None)
        if database is None or self.screen is not self.dashboard:
            return
        try:
            await self.dashboard.chat.save_first_frame(first_frame.beside(database))
        except Exception as exc:
            self.log.error(f"saving the first frame failed: {exc!r}")

    @property
    def closing(self) -> bool:
        """True once quitting began; the engine may already be closed."""
        return self._engine_closed

    async def shutdown(self) -> None:
        """Cancel the runs of every session and close the engine (idempotent)."""
        if self._engine_closed:
            return
        self._engine_closed = True
        self.runs.cancel_all()
        if self.engine is not None:
            await self.engine.close()

    async def on_unmount(self) -> None:
        await self.shutdown()
        gc.unfreeze()  # what startup() froze can be collected again (tests run many apps)
        self._idle_gc.uninstall()

    # -- panes ----------------------------------------------------------------------------

    def on_exec_pane_artifact_chosen(self, message: ExecPane.ArtifactChosen) -> None:
        self.panes.on_exec_pane_artifact_chosen(message)

    def on_exec_pane_image_opened(self, message: ExecPane.ImageOpened) -> None:
        self.media.on_exec_pane_image_opened(message)

    def on_prompt_queue_edit_requested(self, message: PromptQueue.EditRequested) -> None:
        self.queue.on_prompt_queue_edit_requested(message)

    def on_prompt_queue_changed(self, message: PromptQueue.Changed) -> None:
        self.queue.on_prompt_queue_changed(message)

    def on_activity_pane_step_opened(self, message: ActivityPane.StepOpened) -> None:
        self.panes.on_activity_pane_step_opened(message)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # Textual's own Theme, Keys and Maximize/Minimize duplicate ours (which save the theme, list
        # every key and maximise the pane): the palette lists each command once.
        yield from (command for command in super().get_system_commands(screen)
                    if command.title not in _REPLACED_SYSTEM_COMMANDS)
        yield from palette_commands(history=self.history, branches=self.branches, dialogs=self.dialogs,
                                    turns=self.turns, media=self.media, queue=self.queue, panes=self.panes)
