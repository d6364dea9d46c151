"""Entry point of the dashboard: glance at the last session, build the app, run it."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from engine.glance import read_glance

if TYPE_CHECKING:
    import argparse

    from engine.config import Settings
    from engine.service import Engine


def settings_and_engine_imported() -> Settings:
    """The validated settings, with the engine's modules imported on the way; the app calls this
    in a thread after its first frame, as those imports take longer than that whole frame."""
    from engine.config import load_settings
    from engine.service import Engine  # noqa: F401  (imported here, off the event loop)

    return load_settings()


async def open_engine(settings: Settings) -> Engine:
    """The engine; memory opens after the first frame (GlassboxApp.startup)."""
    from engine.service import Engine

    return await Engine.open(settings, memory=False)


def run_dashboard(args: argparse.Namespace | None = None) -> int:
    """Run the dashboard; a bad config raises ConfigError (the CLI prints it and exits 2)."""
    # Start-up allocates some 200,000 objects that live as long as the app; the cyclic collector
    # would walk them again and again (75 ms of a 450 ms launch, measured). GlassboxApp.startup
    # freezes them and turns it back on.
    gc.disable()
    from tui.screen_output import private_screen_output

    with private_screen_output():
        return _run_app()


def _run_app() -> int:
    """Ask the terminal about graphics, build the app and run it."""
    from tui.graphics import GraphicsQuery

    # Asked before Textual starts (once it runs, it reads the terminal's answers as keys) and
    # before the imports below, which take longer than any terminal takes to answer.
    graphics = GraphicsQuery.ask()
    try:
        from tui.app import GlassboxApp

        app = GlassboxApp(None, open_engine, load_settings=settings_and_engine_imported, glance=read_glance())
        app.graphics, app.cell_size = graphics.result()
    finally:
        graphics.close()
    result = app.run()
    if app.config_error is not None:
        raise app.config_error
    return int(result or 0)
