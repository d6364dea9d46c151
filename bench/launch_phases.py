"""Run `glassbox` as the launch benchmark does and write where its main thread spent the time up to
the first frame that shows the session: `python bench/launch_phases.py OUT.json`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

started = time.thread_time()


def main() -> int:
    out = Path(sys.argv[1])
    sys.argv[1:] = []  # the dashboard, as `glassbox` with no arguments
    from phases import PhaseClock
    from textual.app import App
    from textual.screen import Screen

    from tui.cli import main as glassbox

    clock = PhaseClock()
    installed = clock.installed()
    installed.__enter__()  # imports what it patches (markdown-it, the recorder): counted as import
    imported = time.thread_time() - started
    clock._started = time.thread_time()
    original = App._display

    def first_frame(self: App[Any], screen: Screen[Any], renderable: Any) -> None:
        # The first frame painted with the session in it (whichever path painted it: a scroll or
        # layout refresh paints without the screen's update timer).
        original(self, screen, renderable)
        if renderable is not None and screen.query("MessageView, HistoryLines"):
            App._display = original  # type: ignore[method-assign]
            phases = clock.snapshot()
            phases["import"] = imported
            phases["all"] += imported
            out.write_text(json.dumps(phases))

    App._display = first_frame  # type: ignore[method-assign]
    try:
        return glassbox()
    finally:
        installed.__exit__(None, None, None)


if __name__ == "__main__":
    sys.exit(main())
