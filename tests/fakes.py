"""The one set of test doubles (sandbox, models) and the engine opener behind the `engines` fixture."""

from __future__ import annotations

import asyncio
import math
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.agent.workspace import file_op_code, file_op_request
from engine.config import Settings, load_settings
from engine.errors import SandboxError
from engine.events import Artifact, CodeExecStarted, ExecFinished, ExecOutput
from engine.llm.base import CancelToken, ChatMessage, GenDone, GenItem, SamplingParams
from engine.llm.scripted import Reply, ScriptedModel
from engine.sandbox.base import ExecEvent, ExecLimits, Language
from engine.service import Engine
from engine.store.repository import new_id

PNG_BYTES = bytes.fromhex("89504e470d0a1a0a")
DEMO_OUTPUT: tuple[tuple[str, str], ...] = (
    ("stdout", "0 1\n"), ("stdout", "1 1\n"), ("stderr", "warning: demo stderr line\n"), ("stdout", "2 2\n"))
"""What the demo execution prints (the factorial table of the dashboard tests)."""
DEMO_TRACEBACK = "Traceback (most recent call last):\nZeroDivisionError: division by zero\n"


@dataclass(frozen=True, slots=True)
class FakeResult:
    """What one fake execution prints and how it ends."""

    stdout: str = ""
    """Printed at once, as one chunk."""
    stderr: str = ""
    """Printed at the end, unless the execution was cancelled."""
    exit_code: int = 0
    duration_s: float = 0.0
    """Seconds the execution takes (checked against cancel every 10 ms; math.inf: until cancelled)."""
    timed_out: bool = False
    output: tuple[tuple[str, str], ...] = ()
    """(stream, text) chunks printed after `stdout`, `chunk_delay_s` apart."""
    chunk_delay_s: float = 0.0
    reported_duration_s: float | None = None
    """The duration ExecFinished reports (None: the measured one)."""
    peak_memory_bytes: int | None = None
    files: tuple[tuple[str, bytes], ...] = ()
    """Files the execution writes into the workspace, reported as artifacts unless cancelled."""
    cancelled_exit_code: int = -9


Handler = Callable[[str], FakeResult]


class FakeSandbox:
    """A CodeRunner that answers executions without Docker and records them in `calls`.

    Each execution's result comes from `results` (in order; an execution beyond them fails the
    test), else from `handler(code)`, else it is the demo run: the factorial table, a stderr line,
    a plot (and a traceback when `exit_code` is set; `hang` runs until cancelled). The file tools'
    snippets really run (in a host Python, on `workspace`, a temporary folder unless given) and are
    recorded in `file_ops`, not `calls`. `error` (or `unavailable`, a SandboxError's text) is
    raised by every execution and copy."""

    def __init__(
        self, workspace: Path | None = None, *, results: Iterable[FakeResult] | None = None,
        handler: Handler | None = None, error: Exception | None = None, unavailable: str | None = None,
        exit_code: int = 0, hang: bool = False, chunk_delay_s: float = 0.0, plot_bytes: bytes = PNG_BYTES,
    ) -> None:
        self.workspace = workspace
        self.results = list(results) if results is not None else []
        self.handler = handler
        self._demo = results is None and handler is None
        self.error = error or (SandboxError(unavailable) if unavailable else None)
        self.exit_code = exit_code
        self.hang = hang
        self.chunk_delay_s = chunk_delay_s
        self.plot_bytes = plot_bytes
        self.calls: list[tuple[str, str]] = []
        """(language, code) of every execution, in order."""
        self.file_ops: list[dict[str, object]] = []
        self.files: dict[str, bytes] = {}
        """What put_file copied in, by name in /workspace."""
        self.started = asyncio.Event()
        """Set once an execution has started."""
        self.closed = False
        self._own_workspace = False

    def _folder(self) -> Path:
        if self.workspace is None:
            self.workspace, self._own_workspace = Path(tempfile.mkdtemp(prefix="gb-fake-ws-")), True
        return self.workspace

    async def _file_op(self, request: dict[str, object]) -> FakeResult:
        root = self._folder()
        self.file_ops.append(request)
        # The same snippet the container runs, pointed at the fake workspace instead of /workspace.
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-I", "-", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        code = file_op_code({**request, "root": str(root)})
        out, err = await proc.communicate(code.encode("utf-8"))
        return FakeResult(stdout=out.decode(), stderr=err.decode(), exit_code=proc.returncode or 0)

    def demo_result(self) -> FakeResult:
        """The demo run, as `exit_code`, `hang`, `chunk_delay_s` and `plot_bytes` say now."""
        output = DEMO_OUTPUT + ((("stderr", DEMO_TRACEBACK),) if self.exit_code else ())
        return FakeResult(
            output=output, exit_code=self.exit_code, duration_s=math.inf if self.hang else 0.0,
            chunk_delay_s=self.chunk_delay_s, reported_duration_s=0.42, peak_memory_bytes=12 * 1024 * 1024,
            files=(("plot.png", self.plot_bytes),), cancelled_exit_code=137,
        )

    def _result(self, code: str) -> FakeResult:
        if self.handler is not None:
            return self.handler(code)
        if self._demo:
            return self.demo_result()
        if not self.results:
            raise AssertionError(f"FakeSandbox got an unexpected execution: {code!r}")
        return self.results.pop(0)

    async def execute(
        self, session_id: str, code: str, *, language: Language = "python", run_id: str,
        step_id: str | None = None, exec_id: str | None = None, limits: ExecLimits | None = None,
        cancel: CancelToken | None = None,
    ) -> AsyncIterator[ExecEvent]:
        if self.error is not None:
            raise self.error
        if (request := file_op_request(code)) is not None:
            result = await self._file_op(request)
        else:
            self.calls.append((language, code))
            result = self._result(code)
        exec_id = exec_id or new_id()
        began = time.monotonic()
        yield CodeExecStarted(run_id=run_id, step_id=step_id, exec_id=exec_id, language=language, code=code)
        self.started.set()
        chunks = ((("stdout", result.stdout),) if result.stdout else ()) + result.output
        for stream, text in chunks:
            if result.chunk_delay_s:
                await asyncio.sleep(result.chunk_delay_s)
            yield ExecOutput(run_id=run_id, step_id=step_id, exec_id=exec_id, stream=stream,  # type: ignore[arg-type]
                             text=text)
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
        artifacts = self._write(result.files)
        measured = time.monotonic() - began
        yield ExecFinished(
            run_id=run_id, step_id=step_id, exec_id=exec_id,
            exit_code=result.cancelled_exit_code if cancelled else result.exit_code,
            duration_s=measured if result.reported_duration_s is None else result.reported_duration_s,
            peak_memory_bytes=result.peak_memory_bytes, timed_out=result.timed_out, cancelled=cancelled,
            artifacts=() if cancelled else artifacts,
        )

    def _write(self, files: tuple[tuple[str, bytes], ...]) -> tuple[Artifact, ...]:
        artifacts = []
        for name, data in files:
            path = self._folder() / name
            path.write_bytes(data)
            artifacts.append(Artifact(name=name, path=str(path), size=len(data), mime="image/png"
                                      if name.endswith(".png") else "application/octet-stream"))
        return tuple(artifacts)

    async def put_file(self, session_id: str, source: Path, name: str) -> str:
        if self.error is not None:
            raise self.error
        self.files[name] = await asyncio.to_thread(source.read_bytes)
        return f"/workspace/{name}"

    async def reset_session(self, session_id: str) -> None:
        return None

    async def close_session(self, session_id: str) -> None:
        return None

    async def close(self) -> None:
        self.closed = True
        if self._own_workspace and self.workspace is not None:
            shutil.rmtree(self.workspace, ignore_errors=True)


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


