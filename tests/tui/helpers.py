"""Helpers shared by the dashboard pilot tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.pilot import Pilot

from tui.app import GlassboxApp


async def wait_for(pilot: Pilot[int], condition: Callable[[], bool], limit_s: float = 30.0) -> None:
    """Pause the pilot until `condition()` holds (fails the test after `limit_s`)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.02)


async def started(pilot: Pilot[int]) -> GlassboxApp:
    """Wait until the app opened the engine and showed a session."""
    app = pilot.app
    assert isinstance(app, GlassboxApp)
    await asyncio.wait_for(app.ready.wait(), 10)
    await pilot.pause()
    return app


async def send(pilot: Pilot[int], text: str, wait: bool = True) -> None:
    """Type a prompt, press Enter and (by default) wait for the run to end."""
    app = pilot.app
    assert isinstance(app, GlassboxApp)
    app.dashboard.chat.prompt.focus()
    app.dashboard.chat.prompt.load_text(text)
    await pilot.press("enter")
    if wait:
        await wait_for(pilot, lambda: app.handle is not None or app.bridge is not None)
        await wait_for(pilot, lambda: app.handle is None)
        await pilot.pause(0.05)
