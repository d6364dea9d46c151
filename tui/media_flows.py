"""MediaFlows: the app's side of attaching files (@path, the file picker) and of showing pictures."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.events import Artifact
    from engine.service import SubmitOptions
    from tui.flow_host import FlowHost
    from widgets.execution import ExecPane


class MediaFlows:
    """The app's flows for attachments and pictures."""

    def __init__(self, host: FlowHost) -> None:
        self.host = host

    # -- attachments -------------------------------------------------------------------------

    def setup_attachments(self) -> None:
        """Let the prompt complete @paths from the start folder."""
        from engine.attachments import complete_path

        root = self.host.start_dir
        self.host.dashboard.chat.prompt.completer = lambda prefix: complete_path(prefix, root)

    def with_attachments(self, text: str, options: SubmitOptions, *,
                         shown: bool = True) -> SubmitOptions | None:
        """`options` with the files the prompt names with @path; None (and an error shown) when one
        cannot be attached, so the prompt is not sent and stays in the box. `shown`: the prompt's
        session is on screen (the Execution pane then says files are coming)."""
        from engine.attachments import AttachmentError

        assert self.host.engine is not None
        try:
            attachments = self.host.engine.find_attachments(text, self.host.start_dir)
        except AttachmentError as exc:
            self.host.notify(str(exc), title="Not sent", severity="error", timeout=10)
            return None
        if not attachments:
            return options
        count = len(attachments)
        files = f"{count} file{'s' if count > 1 else ''}"
        if shown:
            self.host.dashboard.execution.preparing(f"to copy {files} into /workspace")
        return replace(options, attachments=attachments)

    def action_attach_file(self) -> None:
        """Pick a file under the start folder; its @path goes into the prompt."""
        self.host.run_worker(self._attach_file(), group="dialog", exclusive=True, exit_on_error=False)

    async def _attach_file(self) -> None:
        from tui.screens.file_picker import FilePicker

        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self.host.push_screen(FilePicker(self.host.start_dir),
                              lambda result: future.done() or future.set_result(result))
        path = await future
        if isinstance(path, str) and path:
            from widgets.path_complete import mention_text

            prompt = self.host.dashboard.chat.prompt
            prompt.focus()
            prompt.insert(f"@{mention_text(path)} ")

    # -- pictures ----------------------------------------------------------------------------

    @property
    def image_mode(self) -> str:
        """How pictures are drawn: the setting, or what the terminal said (half-blocks if unknown)."""
        mode = self.host.settings.ui.image_mode
        return (self.host.graphics or "halfblock") if mode == "auto" else mode

    def apply_image_mode(self, preload: bool = False) -> None:
        """Tell the Execution pane how to draw pictures (`preload`: load textual-image in a thread)."""
        mode = self.image_mode
        self.host.dashboard.execution.image_mode = mode
        if preload and mode != "none":
            from widgets.images import load_textual_image

            self.host.run_worker(asyncio.to_thread(load_textual_image, self.host.cell_size),
                                 group="images", exit_on_error=False)

    def on_exec_pane_image_opened(self, message: ExecPane.ImageOpened) -> None:
        self.show_image(message.artifact)

    def show_image(self, artifact: Artifact) -> None:
        """Open a picture full size."""
        from tui.screens.image_view import ImageScreen

        self.host.push_screen(ImageScreen(artifact, self.image_mode))

    def action_view_image(self) -> None:
        """Open the newest picture of the Execution pane full size (the focused one, if any)."""
        from widgets.images import ImageTile

        focused = self.host.focused
        if isinstance(focused, ImageTile):
            self.show_image(focused.artifact)
            return
        images = self.host.dashboard.execution.images
        if not images:
            self.host.notify("No picture in the Execution pane.")
            return
        self.show_image(images[-1])
