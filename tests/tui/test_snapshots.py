"""SVG snapshots of each pane and of the 80x24 layout, all through the one app factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from glassbox_factory import make_app
from helpers import send, started
from textual.pilot import Pilot

REPLY = (
    "The factorials are computed.\n\n```python\nimport math\nprint(math.factorial(5))\n```\n\n"
    "| n | n! |\n|---|---|\n| 3 | 6 |\n| 5 | 120 |\n"
)
WIDE = (160, 48)
SMALL = (80, 24)


def _after_run(*keys: str) -> Any:
    async def run_before(pilot: Pilot[int]) -> None:
        await started(pilot)
        await send(pilot, "run the factorial script")
        if keys:
            await pilot.press(*keys)
        await pilot.pause(0.2)

    return run_before


def test_dashboard_after_run(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(make_app(tmp_path, [REPLY]), terminal_size=WIDE, run_before=_after_run())


def test_chat_pane(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(make_app(tmp_path, [REPLY]), terminal_size=WIDE,
                        run_before=_after_run("f2", "ctrl+g"))


def test_execution_pane(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(make_app(tmp_path, [REPLY]), terminal_size=WIDE,
                        run_before=_after_run("f3", "ctrl+g"))


def test_activity_pane(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(make_app(tmp_path, [REPLY]), terminal_size=WIDE,
                        run_before=_after_run("f4", "ctrl+g"))


def test_cost_pane(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(make_app(tmp_path, [REPLY]), terminal_size=WIDE,
                        run_before=_after_run("f5", "ctrl+g"))


def test_small_terminal_chat_tab(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(make_app(tmp_path, [REPLY]), terminal_size=SMALL, run_before=_after_run())


def test_small_terminal_execution_tab(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(make_app(tmp_path, [REPLY]), terminal_size=SMALL, run_before=_after_run("f3"))


def test_small_terminal_cost_tab(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(make_app(tmp_path, [REPLY]), terminal_size=SMALL, run_before=_after_run("f5"))


def test_help_screen(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await started(pilot)
        await pilot.press("f1")
        await pilot.pause(0.1)

    assert snap_compare(make_app(tmp_path), terminal_size=WIDE, run_before=run_before)


def test_light_theme(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(make_app(tmp_path, [REPLY]), terminal_size=WIDE, run_before=_after_run("ctrl+t"))


def test_small_terminal_with_queued_prompts(snap_compare: Any, tmp_path: Path) -> None:
    """80x24 while a run goes and two prompts wait in the queue: top bar, queue and footer fit."""
    from glassbox_factory import FakeSandbox
    from helpers import wait_for

    async def run_before(pilot: Pilot[int]) -> None:
        app = await started(pilot)
        await send(pilot, "run the factorial script", wait=False)
        await wait_for(pilot, lambda: app.dashboard.execution.running)
        await pilot.press(*"What is 2+2?", "enter", *"Name three colours.", "enter")
        from widgets.footer import FittedFooter

        footer = app.dashboard.query_one(FittedFooter)
        await wait_for(pilot, lambda: "focus_queue" in footer.shown and "cancel_run" in footer.shown)
        await pilot.pause(0.2)

    app = make_app(tmp_path, [REPLY], sandbox=FakeSandbox(tmp_path, hang=True))
    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)
