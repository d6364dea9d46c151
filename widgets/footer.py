"""FittedFooter: a key footer that shows the most important keys that fit its width, quit included."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


def binding_name(binding: Binding) -> str:
    """What a priority list calls a binding: its id, else its action."""
    return binding.id or binding.action


def fit_keys(entries: Sequence[tuple[str, int]], width: int) -> list[str]:
    """The names of (name, cells) entries that fit `width`, in the given order, stopping at the first
    one that does not fit (a less important key never pushes out a more important one)."""
    chosen: list[str] = []
    used = 0
    for name, cells in entries:
        if used + cells > width:
            break
        chosen.append(name)
        used += cells
    return chosen


class FittedFooter(Footer):
    """Shows the enabled keys named in `priority` (binding ids or actions, most important first) that
    fit the width, then the command palette key on the right. Quit is a key like any other here: the
    plain footer hides it, and a new user could not find it."""

    def __init__(self, priority: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.priority = tuple(priority)
        self.shown: list[str] = []
        """The names of the keys shown now (for tests and the help)."""
        self._width = 0

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        by_name: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            name = binding_name(binding)
            if name in self.priority and enabled and name not in by_name:
                by_name[name] = (binding, enabled, tooltip)
        palette = active.get(self.app.COMMAND_PALETTE_BINDING) if self.app.ENABLE_COMMAND_PALETTE else None
        room = self.size.width or self.app.size.width
        if palette is not None:
            room -= self._cells(palette[1]) + 3  # its border, and its padding on the right
        names = [name for name in self.priority if name in by_name]
        self.shown = fit_keys([(name, self._cells(by_name[name][0])) for name in names], room)
        for name in self.shown:
            binding, enabled, tooltip = by_name[name]
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                            binding.action, disabled=not enabled,
                            tooltip=tooltip or binding.tooltip or binding.description,
                            ).data_bind(compact=Footer.compact)
        if palette is not None:
            _node, binding, enabled, tooltip = palette
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                            binding.action, classes="-command-palette", disabled=not enabled,
                            tooltip=binding.tooltip or binding.description)

    def _cells(self, binding: Binding) -> int:
        # A key is drawn as " key description " (padding on both sides of the key, one after).
        return len(self.app.get_key_display(binding)) + len(binding.description) + 3

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self._width = self.size.width
            self.call_after_refresh(self.recompose)
