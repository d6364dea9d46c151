"""MediaFlows: the app's side of attaching files (@path, the file picker) and of showing pictures."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App

from widgets.execution import ExecPane

if TYPE_CHECKING:
    from engine.config import Settings
    from engine.events import Artifact
    from engine.service import Engine, SubmitOptions
    from tui.screens.dashboard import DashboardScreen


class MediaFlows(App[int]):
    """Base of GlassboxApp for attachments and pictures."""

    start_dir: Path = Path.cwd()
    """The host folder @paths are relative to: where Glassbox was started."""
    graphics: str | None = None
    """What the terminal can draw (kitty, sixel, halfblock), found before Textual started; None: not asked."""
    cell_size: tuple[int, int] | None = None
    """The terminal's cell size in pixels, when it told."""

    if TYPE_CHECKING:  # supplied by GlassboxApp
        engine: Engine | None
        settings: Settings

        @property
        def dashboard(self) -> DashboardScreen: ...

    # -- attachments -------------------------------------------------------------------------

    def setup_attachments(self) -> None:
        """Let the prompt complete @paths from the start folder."""
        from engine.attachments import complete_path

        root = self.start_dir
        self.dashboard.chat.prompt.completer = lambda prefix: complete_path(prefix, root)

    def with_attachments(self, text: str, options: SubmitOptions) -> SubmitOptions | None:
        """`options` with the files the prompt names with @path; None (and an error shown) when one
        cannot be attached, so the prompt is not sent and stays in the box."""
        from engine.attachments import AttachmentError

        assert self.engine is not None
        try:
            attachments = self.engine.find_attachments(text, self.start_dir)
        except AttachmentError as exc:
            self.notify(str(exc), title="Not sent", severity="error", timeout=10)
            return None
        if not attachments:
            return options
        count = len(attachments)
        self.dashboard.execution.preparing(f"to copy {count} file{'s' if count > 1 else ''} into /workspace")
        return replace(options, attachments=attachments)

    def action_attach_file(self) -> None:
        """Pick a file under the start folder; its @path goes into the prompt."""
        self.run_worker(self._attach_file(), group="dialog", exclusive=True, exit_on_error=False)

    async def _attach_file(self) -> None:
        from tui.screens.file_picker import FilePicker

        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self.push_screen(FilePicker(self.start_dir),
                         lambda result: future.done() or future.set_result(result))
        path = await future
        if isinstance(path, str) and path:
            from widgets.path_complete import mention_text

            prompt = self.dashboard.chat.prompt
            prompt.focus()
            prompt.insert(f"@{mention_text(path)} ")

    # -- pictures ----------------------------------------------------------------------------

    @property
    def image_mode(self) -> str:
        """How pictures are drawn: the setting, or what the terminal said (half-blocks if unknown)."""
        mode = self.settings.ui.image_mode
        return (self.graphics or "halfblock") if mode == "auto" else mode

    def apply_image_mode(self, preload: bool = False) -> None:
        """Tell the Execution pane how to draw pictures (`preload`: load textual-image in a thread)."""
        mode = self.image_mode
        self.dashboard.execution.image_mode = mode
        if preload and mode != "none":
            from widgets.images import load_textual_image

            self.run_worker(asyncio.to_thread(load_textual_image, self.cell_size), group="images",
                            exit_on_error=False)

    def on_exec_pane_image_opened(self, message: ExecPane.ImageOpened) -> None:
        self.show_image(message.artifact)

    def show_image(self, artifact: Artifact) -> None:
        """Open a picture full size."""
        from tui.screens.image_view import ImageScreen

        self.push_screen(ImageScreen(artifact, self.image_mode))

    def action_view_image(self) -> None:
        """Open the newest picture of the Execution pane full size (the focused one, if any)."""
        from widgets.images import ImageTile

        focused = self.focused
        if isinstance(focused, ImageTile):
            self.show_image(focused.artifact)
            return
        images = self.dashboard.execution.images
        if not images:
            self.notify("No picture in the Execution pane.")
            return
        self.show_image(images[-1])
