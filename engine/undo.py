"""TurnHistory: a /workspace checkpoint after each turn, undo and redo of turns, restore of a checkpoint."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import shutil
import tarfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from engine.errors import GlassboxError
from engine.sandbox.base import CodeRunner, WorkspaceCheckpointer
from engine.store.records import MessageRecord, branch, new_id
from engine.store.repository import Store
from engine.store.turns import (
    CheckpointRecord,
    active_path,
    add_checkpoint,
    checkpoint_prompts,
    checkpoints,
    current_leaf,
    drop_checkpoints,
    get_checkpoint,
    move_leaf,
    redo_leaf,
    turn_count,
    turn_start,
    undone_tip,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TurnChange:
    """What an undo, redo or checkpoint restore did."""

    changed: bool
    """False when there was nothing to do (the message says why)."""
    message: str
    """One line for the user: the turn, and what happened to the files."""
    files: str = "unchanged"
    """'restored' (in the live container), 'next run' (they come back with the next execution),
    'unchanged' or 'failed'."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _first_line(text: str, limit: int = 40) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


class TurnHistory:
    """Checkpoints live as tar files under `folder/<session>/` (identical workspaces share one
    file), their rows in the checkpoints table; at most `keep` per session, the oldest go first."""

    def __init__(self, store: Store, folder: Path, keep: Callable[[], int], *,
                 started_sandbox: Callable[[], CodeRunner | None],
                 start_sandbox: Callable[[], Awaitable[CodeRunner]],
                 busy: Callable[[str], bool] = lambda _session_id: False) -> None:
        self.store = store
        self.folder = folder
        self.keep = keep
        self._started = started_sandbox
        self._start = start_sandbox
        self._busy = busy

    def _session_folder(self, session_id: str) -> Path:
        return self.folder / "".join(c for c in session_id if c.isalnum())[:64]

    async def checkpoint(self, session_id: str, run_id: str | None) -> CheckpointRecord | None:
        """Save the session's /workspace as the checkpoint of its current turn. Only a sandbox
        already started is asked (a chat turn never starts Docker); None when nothing was saved."""
        runner = self._started()
        keep = self.keep()
        if keep <= 0 or not isinstance(runner, WorkspaceCheckpointer):
            return None
        folder = self._session_folder(session_id)
        partial = folder / f"{new_id()}.part.tar"
        try:
            await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
            counted = await runner.save_checkpoint(session_id, partial)
        except (GlassboxError, OSError) as exc:
            log.warning("checkpoint of %s not saved: %s", session_id, exc)
            partial.unlink(missing_ok=True)
            return None
        if counted is None:
            return None
        digest = await asyncio.to_thread(_sha256, partial)
        archive = folder / f"{digest[:24]}.tar"
        if archive.exists():
            partial.unlink()
        else:
            partial.replace(archive)
        path = await active_path(self.store, session_id)
        record = await add_checkpoint(
            self.store, session_id, run_id=run_id, message_id=path[-1].id if path else None,
            turn=turn_count(path), files=counted[0], size=counted[1], sha256=digest,
            archive=str(archive))
        for unused in await drop_checkpoints(self.store, session_id, keep):
            await asyncio.to_thread(Path(unused).unlink, missing_ok=True)
        await self._sweep_deleted_sessions()
        return record

    async def _sweep_deleted_sessions(self) -> None:
        """Remove the checkpoint folders of sessions deleted since (their rows went with them)."""
        rows = await self.store.fetchall("SELECT id FROM sessions")
        kept = {self._session_folder(str(r[0])).name for r in rows}

        def sweep() -> None:
            for folder in self.folder.iterdir():
                if folder.is_dir() and folder.name not in kept:
                    shutil.rmtree(folder, ignore_errors=True)

        await asyncio.to_thread(sweep)

    def _refuse_while_running(self, session_id: str) -> None:
        if self._busy(session_id):
            raise GlassboxError("A run is going in this session: wait for it or cancel it (Esc) first.")

    async def undo(self, session_id: str) -> TurnChange:
        """Move the session's last turn to a side branch (nothing is deleted) and put back the
        files as the turn before it left them. Raises GlassboxError while a run is going."""
        self._refuse_while_running(session_id)
        path = await active_path(self.store, session_id)
        start = turn_start(path)
        if start is None:
            return TurnChange(False, "Nothing to undo: the conversation is empty.")
        tip = await undone_tip(self.store, session_id)
        leaf = path[-1].id
        if tip is None or leaf not in {m.id for m in await self._path_to(session_id, tip)}:
            tip = leaf  # a new undo chain starts here; an older one (not on this path) is left
        new_leaf = path[start - 1].id if start > 0 else None
        await move_leaf(self.store, session_id, new_leaf, undone=tip)
        files = await self._restore_for_path(session_id, path[:start])
        text = (f"Undid turn {turn_count(path)} (\u201c{_first_line(path[start].content)}\u201d); "
                f"it stays in the history, redo brings it back. {files[1]}")
        return TurnChange(True, text, files[0])

    async def redo(self, session_id: str) -> TurnChange:
        """Bring back the turn the last undo moved aside, with its files."""
        self._refuse_while_running(session_id)
        tip = await undone_tip(self.store, session_id)
        if tip is None:
            return TurnChange(False, "Nothing to redo.")
        tip_path = await self._path_to(session_id, tip)
        target = redo_leaf(tip_path, await current_leaf(self.store, session_id))
        if target is None:
            return TurnChange(False, "Nothing to redo: the conversation has moved on since the undo.")
        await move_leaf(self.store, session_id, target, undone=None if target == tip else tip)
        new_path = branch(tip_path, target)
        start = turn_start(new_path)
        prompt = new_path[start].content if start is not None else ""
        files = await self._restore_for_path(session_id, new_path)
        text = f"Redid turn {turn_count(new_path)} (\u201c{_first_line(prompt)}\u201d). {files[1]}"
        return TurnChange(True, text, files[0])

    async def restore(self, checkpoint_id: str) -> TurnChange:
        """Put back the files of one checkpoint (the conversation does not move)."""
        record = await get_checkpoint(self.store, checkpoint_id)
        if record is None:
            return TurnChange(False, f"No checkpoint {checkpoint_id[:8]}.")
        self._refuse_while_running(record.session_id)
        files = await self._put_back(record.session_id, Path(record.archive))
        text = (f"Files of turn {record.turn} put back ({record.files} file(s), "
                f"{record.bytes:,} bytes): {files[1]}")
        return TurnChange(files[0] != "failed", text, files[0])

    async def saved(self, session_id: str) -> list[CheckpointRecord]:
        """A session's checkpoints, newest first."""
        return await checkpoints(self.store, session_id)

    async def _path_to(self, session_id: str, leaf: str) -> list[MessageRecord]:
        return branch(await self.store.messages(session_id), leaf)

    async def _restore_for_path(self, session_id: str, path: list[MessageRecord]) -> tuple[str, str]:
        """Put back the newest checkpoint on `path` (an empty workspace before the first one)."""
        saved = await checkpoints(self.store, session_id)
        if not saved:
            return "unchanged", "Files unchanged: this session has no checkpoint."
        on_path = {m.id for m in path}
        target = next((c for c in saved if c.message_id in on_path), None)
        if target is not None:
            result = await self._put_back(session_id, Path(target.archive))
            return result[0], f"Files as turn {target.turn} left them: {result[1]}"
        empty = self._session_folder(session_id) / "empty.tar"
        if not empty.exists():
            await asyncio.to_thread(_write_empty_tar, empty)
        result = await self._put_back(session_id, empty)
        return result[0], f"Files as before the first turn (none): {result[1]}"

    async def prompts(self, session_id: str) -> dict[str, str]:
        """Checkpoint id -> the first line of its turn's prompt."""
        return {k: _first_line(v, 50) for k, v in (await checkpoint_prompts(self.store, session_id)).items()}

    async def current_leaf(self, session_id: str) -> str | None:
        """The message the session's conversation now ends at (None: it is empty)."""
        return await current_leaf(self.store, session_id)

    async def _put_back(self, session_id: str, archive: Path) -> tuple[str, str]:
        if not await asyncio.to_thread(archive.exists):
            return "failed", f"the checkpoint file {archive} is gone."
        try:
            runner = self._started() or await self._start()
            if not isinstance(runner, WorkspaceCheckpointer):
                return "unchanged", "this sandbox cannot restore files."
            live = await runner.restore_checkpoint(session_id, archive)
        except GlassboxError as exc:
            return "failed", f"not restored ({exc})."
        if live:
            return "restored", "restored in /workspace (variables are unchanged)."
        return "next run", "they come back with the session's next run."


def _write_empty_tar(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w"):
        pass
