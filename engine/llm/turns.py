"""ModelTurns: runs take turns on a model that answers one run at a time (in-process llama.cpp)."""

from __future__ import annotations

import asyncio

from engine.cancel import CancelToken

_POLL_S = 0.05


class ModelTurns:
    """Who holds the model now; a waiting run gives up its place at once when cancelled."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self.holder: str | None = None
        """The label (e.g. the session's title) of the run using the model."""

    @property
    def busy(self) -> bool:
        """True while a run holds the model."""
        return self._lock.locked()

    async def take_if_free(self, label: str) -> bool:
        """Take the model if no run holds it, without waiting; False if another run holds it. The
        check and the taking happen in one step of the event loop, so a run that finds the model
        free cannot then wait behind another without being told."""
        if self._lock.locked():
            return False
        await self._lock.acquire()  # free: asyncio.Lock.acquire returns without suspending
        self.holder = label
        return True

    async def acquire(self, label: str, cancel: CancelToken) -> bool:
        """Wait for the model; False (and nothing held) if `cancel` fired while waiting."""
        while not cancel.cancelled:
            try:
                await asyncio.wait_for(self._lock.acquire(), _POLL_S)
            except TimeoutError:
                continue
            self.holder = label
            return True
        return False

    def release(self) -> None:
        """Give the model to the next waiting run."""
        if self._lock.locked():
            self.holder = None
            self._lock.release()
