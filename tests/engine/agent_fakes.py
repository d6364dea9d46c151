"""An in-memory CodeRunner for agent tests, and helpers to open an engine around it."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine.agent.workspace import file_op_code, file_op_request
from engine.errors import SandboxError
from engine.events import CodeExecStarted, ExecFinished, ExecOutput
from engine.llm.base import CancelToken, ChatMessage, GenItem, SamplingParams
from engine.llm.scripted import Reply, ScriptedModel
from engine.sandbox.base import ExecEvent, ExecLimits, Language
from engine.service import Engine
from engine.store.repository import new_id


@dataclass(frozen=True, slots=True)
class FakeResult:
    """What one fake execution prints and how it ends."""

    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0
    duration_s: float = 0.0
    """Seconds the execution takes (checked against cancel every 10 ms)."""
    timed_out: bool = False


Handler = Callable[[str], FakeResult]


@dataclass
class FakeSandbox:
    """Replies to each execution from a list (or a function of the code); records the code.

    The file tools' snippets really run (in a host Python, on `workspace`, a temporary folder
    unless given) and are recorded in `file_ops`, not `calls`.
    """

    results: list[FakeResult] = field(default_factory=list)
    handler: Handler | None = None
    unavailable: str | None = None
    calls: list[tuple[str, str]] = field(default_factory=list)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False
    workspace: Path | None = None
    file_ops: list[dict[str, object]] = field(default_factory=list)
    _own_workspace: bool = False

    async def _file_op(self, request: dict[str, object]) -> FakeResult:
        if self.workspace is None:
            self.workspace, self._own_workspace = Path(tempfile.mkdtemp(prefix="gb-fake-ws-")), True
        self.file_ops.append(request)
        # The same snippet the container runs, pointed at the fake workspace instead of /workspace.
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-I", "-", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        code = file_op_code({**request, "root": str(self.workspace)})
        out, err = await proc.communicate(code.encode("utf-8"))
        return FakeResult(stdout=out.decode(), stderr=err.decode(), exit_code=proc.returncode or 0)

    def _result(self, code: str) -> FakeResult:
        if self.handler is not None:
            return self.handler(code)
        if not self.results:
            raise AssertionError(f"FakeSandbox got an unexpected execution: {code!r}")
        return self.results.pop(0)

    async def execute(
        self, session_id: str, code: str, *, language: Language = "python", run_id: str,
        step_id: str | None = None, exec_id: str | None = None, limits: ExecLimits | None = None,
        cancel: CancelToken | None = None,
    ) -> AsyncIterator[ExecEvent]:
        if self.unavailable:
            raise SandboxError(self.unavailable)
        if (request := file_op_request(code)) is not None:
            result = await self._file_op(request)
        else:
            self.calls.append((language, code))
            result = self._result(code)
        exec_id = exec_id or new_id()
        began = time.monotonic()
        yield CodeExecStarted(run_id=run_id, step_id=step_id, exec_id=exec_id, language=language, code=code)
        self.started.set()
        if result.stdout:
            yield ExecOutput(run_id=run_id, step_id=step_id, exec_id=exec_id, stream="stdout",
                             text=result.stdout)
        cancelled = False
        deadline = began + result.duration_s
        while time.monotonic() < deadline:
            if cancel is not None and cancel.cancelled:
                cancelled = True
                break
            await asyncio.sleep(0.01)
        if result.stderr and not cancelled:
            yield ExecOutput(run_id=run_id, step_id=step_id, exec_id=exec_id, stream="stderr",
                             text=result.stderr)
        yield ExecFinished(
            run_id=run_id, step_id=step_id, exec_id=exec_id,
            exit_code=-9 if cancelled else result.exit_code, duration_s=time.monotonic() - began,
            timed_out=result.timed_out, cancelled=cancelled,
        )

    async def reset_session(self, session_id: str) -> None:
        return None

    async def close_session(self, session_id: str) -> None:
        return None

    async def close(self) -> None:
        self.closed = True
        if self._own_workspace and self.workspace is not None:
            shutil.rmtree(self.workspace, ignore_errors=True)


def docker_ready(image: str) -> bool:
    """True when the docker CLI answers and the sandbox image is present (for `require`)."""
    if shutil.which("docker") is None:
        return False
    try:
        probe = subprocess.run(["docker", "image", "inspect", image], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def python_block(code: str) -> str:
    """A reply that is one fenced python block."""
    return f"```python\n{code}\n```"


def tool_block(json_text: str) -> str:
    """A reply that is one fenced tool block."""
    return f"```tool\n{json_text}\n```"


async def open_engine(
    tmp_path: Path, replies: Sequence[Reply], sandbox: FakeSandbox | None = None, **model_kwargs: object
) -> tuple[Engine, RecordingModel, FakeSandbox]:
    """An engine on a scripted model and a fake sandbox, with its own database and no memory layer."""
    model = RecordingModel(replies, **model_kwargs)
    runner = sandbox or FakeSandbox()
    engine = await Engine.open(database=tmp_path / "x.db", model=model, sandbox=runner, memory=False)
    return engine, model, runner


class RecordingModel(ScriptedModel):
    """A ScriptedModel that also records the sampling parameters of every call."""

    def __init__(self, replies: Sequence[Reply], **kwargs: object) -> None:
        super().__init__(replies, **kwargs)  # type: ignore[arg-type]
        self.params: list[SamplingParams] = []

    def stream(
        self, messages: Sequence[ChatMessage], params: SamplingParams, cancel: CancelToken | None = None
    ) -> AsyncIterator[GenItem]:
        self.params.append(params)
        return super().stream(messages, params, cancel)
