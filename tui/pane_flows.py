"""PaneFlows: the dashboard panes' actions (focus, maximise) and what opening a pane's item does."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from textual.app import SystemCommand

from tui.flow_host import DashboardHost
from tui.screens.dashboard import PANES

if TYPE_CHECKING:
    from textual.screen import Screen

    from widgets.activity import ActivityPane
    from widgets.execution import ExecPane


class PaneHost(DashboardHost, Protocol):
    """The part of tui.flow_host.FlowHost these actions use."""

    def push_screen(self, screen: Screen[Any], callback: Callable[[Any], Any] | None = None) -> Any: ...


class PaneFlows:
    """The app's actions on the dashboard's panes."""

    def __init__(self, host: PaneHost) -> None:
        self.host = host

    def action_focus_pane(self, name: str) -> None:
        """Show and focus one pane (switches tab in a small terminal)."""
        if name in PANES:
            self.host.dashboard.show_pane(name)

    def action_toggle_maximize(self) -> None:
        """Maximise the focused pane, or restore it."""
        screen = self.host.dashboard
        if screen.maximized is not None:
            screen.minimize()
            return
        pane = screen.focused_pane() or screen.pane(screen.active_pane)
        screen.maximize(pane, container=False)

    def on_exec_pane_artifact_chosen(self, message: ExecPane.ArtifactChosen) -> None:
        artifact = message.artifact
        opener = "open" if sys.platform == "darwin" else "xdg-open"
        if artifact.mime.startswith("image/") and shutil.which(opener):
            subprocess.Popen([opener, artifact.path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.host.notify(f"Opened {artifact.name}.")
        else:
            self.host.notify(f"{artifact.name} is at {artifact.path}")

    def on_activity_pane_step_opened(self, message: ActivityPane.StepOpened) -> None:
        from tui.screens.step_detail import StepDetailScreen

        self.host.push_screen(StepDetailScreen(message.step))

    def system_commands(self) -> Iterator[SystemCommand]:
        """The palette's commands that focus a pane."""
        for name in PANES:
            yield SystemCommand(f"Focus {name}", f"Show the {name} pane",
                                lambda name=name: self.action_focus_pane(name))
