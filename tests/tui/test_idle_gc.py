"""Full passes of the cyclic collector run while the app is quiet, not in the frame of a key."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from glassbox_factory import make_app
from helpers import started, wait_for

from tui.idle_gc import NEVER, IdleCollector


async def test_a_due_full_pass_runs_once_the_screen_is_quiet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(IdleCollector, "QUIET_S", 0.3)
    before = gc.get_threshold()
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        collector = app._idle_gc
        assert gc.get_threshold()[2] == NEVER, "no automatic full pass"
        passes = collector.passes
        for _ in range(before[2]):
            gc.collect(1)  # each counts towards the next full pass, as automatic ones do
        assert gc.get_count()[2] >= before[2]
        # While the screen keeps being laid out (here: a layout every 0.1 s), the pass waits.
        for _ in range(6):
            app.dashboard.refresh(layout=True)
            await pilot.pause(0.1)
        assert collector.passes == passes
        await wait_for(pilot, lambda: collector.passes == passes + 1, limit_s=5)
        assert gc.get_count()[2] == 0
    assert gc.get_threshold() == before, "Python's thresholds are back after the app"
