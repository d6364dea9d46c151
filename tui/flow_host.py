"""FlowHost: what the app's flows need from the app, as a protocol; the helpers the flows share (the
idle check, dialogs asked and answered in kept, cancellable workers); FlowAction, a key's action on a flow."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.screen import Screen
    from textual.theme import Theme
    from textual.widget import Widget
    from textual.worker import Worker

    from engine.config import Settings
    from engine.events import ApprovalRequested
    from engine.service import Engine, RunHandle, SubmitOptions
    from tui.host import RunsView
    from tui.screens.dashboard import DashboardScreen


class DashboardHost(Protocol):
    """The least a flow needs of the app: the dashboard, and notify. Flows that need no runs take this
    (extended) rather than FlowHost, whose settable `runs: RunsView` the app's LiveRuns does not fit."""

    @property
    def dashboard(self) -> DashboardScreen:
        """The main screen (always at the bottom of the stack)."""
        ...

    def notify(
        self, message: str, *, title: str = "", severity: SeverityLevel = "information",
        timeout: float | None = None, markup: bool = True,
    ) -> None: ...


class FlowHost(DashboardHost, Protocol):
    """The app as a flow sees it: the engine, the runs in progress, the settings, the dashboard, and
    the few Textual services a flow uses (notify, screens, workers, timers)."""

    engine: Engine | None
    runs: RunsView
    """The runs going on in every session."""
    settings: Settings
    session_title: str
    snapshot_mode: bool
    submit_options: SubmitOptions | None
    ready: asyncio.Event
    start_dir: Path
    """The host folder @paths are relative to: where Glassbox was started."""
    graphics: str | None
    """What the terminal can draw (kitty, sixel, halfblock); None: not asked."""
    cell_size: tuple[int, int] | None
    theme: str

    @property
    def handle(self) -> RunHandle | None:
        """The run going in the session on screen."""
        ...

    @property
    def closing(self) -> bool:
        """True once quitting began."""
        ...

    @property
    def screen_stack(self) -> list[Screen[Any]]: ...

    @property
    def screen(self) -> Screen[object]: ...

    @property
    def focused(self) -> Widget | None: ...

    @property
    def current_theme(self) -> Theme: ...

    def push_screen(self, screen: Screen[Any], callback: Callable[[Any], Any] | None = None) -> Any: ...

    def run_worker(
        self, work: Awaitable[Any], name: str | None = "", group: str = "default", description: str = "",
        exit_on_error: bool = True, start: bool = True, exclusive: bool = False, thread: bool = False,
    ) -> Worker[Any]: ...

    def call_later(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> bool: ...

    def call_after_refresh(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> bool: ...

    def refresh_bindings(self) -> None: ...

    def apply_ui_settings(self) -> None:
        """Apply the settings' theme and keymap."""
        ...

    async def open_session(self, session_id: str, at_message: str | None = None) -> None:
        """Show a session (at a message, when given)."""
        ...

    async def submit(self, text: str, *, fresh: bool = False,
                     session_id: str | None = None) -> RunHandle | None:
        """Start a run for a prompt in a session (default: the one on screen); None when not sent."""
        ...

    def follow(self, handle: RunHandle) -> RunHandle:
        """Show a started run: its events flow to the dashboard."""
        ...

    async def approve(self, request: ApprovalRequested) -> bool:
        """Ask the user whether code may run (the approver of `ask` mode)."""
        ...


class FlowAction:
    """An app action (the name a key binding gives) carried out by one of the app's flows: Textual
    looks actions up on the app, and this hands it the flow's own method (its parameters, its docs)."""

    def __init__(self, flow: str) -> None:
        self.flow = flow
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, app: object, owner: type | None = None) -> Any:
        return self if app is None else getattr(getattr(app, self.flow), self.name)


def idle(host: FlowHost) -> bool:
    """True when no run is going in the session on screen and the engine is open (a run going is
    said in a warning); runs in other sessions do not count."""
    if host.handle is not None:
        host.notify("Wait for the run to finish or cancel it (Esc) first.", severity="warning")
        return False
    return host.engine is not None


def run_flow(host: FlowHost, coro: Awaitable[None]) -> None:
    """Run a dialog flow as a worker (kept by the app, cancelled on exit; a newer flow replaces an
    older one), so the message loop stays free while the dialog waits for its answer."""
    host.run_worker(_reporting(host, coro), group="dialog", exclusive=True, exit_on_error=False)


async def _reporting(host: FlowHost, coro: Awaitable[None]) -> None:
    try:
        await coro
    except Exception as exc:  # one place reports a failed dialog flow, whatever failed
        host.notify(str(exc), severity="error")


async def ask(host: FlowHost, screen: Screen[Any]) -> object:
    """Show a dialog and return its answer once it is dismissed."""
    future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    host.push_screen(screen, lambda result: future.done() or future.set_result(result))
    return await future
