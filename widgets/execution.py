"""The Execution pane: the code being run, its live stdout/stderr, timer, outcome and artifacts."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from widgets.output_log import OutputLog
from widgets.pane import Pane

if TYPE_CHECKING:  # at run time they come with the first event, after start-up
    from engine.events import Artifact, ExecFinished


def human_bytes(size: int | None) -> str:
    """1536 -> '1.5 KiB'."""
    if size is None:
        return "n/a"
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def outcome_line(event: ExecFinished) -> Text:
    """'exit 0 · 1.23 s · peak 12.0 MiB' plus why it was killed, if it was."""
    ok = event.exit_code == 0 and not (event.timed_out or event.oom_killed or event.cancelled)
    text = Text()
    text.append(f"exit {event.exit_code}", style="bold green" if ok else "bold red")
    text.append(f" · {event.duration_s:.2f} s · peak {human_bytes(event.peak_memory_bytes)}")
    if event.timed_out:
        text.append(" · killed: timeout", style="bold red")
    if event.oom_killed:
        text.append(" · killed: memory", style="bold red")
    if event.cancelled:
        text.append(" · killed: cancelled", style="bold yellow")
    if event.truncated:
        text.append(" · output truncated", style="yellow")
    return text


class ExecPane(Pane):
    """Execution: code (highlighted), streamed output (stderr in red), timer, result, artifacts."""

    @dataclass
    class ArtifactChosen(Message):
        """The user picked an artifact to open."""

        artifact: Artifact

    MAX_OUTPUT_CHARS = 4_000_000
    """Output kept for scrolling back (the oldest goes first): four times the sandbox's default
    output cap, so by default all that an execution printed can be read."""

    def __init__(self, *, show_clock: bool = True, lazy: bool = False) -> None:
        super().__init__("Execution", id="execution", lazy=lazy)
        self.max_output_chars = self.MAX_OUTPUT_CHARS
        self.show_clock = show_clock
        self.running = False
        self._started_at = 0.0
        self._timer: Timer | None = None
        self._partial: dict[str, str] = {"stdout": "", "stderr": ""}
        self._artifacts: list[Artifact] = []

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="exec-code-box"):
            yield Static("No code has run yet.", id="exec-code")
        yield Static("", id="exec-status")
        yield OutputLog(id="exec-output", max_chars=self.max_output_chars)
        yield OptionList(id="exec-artifacts")

    def body_mounted(self) -> None:
        self.query_one("#exec-artifacts").display = False

    def clear(self) -> None:
        """Show no execution (a session without one)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.running = False
        self._partial = {"stdout": "", "stderr": ""}
        self._artifacts = []
        self.query_one("#exec-code", Static).update("No code has run yet.")
        self._set_status("")
        self.output.clear()
        self.query_one("#exec-artifacts", OptionList).display = False

    def focus_first(self) -> None:
        """Focus the output log."""
        self.query_one("#exec-output").focus()

    def start(self, language: str, code: str) -> None:
        """A new execution began."""
        self.running = True
        self._partial = {"stdout": "", "stderr": ""}
        self._artifacts = []
        lexer = "bash" if language in ("bash", "sh", "shell") else language
        self.query_one("#exec-code", Static).update(
            Syntax(code.rstrip("\n"), lexer, line_numbers=True, word_wrap=True, theme="ansi_dark")
        )
        self.output.clear()
        artifacts = self.query_one("#exec-artifacts", OptionList)
        artifacts.clear_options()
        artifacts.display = False
        self._started_at = time.monotonic()
        self._set_status(Text("running…", style="bold yellow"))
        if self.show_clock:
            self._timer = self.set_interval(0.1, self._tick)

    def _tick(self) -> None:
        elapsed = time.monotonic() - self._started_at
        # The one-line clock keeps its size; a layout pass 10 times a second would re-arrange the
        # whole screen for nothing.
        self.query_one("#exec-status", Static).update(
            Text(f"running… {elapsed:.1f} s", style="bold yellow"), layout=False
        )

    def _set_status(self, text: Text | str) -> None:
        self.query_one("#exec-status", Static).update(text)

    @property
    def output(self) -> OutputLog:
        """The output log (stdout and stderr, in the order they arrived)."""
        return self.query_one("#exec-output", OutputLog)

    def add_output(self, stream: str, text: str) -> None:
        """Append output; only whole lines are written so stdout and stderr stay readable."""
        if "\n" not in text:
            self._partial[stream] = self._partial.get(stream, "") + text
            return
        lines = (self._partial.get(stream, "") + text).split("\n")
        self._partial[stream] = lines.pop()
        self.output.write_lines(lines, error=stream == "stderr")

    def _flush_partial(self) -> None:
        for stream, rest in self._partial.items():
            if rest:
                self.output.write_lines([rest], error=stream == "stderr")
        self._partial = {"stdout": "", "stderr": ""}

    def finish(self, event: ExecFinished) -> None:
        """The execution ended: show outcome and artifacts."""
        self.running = False
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._flush_partial()
        self._set_status(outcome_line(event))
        self.show_artifacts(list(event.artifacts))

    def show_artifacts(self, artifacts: list[Artifact]) -> None:
        """List files the code produced."""
        self._artifacts = artifacts
        widget = self.query_one("#exec-artifacts", OptionList)
        widget.clear_options()
        for index, artifact in enumerate(artifacts):
            label = f"📎 {artifact.name}  ({human_bytes(artifact.size)}, {artifact.mime})"
            widget.add_option(Option(label, id=str(index)))
        widget.display = bool(artifacts)

    def show_error(self, text: str) -> None:
        """A readable notice when code could not run (e.g. Docker is down)."""
        self.running = False
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._set_status(Text(text, style="bold red"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = int(event.option.id or 0)
        if 0 <= index < len(self._artifacts):
            self.post_message(self.ArtifactChosen(self._artifacts[index]))
