"""One way to run code in the session's sandbox for the agent: events out, a typed result last."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from engine.cancel import CancelToken
from engine.errors import SandboxError
from engine.events import Event, ExecFinished, ExecOutput
from engine.run import SandboxProvider
from engine.sandbox.base import ExecLimits, Language


@dataclass(frozen=True, slots=True)
class ExecResult:
    """How one execution ended. `unavailable` means it never started (Docker down, no image)."""

    stdout: str = ""
    stderr: str = ""
    finished: ExecFinished | None = None
    error: str | None = None
    """Why the sandbox failed, if it did (then `finished` may be a closing record we made)."""
    unavailable: bool = False

    @property
    def ok(self) -> bool:
        """Ran to the end with exit code 0, not cancelled, timed out or killed."""
        f = self.finished
        return (self.error is None and f is not None and f.exit_code == 0 and not f.cancelled
                and not f.timed_out and not f.oom_killed)


async def run_in_sandbox(
    sandbox: SandboxProvider, session_id: str, code: str, *, language: Language, run_id: str,
    step_id: str | None, limits: ExecLimits, cancel: CancelToken | None, exec_id: str | None = None,
) -> AsyncIterator[Event | ExecResult]:
    """The execution's events as they come, then exactly one ExecResult."""
    started = time.monotonic()
    try:
        runner = await sandbox()
    except SandboxError as exc:
        yield ExecResult(error=str(exc), unavailable=True)
        return
    stdout: list[str] = []
    stderr: list[str] = []
    finished: ExecFinished | None = None
    began = False
    try:
        async for event in runner.execute(session_id, code, language=language, run_id=run_id,
                                          step_id=step_id, exec_id=exec_id, limits=limits, cancel=cancel):
            began = True
            if isinstance(event, ExecOutput):
                (stdout if event.stream == "stdout" else stderr).append(event.text)
            elif isinstance(event, ExecFinished):
                finished = event
            yield event
    except SandboxError as exc:
        if not began:
            # It could not even start (Docker down, image missing): no point retrying.
            yield ExecResult(error=str(exc), unavailable=True)
            return
        if finished is None and exec_id is not None:
            # Close the execution record so the stored run stays consistent.
            finished = ExecFinished(run_id=run_id, step_id=step_id, exec_id=exec_id, exit_code=-1,
                                    duration_s=time.monotonic() - started)
            yield finished
        yield ExecResult("".join(stdout), "".join(stderr), finished, error=str(exc))
        return
    error = None if finished is not None else "the execution ended without a result"
    yield ExecResult("".join(stdout), "".join(stderr), finished, error=error)
