"""A few containers started in advance, so a new session never waits for container start."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from engine.sandbox.container import SandboxContainer

log = logging.getLogger(__name__)


class WarmPool:
    """Keeps `size` started containers; acquire() hands one out and refills in the background."""

    def __init__(self, factory: Callable[[], Awaitable[SandboxContainer]], size: int) -> None:
        self._factory = factory
        self._size = size
        self._ready: list[SandboxContainer] = []
        self._refill: asyncio.Task[None] | None = None
        self._closed = False
        self.last_error: BaseException | None = None

    @property
    def ready_count(self) -> int:
        """Containers waiting for a session."""
        return len(self._ready)

    def fill(self) -> None:
        """Start topping the pool up in the background (no-op while a refill runs)."""
        if self._closed or self._size <= 0:
            return
        if self._refill is None or self._refill.done():
            self._refill = asyncio.get_running_loop().create_task(self._top_up())

    async def wait_ready(self, timeout_s: float = 60.0) -> None:
        """Wait until the pool is full (used by start-up code, tests and the benchmark)."""
        self.fill()
        if self._refill is not None:
            await asyncio.wait_for(asyncio.shield(self._refill), timeout=timeout_s)
        if self.last_error is not None and not self._ready:
            raise self.last_error

    async def _top_up(self) -> None:
        while not self._closed and len(self._ready) < self._size:
            try:
                container = await self._factory()
            except Exception as exc:  # a failed start must not kill the app; acquire retries
                log.warning("sandbox pool: container start failed: %s", exc)
                self.last_error = exc
                return
            self.last_error = None
            if self._closed:
                await container.remove()
                return
            self._ready.append(container)

    async def acquire(self) -> SandboxContainer:
        """A started container: a warm one when available, else one started now."""
        while self._ready:
            container = self._ready.pop(0)
            if not container.broken:
                self.fill()
                return container
        container = await self._factory()
        self.fill()
        return container

    async def close(self) -> None:
        """Stop refilling and remove the waiting containers."""
        self._closed = True
        if self._refill is not None:
            self._refill.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._refill
        ready, self._ready = self._ready, []
        await asyncio.gather(*(c.remove() for c in ready), return_exceptions=True)
