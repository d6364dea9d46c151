"""IdleCollector: the cyclic collector's full passes, run while the app is quiet, not in a key's frame."""

from __future__ import annotations

import gc
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen
    from textual.timer import Timer

NEVER = 1_000_000_000
"""A threshold for the oldest generation that automatic collection never reaches."""


class IdleCollector:
    """A full pass walks every object made since start-up (what start-up made is frozen): in a
    2,000-message session that was 50,000-150,000 objects, 40-110 ms, about one pass every 2 s
    while paging, landing in the frame of whichever key allocated last. Automatic full passes are
    turned off; one runs when due (about as often as Python would have run them) once the screen
    has not been laid out (a key that scrolls, a reply that grows) for QUIET_S, and at the latest
    LONGEST_S after it fell due. The young generations are collected as before."""

    CHECK_S = 0.25
    QUIET_S = 0.6
    LONGEST_S = 20.0

    def __init__(self, app: App[object]) -> None:
        self._app = app
        self._timer: Timer | None = None
        self._screen: Screen[object] | None = None
        self._threshold = gc.get_threshold()
        self._due_since: float | None = None
        self._laid_out_at = 0.0
        self.passes = 0
        """Full passes run so far (tests and benchmarks read it)."""

    def install(self) -> None:
        """Turn automatic full passes off and check for a due one every CHECK_S."""
        self._threshold = gc.get_threshold()
        young, middle, _oldest = self._threshold
        gc.set_threshold(young, middle, NEVER)
        self._screen = self._app.screen
        self._screen.screen_layout_refresh_signal.subscribe(self._app, self._laid_out, immediate=True)
        self._timer = self._app.set_interval(self.CHECK_S, self._check, name="idle-gc")

    def uninstall(self) -> None:
        """Back to Python's own thresholds (tests run many apps in one process)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._screen is not None:
            self._screen.screen_layout_refresh_signal.unsubscribe(self._app)
            self._screen = None
        gc.set_threshold(*self._threshold)

    def _laid_out(self, _screen: Screen[object]) -> None:
        self._laid_out_at = time.monotonic()

    def _due(self) -> bool:
        # gc.get_count()[2]: young-generation passes since the last full one; Python runs a full
        # pass after threshold[2] of them (if enough objects survived since, which it does not say).
        return gc.get_count()[2] >= self._threshold[2]

    def _check(self) -> None:
        if not gc.isenabled() or not self._due():
            self._due_since = None
            return
        now = time.monotonic()
        if self._due_since is None:
            self._due_since = now
        quiet = now - self._laid_out_at >= self.QUIET_S
        if quiet or now - self._due_since >= self.LONGEST_S:
            gc.collect(2)
            self.passes += 1
            self._due_since = None
