"""palette_commands: the dashboard's commands in the command palette, in the order it lists them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand

if TYPE_CHECKING:
    from tui.branch_flows import BranchFlows
    from tui.dialog_flows import DialogFlows
    from tui.history_flows import HistoryFlows
    from tui.media_flows import MediaFlows
    from tui.pane_flows import PaneFlows
    from tui.queue_flow import PromptQueueFlow
    from tui.turn_flows import TurnFlows

Command = tuple[str, str, Callable[[], object]]
"""A palette entry: title, help text, and the flow's action it runs."""


def palette_commands(*, history: HistoryFlows, branches: BranchFlows, dialogs: DialogFlows,
                     turns: TurnFlows, media: MediaFlows, queue: PromptQueueFlow,
                     panes: PaneFlows) -> Iterator[SystemCommand]:
    """The commands of every flow. The app's action of each key is the owning flow's method
    (tui.flow_host.FlowAction), so the palette runs exactly what the key does."""
    yield from history.system_commands()
    yield from branches.system_commands()
    dialog_commands: tuple[Command, ...] = (
        ("New session", "Start an empty session", dialogs.action_new_session),
        ("Sessions", "Switch, rename or delete sessions", dialogs.action_sessions),
        ("Rename session", "Rename the current session", dialogs.action_rename_session),
        ("Search", "Search all sessions by text", dialogs.action_search),
        ("Pick model", "Choose the chat model", dialogs.action_models),
        ("Settings", "Edit settings (written to the config file)", dialogs.action_settings),
        ("Token budget", "Set this session's token budget", dialogs.action_budget),
        ("Theme", "Switch between dark and light (saved in the config file)", dialogs.action_toggle_theme),
        ("Help: keys", "List every key binding", dialogs.action_help),
    )
    other_commands: tuple[Command, ...] = (
        ("Maximise pane", "Maximise or restore the focused pane", panes.action_toggle_maximize),
        ("Attach file", "Pick a file to copy into the session's /workspace (@path)",
         media.action_attach_file),
        ("View picture", "Open the newest picture of the Execution pane full size",
         media.action_view_image),
        ("Prompt queue", "Focus the queued prompts: Enter edits, Del drops", queue.action_focus_queue),
    )
    yield from (SystemCommand(*command) for command in dialog_commands)
    yield from turns.system_commands()
    yield from (SystemCommand(*command) for command in other_commands)
    yield from panes.system_commands()