class FixedTimingModel(ScriptedModel):
    """A ScriptedModel whose reported timings are fixed, so snapshots never show a clock."""

    def __init__(self, replies: Sequence[Reply], *, fixed: bool = True, **kwargs: object) -> None:
        super().__init__(replies, **kwargs)  # type: ignore[arg-type]
        self.fixed = fixed
        self.seen: list[list[ChatMessage]] = []
        """The messages of each call, as the model got them."""

    async def stream(  # type: ignore[override]
        self, messages: Sequence[ChatMessage], params: SamplingParams, cancel: CancelToken | None = None
    ) -> AsyncIterator[GenItem]:
        self.seen.append(list(messages))
        async for item in super().stream(messages, params, cancel):
            if isinstance(item, GenDone) and self.fixed:
                item = GenDone(
                    text=item.text, finish_reason=item.finish_reason, prompt_tokens=item.prompt_tokens,
                    completion_tokens=item.completion_tokens, ttft_s=0.25, tokens_per_s=20.0,
                    duration_s=0.25 + item.completion_tokens / 20.0, context_used=item.context_used,
                    context_max=item.context_max,
                )
            yield item


class Engines:
    """Opens engines for one test and closes every one at its end, failed or not: the `engines`
    fixture of tests/conftest.py, or `async with Engines(folder)` where no fixture reaches (code
    run by `asyncio.run` in a sync test). Its scripted engines keep their database in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.opened: list[Engine] = []

    async def open(self, settings: Settings | None = None, **kwargs: Any) -> Engine:
        """`Engine.open(settings, **kwargs)`, closed with the others."""
        return self.keep(await Engine.open(settings, **kwargs))

    def keep(self, engine: Engine) -> Engine:
        """Close `engine` (opened some other way, e.g. an Engine subclass) with the others."""
        self.opened.append(engine)
        return engine

    async def agent(
        self, replies: Sequence[Reply], sandbox: FakeSandbox | None = None, *,
        settings: Settings | None = None, **model_kwargs: object,
    ) -> tuple[Engine, RecordingModel, FakeSandbox]:
        """An engine on a recording scripted model and a fake sandbox (by default one that expects
        no execution), without the memory layer."""
        model = RecordingModel(replies, **model_kwargs)
        runner = sandbox or FakeSandbox(results=[])
        engine = await self.open(settings, database=self.folder / "x.db", model=model, sandbox=runner,
                                 memory=False)
        return engine, model, runner

    async def chat(
        self, folder: Path | None = None, replies: list[str] | None = None, **kwargs: Any
    ) -> Engine:
        """An engine on `folder`/glassbox.db with a scripted chat model (repeating its last reply)
        and, unless `memory=False`, the real memory layer (the bundled embedding model). Its
        scripted replies are answers in words, so agent.code_first is off unless `settings` say."""
        model = kwargs.pop("model", None) or ScriptedModel(replies or ["42."], repeat_last=True)
        settings = kwargs.pop("settings", None)
        if settings is None:
            settings = load_settings()
            settings.agent.code_first = False
        return await self.open(settings, database=(folder or self.folder) / "glassbox.db", model=model,
                               **kwargs)

    async def close(self) -> None:
        """Close every engine opened here (closing twice is harmless)."""
        while self.opened:
            await self.opened.pop().close()

    async def __aenter__(self) -> Engines:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


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
