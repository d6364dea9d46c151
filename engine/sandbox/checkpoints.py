"""SessionCheckpoints: the DockerSandbox's save and restore of a session's /workspace as a tar file."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from engine.sandbox.archive import (
    ARCHIVE_NAME,
    count_workspace_tar,
    load_workspace_tar,
    stage_workspace,
    write_workspace_tar,
)
from engine.sandbox.dockerapi import blocking

T = TypeVar("T")


class SessionCheckpoints:
    """Implements engine.sandbox.base.WorkspaceCheckpointer for DockerSandbox (its base class)."""

    if TYPE_CHECKING:  # supplied by DockerSandbox
        _sessions: dict[str, Any]  # DockerSandbox's _Session entries (not imported: no cycle)

        @property
        def client(self) -> Any: ...

        def _session_dir(self, session_id: str) -> Path: ...

        def _forget_if_unused(self, session_id: str, session: Any) -> None: ...

    async def _in_live_container(self, session_id: str, work: Callable[[str], T]) -> tuple[bool, T | None]:
        """(True, work(container id)) run under the session's lock, never while its code runs, if
        the session has a live container; else (False, None)."""
        session = self._sessions.get(session_id)
        if session is None or session.container is None or session.container.broken:
            return False, None
        session.users += 1
        try:
            async with session.lock:
                if session.container is None:
                    return False, None
                return True, await blocking(work, session.container.container_id)
        finally:
            session.users -= 1
            self._forget_if_unused(session_id, session)

    async def save_checkpoint(self, session_id: str, target: Path) -> tuple[int, int] | None:
        """Write the session's /workspace (live, or as its retirement kept it) to `target`."""
        live, counted = await self._in_live_container(
            session_id, lambda cid: write_workspace_tar(self.client, cid, target))
        if live:
            return counted
        retired = self._session_dir(session_id) / ARCHIVE_NAME
        if not await blocking(retired.exists):
            return None
        await blocking(shutil.copyfile, retired, target)
        return await blocking(count_workspace_tar, target)

    async def restore_checkpoint(self, session_id: str, archive: Path) -> bool:
        """Make `archive` the session's /workspace: now in its live container, else at its next run."""
        live, _ = await self._in_live_container(
            session_id, lambda cid: load_workspace_tar(self.client, cid, archive, replace=True))
        if not live:
            await blocking(stage_workspace, self._session_dir(session_id), archive,
                           "files put back from a checkpoint")
        return live
