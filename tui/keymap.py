"""Dashboard key bindings (each with an id and tooltip) and the user's keymap overrides."""

from __future__ import annotations

from collections.abc import Mapping

from textual.binding import Binding

# (id, default keys, action, short description, tooltip, show in footer)
_SPEC: tuple[tuple[str, str, str, str, str, bool], ...] = (
    ("help", "f1", "help", "Help", "List every key binding", True),
    ("cancel_run", "escape", "cancel_run", "Cancel", "Cancel the running turn", True),
    ("kill_exec", "f8", "kill_exec", "Kill exec", "Kill the running execution (cancels the run)", True),
    ("continue_reply", "f6", "continue_reply", "Continue", "Continue a reply that was cut off", False),
    ("mark_wrong", "f7", "mark_wrong", "Wrong", "Mark the last answer wrong (no cache, no example)", False),
    ("rerun_fresh", "f9", "rerun_fresh", "Fresh", "Run the last prompt again without the cache", False),
    ("focus_chat", "f2", "focus_pane('chat')", "Chat", "Focus the Chat pane", True),
    ("focus_exec", "f3", "focus_pane('execution')", "Exec", "Focus the Execution pane", False),
    ("focus_activity", "f4", "focus_pane('activity')", "Activity", "Focus the Activity pane", False),
    ("focus_cost", "f5", "focus_pane('cost')", "Cost", "Focus the Cost pane", False),
    ("maximize", "ctrl+g", "toggle_maximize", "Max", "Maximise or restore the focused pane", True),
    ("new_session", "ctrl+n", "new_session", "New", "Start a new session", True),
    ("sessions", "ctrl+o", "sessions", "Sessions", "Switch, rename or delete sessions", True),
    ("rename_session", "ctrl+r", "rename_session", "Rename", "Rename the current session", False),
    ("search", "ctrl+f", "search", "Search", "Search all sessions by text", True),
    ("models", "ctrl+l", "models", "Model", "Pick the chat model", False),
    ("settings", "ctrl+s", "settings", "Settings", "Edit settings (written to the TOML file)", False),
    ("budget", "ctrl+b", "budget", "Budget", "Set this session's token budget", False),
    ("toggle_theme", "ctrl+t", "toggle_theme", "Theme", "Switch between dark and light themes", False),
    ("focus_queue", "ctrl+up,f10", "focus_queue", "Queue",
     "Focus the prompt queue (prompts sent during a run wait there)", False),
)

WIDGET_BINDINGS: tuple[tuple[str, str, str], ...] = (
    ("queue_edit", "enter", "Prompt queue: take the entry back into the input to edit it"),
    ("queue_drop", "delete", "Prompt queue: drop the entry"),
)
"""(id, default keys, tooltip) of bindings that belong to one widget; remappable like the others."""

FOOTER_PRIORITY: tuple[str, ...] = (
    "quit", "help", "cancel_run", "focus_queue", "sessions", "new_session", "search", "maximize",
    "kill_exec", "focus_chat", "models", "settings",
)
"""Binding ids (or actions) the key footer shows, most important first, as many as fit its width."""

WIDGET_KEYS: tuple[tuple[str, str], ...] = (
    ("enter", "Chat input: send the prompt"),
    ("shift+enter / ctrl+j", "Chat input: new line"),
    ("up / down", "Chat input: recall earlier prompts (from the first or last line)"),
    ("tab / shift+tab", "Move focus to the next / previous widget"),
    ("enter", "Activity: open the selected step's full detail"),
    ("enter", "Execution artifacts: open the file with the system viewer"),
    ("ctrl+p", "Command palette (every action is there)"),
    ("ctrl+q", "Quit (cancels a running turn cleanly)"),
)


def dashboard_bindings() -> list[Binding]:
    """The app's bindings; ids are what settings.ui.keymap refers to."""
    return [
        Binding(keys, action, description, show=show, id=binding_id, tooltip=tooltip)
        for binding_id, keys, action, description, tooltip, show in _SPEC
    ]


def binding_rows(keymap: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(id, keys in effect, tooltip) for every binding, with the user's overrides applied."""
    return [(bid, keymap.get(bid, keys), tooltip) for bid, keys, _a, _d, tooltip, _s in _SPEC] + [
        (bid, keymap.get(bid, keys), tooltip) for bid, keys, tooltip in WIDGET_BINDINGS]


def description_for(binding_id: str) -> str:
    """The tooltip of a binding id (empty if unknown)."""
    for bid, _k, _a, _d, tooltip, _s in _SPEC:
        if bid == binding_id:
            return tooltip
    return ""


def unknown_ids(keymap: Mapping[str, str]) -> list[str]:
    """Keymap entries that name no binding (shown as a notice, never fatal)."""
    known = {spec[0] for spec in _SPEC} | {spec[0] for spec in WIDGET_BINDINGS}
    return sorted(k for k in keymap if k not in known)
