"""A session's /workspace checkpoints (one per turn): time, turn and size; Enter restores one."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from engine.store.turns import CheckpointRecord
from widgets.execution import human_bytes


class CheckpointsScreen(ModalScreen[str | None]):
    """Pick a checkpoint to put its files back as the session's /workspace; dismisses with its id."""

    BINDINGS = [Binding("escape", "close", "Close", id="checkpoints_close", tooltip="Close the list")]

    def __init__(self, title: str, checkpoints: list[CheckpointRecord], *, fixed_times: bool = False,
                 prompts: dict[str, str] | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.checkpoints = checkpoints
        self.prompts = prompts or {}
        self.fixed_times = fixed_times

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -wide"):
            yield Label(f"Checkpoints of {self.title_text}", classes="dialog-title")
            yield OptionList(id="checkpoints-list")
            yield Label("Enter puts that turn's files back in /workspace · Esc closes", classes="dialog-hint")

    def on_mount(self) -> None:
        widget = self.query_one("#checkpoints-list", OptionList)
        if not self.checkpoints:
            widget.add_option(Option("No checkpoints yet: one is saved after each turn that ran code.",
                                     disabled=True))
            return
        for record in self.checkpoints:
            stamp = datetime.fromtimestamp(record.created_at)
            when = "--" if self.fixed_times else f"{stamp:%Y-%m-%d %H:%M:%S}"
            prompt = self.prompts.get(record.id, "")
            widget.add_option(Option(
                f"turn {record.turn:>3} · {when} · {record.files} file(s), {human_bytes(record.bytes)}"
                + (f" · {prompt}" if prompt else ""), id=record.id))
        widget.highlighted = 0
        widget.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)
