"""The one app factory for TUI tests, snapshots, the bench and manual runs: scripted model + fake sandbox."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

from engine.chat import ChatTurn
from engine.config import Settings, load_settings
from engine.errors import ModelError
from engine.events import (
    ApprovalRequested,
    Event,
    ExecFinished,
    ExecOutput,
    PlanCreated,
    PlanStep,
    RunFinished,
    StepFinished,
    StepStarted,
)
from engine.glance import Glance
from engine.llm.scripted import Reply
from engine.run import RunContext, SubmitOptions
from engine.service import Engine
from engine.store.repository import new_id
from tests.fakes import FakeSandbox, FixedTimingModel
from tui.app import GlassboxApp

__all__ = ["FakeSandbox", "FixedTimingModel", "make_app", "test_settings"]

CODE = "import math\nfor n in range(3):\n    print(n, math.factorial(n))\n"


class ScriptedAgentEngine(Engine):
    """An Engine whose 'agent' is a fixed script: prompts starting with 'run' plan, run code, answer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answer = self.scripted_answer

    async def scripted_answer(self, context: RunContext) -> AsyncIterator[Event]:
        if not context.text.lower().startswith("run"):
            async for event in self._chat(context):
                yield event
            return
        run_id = context.run_id
        code_id, answer_id = new_id(), new_id()
        yield PlanCreated(run_id=run_id, steps=(
            PlanStep(id=code_id, title="Compute factorials", role="code"),
            PlanStep(id=answer_id, title="Report the result", role="answer"),
        ))
        think_id = new_id()
        yield StepStarted(run_id=run_id, step_id=think_id, kind="think", title="Decide what to run",
                          input=context.text)
        yield StepFinished(run_id=run_id, step_id=think_id, kind="think", status="success", duration_s=0.3,
                           tokens=42, output="\n".join(f"thought line {i}" for i in range(1, 8)))
        yield StepStarted(run_id=run_id, step_id=code_id, kind="code", title="Compute factorials", input=CODE)
        approval = context.options.approval or self.settings.agent.approval
        if approval == "ask":
            request = ApprovalRequested(run_id=run_id, step_id=code_id, language="python", code=CODE)
            yield request
            approver = context.options.approver
            if approver is None or not await approver(request):
                yield StepFinished(run_id=run_id, step_id=code_id, kind="code", status="skipped",
                                   reason="declined by the user")
                async for event in self._chat(context):
                    yield event
                return
        sandbox = await self.sandbox()
        stdout: list[str] = []
        finished: ExecFinished | None = None
        async for event in sandbox.execute(context.session_id, CODE, run_id=run_id, step_id=code_id,
                                           cancel=context.cancel):
            if isinstance(event, ExecOutput) and event.stream == "stdout":
                stdout.append(event.text)
            if isinstance(event, ExecFinished):
                finished = event
            yield event
        ok = finished is not None and finished.exit_code == 0 and not finished.cancelled
        yield StepFinished(
            run_id=run_id, step_id=code_id, kind="code", status="success" if ok else "failure",
            duration_s=0.42, output="".join(stdout) if ok else "Traceback (most recent call last):\n"
            "ZeroDivisionError: division by zero", reason=None if ok else "exit code 1",
        )
        if finished is not None and finished.cancelled:
            yield RunFinished(run_id=run_id, status="cancelled", reason="cancelled by the user")
            return
        yield StepStarted(run_id=run_id, step_id=answer_id, kind="answer", title="Report the result")
        async for event in self._chat(context):
            if isinstance(event, RunFinished):
                yield StepFinished(run_id=run_id, step_id=answer_id, kind="answer", status="success",
                                   duration_s=0.5, tokens=12)
            yield event

    async def _chat(self, context: RunContext) -> AsyncIterator[Event]:
        turn = ChatTurn(
            model=context.model, params=self.sampling(), system_prompt=self.settings.llm.system_prompt,
            run_id=context.run_id, message_id=context.assistant_message_id, cancel=context.cancel,
        )
        async for event in turn.run(context.history):
            yield event


def test_settings(home: Path) -> Settings:
    """Settings for a test home (GLASSBOX_HOME must already point at it)."""
    os.environ["GLASSBOX_HOME"] = str(home)
    settings = load_settings()
    # The scripted agent takes no worked examples; choosing them would put a measured duration
    # (and the library's contents) into every snapshot. tests/engine covers them.
    return settings.model_copy(update={"agent": settings.agent.model_copy(update={"examples": 0})})


def make_app(
    tmp_path: Path,
    replies: Sequence[Reply] = ("Hello! I am **Glassbox**.",),
    *,
    snapshot: bool = True,
    token_delay_s: float = 0.0,
    sandbox: FakeSandbox | None = None,
    approval: str | None = None,
    fixed_timing: bool = True,
    repeat_last: bool = False,
    model_error: str | None = None,
    context_size: int = 4096,
    load_settings: Callable[[], Settings] | None = None,
    glance: Glance | None = None,
) -> GlassboxApp:
    """A GlassboxApp over a scripted model and a fake sandbox, storing into tmp_path. With
    `load_settings`, the app starts as `glassbox` does: `glance` first, settings in a thread."""
    home = tmp_path / "home"
    settings = test_settings(home)
    model = FixedTimingModel(replies, fixed=fixed_timing, token_delay_s=token_delay_s,
                             repeat_last=repeat_last,
                             context_size=context_size)
    runner = sandbox or FakeSandbox(tmp_path)

    async def missing_model(_settings: Settings) -> FixedTimingModel:
        raise ModelError(model_error or "")

    async def open_engine(_settings: Settings) -> Engine:
        if model_error:
            return await ScriptedAgentEngine.open(settings, database=home / "glassbox.db",
                                                  model_factory=missing_model, sandbox=runner,
                                                  memory=False)
        # As the app's own factory: memory opens in GlassboxApp.startup, after the first frame.
        return await ScriptedAgentEngine.open(settings, database=home / "glassbox.db", model=model,
                                              sandbox=runner, memory=False)

    options = SubmitOptions(approval=approval) if approval else None  # type: ignore[arg-type]
    app = GlassboxApp(None if load_settings else settings, open_engine, load_settings=load_settings,
                      glance=glance, snapshot_mode=snapshot, submit_options=options)
    app.scripted_model = model  # type: ignore[attr-defined]
    app.fake_sandbox = runner  # type: ignore[attr-defined]
    return app


if __name__ == "__main__":
    # Manual look at the app with scripted replies: python tests/tui/glassbox_factory.py /tmp/somewhere
    import sys
    import tempfile

    base = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    reply = ("Here is a factorial table:\n\n```python\nimport math\nprint(math.factorial(5))\n```\n\n"
             "| n | n! |\n|---|---|\n| 3 | 6 |\n| 5 | 120 |\n\nDone. " + "More words. " * 40)
    app = make_app(base, [reply], snapshot=False,
                   token_delay_s=0.02, repeat_last=True, fixed_timing=False)
    app.run()
