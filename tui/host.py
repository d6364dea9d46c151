"""DashboardHost: what the dashboard screen and the dialogs need from the app, as a protocol."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from textual.message import Message

    from engine.config import Settings
    from engine.service import Engine, RunHandle


class RunsView(Protocol):
    """The runs going on in every session, as the screens and flows see them (tui/runs.py)."""

    def claim(self, message: Message) -> bool:
        """True when a run's message that reached the dashboard is to be drawn now: it belongs to
        the session on screen and was not drawn yet (a replay may have drawn it already)."""
        ...

    def running_in(self, session_id: str | None) -> bool:
        """True while a run goes in the session."""
        ...

    def waiting(self, session_id: str | None) -> bool:
        """True while the session's run waits for the model another run is using."""
        ...

    def running_elsewhere(self, session_id: str | None) -> int:
        """How many runs go in sessions other than this one."""
        ...


class DashboardHost(Protocol):
    """The app as the dashboard sees it: the engine, the run in progress and start-up state."""

    engine: Engine | None
    session_title: str
    ready: asyncio.Event
    shown: asyncio.Event
    runs: RunsView

    @property
    def handle(self) -> RunHandle | None:
        """The run going in the session on screen."""
        ...

    @property
    def closing(self) -> bool:
        """True while the app shuts down."""
        ...

    @property
    def settings(self) -> Settings:
        """The validated settings."""
        ...

    async def startup(self) -> None:
        """Show the last session and open the engine."""
        ...

    def run_ended(self, run_id: str) -> None:
        """The run's events are all delivered."""
        ...
