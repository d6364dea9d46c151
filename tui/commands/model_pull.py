"""`glassbox models pull URL|owner/repo/file.gguf`: a resumable download with a rich progress bar."""

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

from engine.errors import ModelError
from engine.llm.download import DownloadProgress, download_model, part_path, resolve_source
from engine.llm.registry import models_dir, sha256_of
from tui.commands.common import run


def pull_from_source(reference: str, *, sha256: str | None = None, save_as: str | None = None) -> Path:
    """Download `reference` into the models directory, showing progress on stderr."""
    source = resolve_source(reference)
    name = save_as or source.filename
    if Path(name).name != name or not name.endswith(".gguf"):
        raise ModelError(f"'{name}' is not a plain .gguf file name.",
                         hint="Give --as a name like my-model.Q4_K_M.gguf.")
    target = models_dir() / name
    console = Console(stderr=True)
    if target.exists() and (sha256 is None or sha256_of(target) == sha256.lower()):
        console.print(f"{target} is already present" + (" and its sha256 matches." if sha256 else
                                                         " (give --sha256 to check it)."))
        return target
    partial = part_path(target)
    if partial.exists():
        console.print(f"Resuming {name} from {partial.stat().st_size:,} bytes.")
    console.print(f"Downloading {source.url}")
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(name, total=None)

        def show(update: DownloadProgress) -> None:
            label = name if update.attempt == 1 else f"{name} (resumed, try {update.attempt})"
            progress.update(task, completed=update.received, total=update.total, description=label)

        run(download_model(source.url, target, sha256=sha256, progress=show))
    checked = "sha256 verified, " if sha256 else ""
    console.print(f"Saved {target} ({checked}GGUF header checked).", highlight=False, soft_wrap=True)
    return target
