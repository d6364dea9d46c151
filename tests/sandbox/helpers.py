"""Helpers for sandbox tests: run code and collect its events."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from engine.events import CodeExecStarted, Event, ExecFinished, ExecOutput, SandboxRestored


@dataclass
class Result:
    """Everything one execution emitted."""

    events: list[Event] = field(default_factory=list)
    arrival: list[float] = field(default_factory=list)

    @property
    def finished(self) -> ExecFinished:
        last = self.events[-1]
        assert isinstance(last, ExecFinished), last
        return last

    def text(self, stream: str | None = None) -> str:
        return "".join(e.text for e in self.events
                       if isinstance(e, ExecOutput) and (stream is None or e.stream == stream))

    @property
    def restored(self) -> SandboxRestored | None:
        found = [e for e in self.events if isinstance(e, SandboxRestored)]
        return found[0] if found else None

    @property
    def stdout(self) -> str:
        return self.text("stdout")

    @property
    def stderr(self) -> str:
        return self.text("stderr")


async def run(runner: Any, code: str, session: str = "s1", **kwargs: Any) -> Result:
    """Run code to completion and check the event sequence's shape."""
    result = Result()
    async for event in runner.execute(session, code, run_id="run-1", **kwargs):
        result.events.append(event)
        result.arrival.append(time.monotonic())
    assert isinstance(result.events[0], CodeExecStarted)
    assert all(isinstance(e, ExecOutput | SandboxRestored) for e in result.events[1:-1])
    ids = {e.exec_id for e in result.events}  # type: ignore[attr-defined]
    assert len(ids) == 1
    return result


async def assert_usable(runner: Any, session: str = "s1") -> None:
    """The session still runs print(1)."""
    result = await run(runner, "print(1)", session)
    assert result.stdout == "1\n", result.stderr
    assert result.finished.exit_code == 0
