"""The CodeRunner protocol the agent uses, and per-execution limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from engine.cancel import CancelToken
from engine.events import CodeExecStarted, ExecFinished, ExecOutput, SandboxRestored

Language = Literal["python", "bash"]
ExecEvent = CodeExecStarted | ExecOutput | ExecFinished | SandboxRestored


@dataclass(frozen=True, slots=True)
class ExecLimits:
    """Per-execution overrides of the sandbox settings (None keeps the setting)."""

    timeout_s: float | None = None
    memory: str | None = None
    output_limit_bytes: int | None = None


@runtime_checkable
class CodeRunner(Protocol):
    """Runs code for a session in its own warm, stateful container."""

    def execute(
        self,
        session_id: str,
        code: str,
        *,
        language: Language = "python",
        run_id: str,
        step_id: str | None = None,
        exec_id: str | None = None,
        limits: ExecLimits | None = None,
        cancel: CancelToken | None = None,
    ) -> AsyncIterator[ExecEvent]:
        """Yield CodeExecStarted, then ExecOutput chunks in order, then one ExecFinished.

        When the session's container had been retired (idle, or over the cap of live
        containers), a SandboxRestored follows CodeExecStarted: the files are back, the
        variables are not.

        Cancelling (the token, or closing the iterator) kills the execution; the session's
        container stays usable.
        """
        ...

    async def reset_session(self, session_id: str) -> None:
        """Give the session a clean interpreter and workspace."""
        ...

    async def close_session(self, session_id: str) -> None:
        """Stop and remove the session's container."""
        ...

    async def close(self) -> None:
        """Remove every container this runner started."""
        ...


@runtime_checkable
class FileReceiver(Protocol):
    """A code runner that can take a host file into a session's /workspace (for `@path`)."""

    async def put_file(self, session_id: str, source: Path, name: str) -> str:
        """Copy `source` to /workspace/`name` of the session; return the path the code sees."""
        ...


@runtime_checkable
class WorkspaceCheckpointer(Protocol):
    """A runner that can save a session's /workspace to a tar file and put one back (checkpoints)."""

    async def save_checkpoint(self, session_id: str, target: Path) -> tuple[int, int] | None:
        """Write the session's /workspace to the tar file `target`; (files, bytes), or None when
        the runner holds nothing for the session (no container, no retired files)."""
        ...

    async def restore_checkpoint(self, session_id: str, archive: Path) -> bool:
        """Make the tar file `archive` the session's /workspace (its files now go); True when a
        live container has them now, False when they come back with the session's next run."""
        ...
