"""One execution on one container: send the code, turn kernel frames into events, escalate."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from engine.cancel import CancelToken
from engine.errors import SandboxError
from engine.events import Stream
from engine.sandbox.base import Language
from engine.sandbox.container import EOF, Frame, SandboxContainer, parse_size

POLL_S = 0.05
INTERRUPT_GRACE_S = 1.5
KILL_GRACE_S = 1.0
RESTART_WAIT_S = 10.0
TIMEOUT_NOTE = "\n[timed out after {seconds:g} s]\n"
TRUNCATED_MARKER = "\n[output truncated: {limit} bytes captured, the rest was dropped]\n"
RESTART_NOTE = "\n[sandbox: the interpreter was restarted ({why}); earlier variables are gone]\n"
LOST_NOTE = ("\n[sandbox: the container stopped responding and was replaced; "
             "earlier variables are gone]\n")

Emit = Callable[[Stream, str], None]

# What a timed-out or cancelled execution gets, each step only if the one before did not
# end it within its grace time; after the last, the container counts as lost.
ESCALATION: tuple[tuple[Callable[[SandboxContainer], Awaitable[object]], float], ...] = (
    (lambda c: c.send({"op": "interrupt"}), INTERRUPT_GRACE_S),  # keeps the namespace
    (lambda c: c.send({"op": "kill"}), KILL_GRACE_S),  # the worker exits; PID 1 respawns it
    (SandboxContainer.signal_supervisor, RESTART_WAIT_S),  # PID 1 kills every process
)


@dataclass
class Outcome:
    """How an execution ended; `lost` means the container must be replaced."""

    exit_code: int = 0
    timed_out: bool = False
    cancelled: bool = False
    oom_killed: bool = False
    truncated: bool = False
    lost: bool = False
    peak: int | None = None
    artifacts: dict[str, Path] = field(default_factory=dict)


@dataclass
class Execution:
    """Runs one request on a container the caller holds exclusively (the session lock)."""

    container: SandboxContainer
    emit: Emit
    timeout_s: float
    output_limit: int
    artifact_dir: Path
    out: Outcome = field(default_factory=Outcome)

    async def run(self, code: str, language: Language, exec_id: str, stop: asyncio.Event,
                  cancel: CancelToken | None) -> Outcome:
        """Run the code to its end (done, restart or lost) and return how it ended."""
        container, out = self.container, self.out
        container.drain_frames()
        host_peak = container.reset_peak()
        used = 0
        cap = self.output_limit
        request = {"op": "exec", "id": exec_id, "language": language, "output_limit": cap,
                   "sample_peak": not host_peak}
        if not await container.send(request, code.encode("utf-8")):
            container.broken = True
            raise SandboxError("The sandbox kernel is not connected; try again.")
        loop = asyncio.get_running_loop()
        due = loop.time() + self.timeout_s  # the deadline, then each escalation step's
        step = 0
        while True:
            now = loop.time()
            if step == 0 and (stop.is_set() or (cancel is not None and cancel.cancelled)):
                out.cancelled, due = True, now
            if now >= due:
                if step == 0 and not out.cancelled:
                    out.timed_out = True
                    self.emit("stderr", TIMEOUT_NOTE.format(seconds=self.timeout_s))
                if step == len(ESCALATION):
                    return self._lost()
                action, grace = ESCALATION[step]
                await action(container)
                step += 1
                now = loop.time()
                due = now + grace
            # The cancel token and the stop flag are plain flags with nothing to await, so
            # until the ladder starts the wait wakes every POLL_S to look at them.
            frame = await _next_frame(container, due - now if step else min(POLL_S, due - now))
            if frame is None:
                continue
            if frame.op == "out":
                # The kernel caps output too, but the code runs in the kernel's process and
                # could write frames to the socket itself: the host counts for itself.
                room = cap - used
                payload = frame.payload[:max(room, 0)]
                used += len(frame.payload)
                if payload:
                    stream: Stream = "stderr" if frame.header.get("stream") == "stderr" else (
                        "stdout")
                    self.emit(stream, payload.decode("utf-8", "replace"))
                if used > cap:
                    self._mark_truncated()
            elif frame.op == "truncated":
                self._mark_truncated()
            elif frame.op == "artifact":
                await self._save_chunk(frame)
            elif frame.op == "done":
                self._finish_done(frame, host_peak)
                return out
            elif frame.op == "hello" or frame is EOF:
                hello = frame if frame.op == "hello" else await self._await_hello()
                if hello is None:
                    return self._lost()
                self._finish_restart(hello)
                return out

    def _mark_truncated(self) -> None:
        if not self.out.truncated:
            self.out.truncated = True
            self.emit("stderr", TRUNCATED_MARKER.format(limit=self.output_limit))

    def _finish_done(self, frame: Frame, host_peak: bool) -> None:
        h, out, container = frame.header, self.out, self.container
        out.exit_code = _int(h.get("exit_code"), 1)
        out.truncated = out.truncated or bool(h.get("truncated"))
        oom_after = _int(h.get("oom_kills"), 0)
        out.oom_killed = oom_after > _int(h.get("oom_kills_before"), oom_after)
        container.oom_kills = oom_after
        peak = container.read_peak() if host_peak else None
        out.peak = peak if peak is not None else _int(h.get("peak_sampled"), -1)
        if out.peak is not None and out.peak < 0:
            out.peak = None
        if out.timed_out:
            out.exit_code = 124
        elif out.cancelled:
            out.exit_code = 130
        elif out.oom_killed and out.exit_code == 0:
            out.exit_code = 137

    def _finish_restart(self, hello: Frame) -> None:
        out, container = self.out, self.container
        oom_after = _int(hello.header.get("oom_kills"), 0)
        out.oom_killed = oom_after > container.oom_kills
        container.oom_kills = oom_after
        prev = str(hello.header.get("prev", ""))
        match = re.fullmatch(r"(exit|signal) (\d+)", prev)
        code = 137 if match is None else int(match[2]) + (128 if match[1] == "signal" else 0)
        if out.oom_killed:
            why, out.exit_code = "memory limit", 137
            with contextlib.suppress(ValueError, SandboxError):
                out.peak = parse_size(container.memory)
        elif out.timed_out:
            why, out.exit_code = "timeout", 124
        elif out.cancelled:
            why, out.exit_code = "cancelled", 130
        else:
            why, out.exit_code = f"the process ended: {prev or 'killed'}", code
        self.emit("stderr", RESTART_NOTE.format(why=why))

    def _lost(self) -> Outcome:
        out = self.out
        self.container.broken = True
        out.lost = True
        self.emit("stderr", LOST_NOTE)
        out.exit_code = 124 if out.timed_out else 130 if out.cancelled else 137
        return out

    async def _await_hello(self) -> Frame | None:
        try:
            async with asyncio.timeout(RESTART_WAIT_S):
                while (frame := await self.container.frames.get()).op != "hello":
                    pass
                return frame
        except TimeoutError:
            return None

    async def _save_chunk(self, frame: Frame) -> None:
        name = str(frame.header.get("name", ""))
        parts = PurePosixPath(name).parts
        if not parts or any(p in ("..", "/", "") for p in parts) or name.startswith("/"):
            return  # names come from the container: never let one escape the directory
        path = self.artifact_dir.joinpath(*parts)
        first = _int(frame.header.get("offset"), 0) == 0

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb" if first else "ab") as handle:
                handle.write(frame.payload)

        await asyncio.to_thread(write)
        self.out.artifacts[name] = path


async def _next_frame(container: SandboxContainer, wait: float) -> Frame | None:
    """The next frame, or None after `wait` seconds without one."""
    frames = container.frames
    if not frames.empty():
        return frames.get_nowait()  # streaming output: no timer needed
    try:
        async with asyncio.timeout(max(wait, 0.0)):
            return await frames.get()
    except TimeoutError:
        return None


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
