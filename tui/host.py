"""DashboardHost: what the dashboard screen and the dialogs need from the app, as a protocol."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from engine.config import Settings
    from engine.service import Engine, RunHandle


class DashboardHost(Protocol):
    """The app as the dashboard sees it: the engine, the run in progress and start-up state."""

    engine: Engine | None
    handle: RunHandle | None
    session_title: str
    ready: asyncio.Event
    shown: asyncio.Event

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
