"""`glassbox models pull`: a model by name, URL or owner/repo/file.gguf, with a rich progress bar."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from engine.llm.download import DownloadProgress, pull_reference
from tui.commands.common import run


def pull_with_progress(reference: str, *, sha256: str | None = None, save_as: str | None = None) -> Path:
    """Fetch `reference` into the models directory, notes and a progress bar on stderr."""
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(Path(save_as or reference).name, total=None, visible=False)

        def show(update: DownloadProgress) -> None:
            label = update.filename + (f" (resumed, try {update.attempt})" if update.attempt > 1 else "")
            progress.update(task, completed=update.received, total=update.total, description=label,
                            visible=True)

        return run(pull_reference(reference, sha256=sha256, save_as=save_as, progress=show,
                                  say=progress.console.print))
