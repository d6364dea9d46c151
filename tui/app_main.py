"""Entry point of the dashboard: load settings, build the app, run it."""

from __future__ import annotations

import argparse

from engine.config import load_settings


def run_dashboard(args: argparse.Namespace | None = None) -> int:
    """Run the dashboard; a bad config raises ConfigError (the CLI prints it and exits 2)."""
    settings = load_settings()
    from engine.service import Engine
    from tui.app import GlassboxApp

    async def open_engine() -> Engine:
        # Memory opens after the first frame (GlassboxApp.startup).
        return await Engine.open(settings, memory=False)

    app = GlassboxApp(settings, open_engine)
    result = app.run()
    return int(result or 0)
