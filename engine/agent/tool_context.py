"""ToolContext: what a tool may touch (search, and the session's sandbox for its files)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.cancel import CancelToken
from engine.run import SandboxProvider, SearchFn


@dataclass(frozen=True, slots=True)
class ToolContext:
    """What a tool may touch: search, and the session's sandbox for its files."""

    sandbox: SandboxProvider
    search: SearchFn
    session_id: str
    run_id: str = ""
    step_id: str | None = None
    cancel: CancelToken | None = None
    timeout_s: float = 30.0
    """Most seconds a tool may run in the sandbox (the run's remaining wall time)."""
