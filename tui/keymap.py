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
    ("view_image", "f10", "view_image", "Picture", "Open the newest picture in Execution full size", False),
    ("undo_turn", "alt+z", "undo_turn", "Undo", "Undo the last turn (its files too)", False),
    ("redo_turn", "alt+y", "redo_turn", "Redo", "Redo the turn the last undo moved aside", False),
    ("audit", "f12", "audit", "Audit", "Command audit: every execution across sessions", False),
    ("exec_older", "left_square_bracket", "exec_history(-1)", "Older exec",
     "Execution pane: show the session's previous execution", False),
    ("exec_newer", "right_square_bracket", "exec_history(1)", "Newer exec",
     "Execution pane: show the session's next execution", False),
    ("select_prev_message", "alt+up", "select_message(-1)", "Select ↑",
     "Select the previous message in the chat (for edit, regenerate, siblings)", False),
    ("select_next_message", "alt+down", "select_message(1)", "Select ↓",
     "Select the next message in the chat", False),
    ("prev_sibling", "alt+left", "switch_sibling(-1)", "◂ Sibling",
     "Show the previous version (2/3) of the selected message, or of the newest one that has several", False),
    ("next_sibling", "alt+right", "switch_sibling(1)", "Sibling ▸",
     "Show the next version (2/3) of the selected message, or of the newest one that has several", False),
    ("edit_prompt", "alt+e", "edit_prompt", "Edit",
     "Edit the selected (or last) prompt; Enter sends it as a new branch, the old one stays", False),
    ("cancel_edit", "escape", "cancel_edit", "Stop editing", "Stop editing an earlier prompt", False),
    ("regenerate", "alt+r", "regenerate", "Regenerate",
     "Answer the selected (or last) prompt again, as a sibling reply (the old one stays)", False),
    ("export_session", "alt+x", "export_session", "Export",
     "Export this session's whole tree as Markdown and JSON (data dir/exports)", False),
    ("focus_queue", "ctrl+up", "focus_queue", "Queue",
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


_BEFORE_WIDGETS = frozenset({
    "select_prev_message", "select_next_message", "prev_sibling", "next_sibling", "edit_prompt", "regenerate",
    "export_session", "undo_turn", "redo_turn", "continue_reply", "mark_wrong",
})
"""Checked before the focused widget (priority bindings): Alt keys a terminal sends as Esc + letter
(the chat input would type the letter, seen in tmux), and F6/F7, which the chat input's TextArea
takes for "select line" and "select all"."""

WIDGET_KEYS: tuple[tuple[str, str], ...] = (
    ("enter", "Chat input: send the prompt"),
    ("shift+enter / ctrl+j", "Chat input: new line"),
    ("up / down", "Chat input: recall earlier prompts (from the first or last line)"),
    ("tab / shift+tab", "Move focus to the next / previous widget"),
    ("enter", "Activity: open the selected step's full detail"),
    ("enter", "Execution artifacts: open the file with the system viewer"),
    ("ctrl+p", "Command palette (every action is there)"),
    ("ctrl+q", "Quit (cancels a running turn cleanly)"),
    ("@", "Chat input: attach a file (@path, Tab completes from the start folder; palette: Attach file)"),
    ("enter / v", "Execution pane: open the focused (or newest) picture full size (Esc closes)"),
)


def dashboard_bindings() -> list[Binding]:
    """The app's bindings; ids are what settings.ui.keymap refers to."""
    return [
        Binding(keys, action, description, show=show, id=binding_id, tooltip=tooltip,
                priority=binding_id in _BEFORE_WIDGETS)
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
