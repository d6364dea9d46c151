"""The Execution pane: the code then its live stdout/stderr in one scroll; timer, outcome, pictures."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from widgets.images import THUMBNAIL_PX, ImageTile, is_image, open_picture
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


def outcome_line(event: ExecFinished, step_s: float | None = None) -> Text:
    """'exit 0 · ran 1.23 s · peak 12.0 MiB' plus why it was killed, if it was. With `step_s` (the
    code step's time in Activity, which includes starting the sandbox) when it is longer, that too:
    'ran 0.01 s · with sandbox start 1.85 s'."""
    ok = event.exit_code == 0 and not (event.timed_out or event.oom_killed or event.cancelled)
    text = Text()
    text.append(f"exit {event.exit_code}", style="bold green" if ok else "bold red")
    text.append(f" · ran {event.duration_s:.2f} s")
    if step_s is not None and step_s - event.duration_s >= 0.05:
        text.append(f" · with sandbox start {step_s:.2f} s")
    text.append(f" · peak {human_bytes(event.peak_memory_bytes)}")
    if event.timed_out:
        text.append(" · killed: timeout", style="bold red")
    if event.oom_killed:
        text.append(" · killed: memory", style="bold red")
    if event.cancelled:
        text.append(" · killed: cancelled", style="bold yellow")
    if event.truncated:
        text.append(" · output truncated", style="yellow")
    return text


EMPTY = "No code has run yet."


class ExecPane(Pane):
    """Execution: one scrolling view of the code (highlighted) then its output (stderr in red),
    with the timer or outcome above it and pictures and files below."""

    @dataclass
    class ArtifactChosen(Message):
        """The user picked an artifact to open."""

        artifact: Artifact

    @dataclass
    class ImageOpened(Message):
        """The user asked to see a picture artifact full size."""

        artifact: Artifact

    BINDINGS = [Binding("v", "view_image", "Picture", id="exec_view_image",
                        tooltip="Open the newest picture full size")]

    MAX_OUTPUT_CHARS = 4_000_000
    """Output kept for scrolling back (the oldest goes first): four times the sandbox's default
    output cap, so by default all that an execution printed can be read."""

    def __init__(self, *, show_clock: bool = True, lazy: bool = False) -> None:
        super().__init__("Execution", id="execution", lazy=lazy)
        self.max_output_chars = self.MAX_OUTPUT_CHARS
        self.show_clock = show_clock
        self.image_mode = "none"
        """How pictures are drawn: kitty, sixel, halfblock, or none (listed only); the app sets it."""
        self.running = False
        self.code = ""
        """The code on show ('' when none)."""
        self.language = "python"
        self.attached: list[str] = []
        """Lines about files attached in this run, shown above the code."""
        self._started_at = 0.0
        self._timer: Timer | None = None
        self._partial: dict[str, str] = {"stdout": "", "stderr": ""}
        self._artifacts: list[Artifact] = []
        self._finished: ExecFinished | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="exec-status")
        yield OutputLog(id="exec-output", max_chars=self.max_output_chars)
        yield HorizontalScroll(id="exec-images")
        yield OptionList(id="exec-artifacts")

    def body_mounted(self) -> None:
        self.query_one("#exec-artifacts").display = False
        self.query_one("#exec-images").display = False
        self._show_prelude()

    def _show_prelude(self) -> None:
        parts: list[RenderableType] = [Text(line, style="cyan") for line in self.attached]
        if self.code:
            from rich.syntax import Syntax  # Pygments: imported by the first code shown, not at launch

            lexer = "bash" if self.language in ("bash", "sh", "shell") else self.language
            parts.append(Syntax(self.code.rstrip("\n"), lexer, line_numbers=True, word_wrap=True,
                                theme="ansi_dark"))
            parts.append(Rule("output", style="dim", characters="─"))
        elif not self.attached:
            parts.append(Text(EMPTY, style="dim"))
        self.output.set_prelude(Group(*parts))

    def clear(self) -> None:
        """Show no execution (a session without one)."""
        self._stop_clock()
        self.running = False
        self.code = ""
        self.attached = []
        self._finished = None
        self._partial = {"stdout": "", "stderr": ""}
        self._set_status("")
        self.output.clear()
        self._show_prelude()
        self.show_artifacts([])

    def focus_first(self) -> None:
        """Focus the output log."""
        self.query_one("#exec-output").focus()

    def new_run(self) -> None:
        """A run began: files attached by the run before are no longer news."""
        self.attached = []

    def add_attachment(self, name: str, path: str, size: int) -> None:
        """A file the prompt attached is in /workspace: say so above the code."""
        self.attached.append(f"📎 attached {name} → {path} ({size:,} bytes)")
        if not self.running:
            self.code = ""
            self.output.clear()
            self.show_artifacts([])
            self._set_status(Text(f"{len(self.attached)} file(s) copied into /workspace", style="cyan"))
        self._show_prelude()

    def preparing(self, why: str = "") -> None:
        """A code step began (or files are to be copied in): that starts once the sandbox is ready."""
        if not self.running:
            self._set_status(Text(f"starting sandbox…{f' ({why})' if why else ''}", style="bold yellow"))

    def start(self, language: str, code: str) -> None:
        """A new execution began."""
        self.running = True
        self.code, self.language = code, language
        self._finished = None
        self._partial = {"stdout": "", "stderr": ""}
        self.output.stick_to_end = False
        self.output.clear()
        self._show_prelude()
        self.output.scroll_home(animate=False, immediate=True)
        self.show_artifacts([])
        self._started_at = time.monotonic()
        self._set_status(Text("running…", style="bold yellow"))
        if self.show_clock:
            self._timer = self.set_interval(0.1, self._tick)

    def _stop_clock(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

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
    def status_text(self) -> str:
        """The line above the code, as plain text."""
        return str(self.query_one("#exec-status", Static).render())

    @property
    def output(self) -> OutputLog:
        """The output log (the code, then stdout and stderr in the order they arrived)."""
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
        """The execution ended: show outcome and artifacts, and the end of the output (where a
        traceback's error line is)."""
        self.running = False
        self._stop_clock()
        self._flush_partial()
        self._finished = event
        self._set_status(outcome_line(event))
        self.show_artifacts(list(event.artifacts))
        self.output.show_end()

    def set_step_duration(self, seconds: float) -> None:
        """The code step's time (as Activity shows it), to set beside the execution's own."""
        if self._finished is not None and not self.running:
            self._set_status(outcome_line(self._finished, seconds))

    @property
    def images(self) -> list[Artifact]:
        """The pictures on show, oldest first."""
        return [tile.artifact for tile in self.query(ImageTile)]

    def show_artifacts(self, artifacts: list[Artifact]) -> None:
        """Show pictures (PNG/JPEG that open) and list every file the code produced."""
        self._artifacts = artifacts
        tiles: list[ImageTile] = []
        widget = self.query_one("#exec-artifacts", OptionList)
        widget.clear_options()
        for index, artifact in enumerate(artifacts):
            label = f"📎 {artifact.name}  ({human_bytes(artifact.size)}, {artifact.mime})"
            if is_image(artifact) and self.image_mode != "none":
                try:
                    tiles.append(ImageTile(artifact, self.image_mode, open_picture(artifact.path,
                                                                                   THUMBNAIL_PX)))
                except ValueError as exc:
                    label += f" · cannot be shown: {exc}"
            widget.add_option(Option(label, id=str(index)))
        # Files that are all on show as pictures need no list too.
        widget.display = len(artifacts) > len(tiles)
        strip = self.query_one("#exec-images", HorizontalScroll)
        strip.remove_children()
        if tiles:
            strip.mount_all(tiles)
        strip.display = bool(tiles)

    def show_error(self, text: str) -> None:
        """A readable notice when code could not run (e.g. Docker is down)."""
        self.running = False
        self._stop_clock()
        self._set_status(Text(text, style="bold red"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = int(event.option.id or 0)
        if 0 <= index < len(self._artifacts):
            artifact = self._artifacts[index]
            if is_image(artifact) and self.image_mode != "none":
                self.post_message(self.ImageOpened(artifact))
            else:
                self.post_message(self.ArtifactChosen(artifact))

    def action_view_image(self) -> None:
        images = self.images
        if images:
            self.post_message(self.ImageOpened(images[-1]))
        else:
            self.notify("No picture in the Execution pane.")

    def on_image_tile_opened(self, message: ImageTile.Opened) -> None:
        message.stop()
        self.post_message(self.ImageOpened(message.artifact))
