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
    from textual.screen import Screen

    from tui.cli import main as glassbox

    clock = PhaseClock()
    installed = clock.installed()
    installed.__enter__()  # imports what it patches (markdown-it, the recorder): counted as import
    imported = time.thread_time() - started
    clock._started = time.thread_time()
    original = Screen._on_timer_update

    def first_frame(self: Screen[Any]) -> None:
        original(self)
        if self.query("MessageView"):
            Screen._on_timer_update = original  # type: ignore[method-assign]
            phases = clock.snapshot()
            phases["import"] = imported
            phases["all"] += imported
            out.write_text(json.dumps(phases))

    Screen._on_timer_update = first_frame  # type: ignore[method-assign]
    try:
        return glassbox()
    finally:
        installed.__exit__(None, None, None)


if __name__ == "__main__":
    sys.exit(main())
