"""The file tools and the code share one /workspace: a scripted agent run in the real Docker sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import load_settings
from engine.events import CodeExecStarted, ExecOutput, MessageDone, RunFinished, StepFinished
from engine.llm.scripted import ScriptedModel
from engine.paths import app_paths
from engine.service import Engine, SubmitOptions
from tests.conftest import require
from tests.fakes import docker_ready, python_block, tool_block

pytestmark = [pytest.mark.docker, pytest.mark.slow]

LEAK_CHECK = (
    "import linecache; print('tool names leaked:', any(n in globals() for n in ('REQUEST', '_main')),"
    " 'cells kept:',"
    " sum(v[2][:1] == ['# glassbox workspace file tool\\n'] for v in linecache.cache.values()))"
)


async def test_file_tools_and_code_see_the_same_workspace(gb_home: Path) -> None:
    settings = load_settings()
    require(docker_ready(settings.sandbox.image),
            f"Docker with the {settings.sandbox.image} image (run `glassbox sandbox build`)")
    replies = [
        tool_block('{"name": "write_file", "arguments": {"path": "notes/in.txt", "content": "41"}}'),
        python_block("print(int(open('/workspace/notes/in.txt').read()) + 1)"),
        python_block("open('made.txt', 'w').write('written by code')"),
        tool_block('{"name": "read_file", "arguments": {"path": "/workspace/made.txt"}}'),
        tool_block('{"name": "list_files", "arguments": {}}'),
        python_block(LEAK_CHECK),
        "Done.",
    ]
    engine = await Engine.open(settings, model=ScriptedModel(replies), memory=False)
    try:
        session = await engine.new_session()
        options = SubmitOptions(mode="agent", plan="never")
        events = await engine.submit(session.id, "use the files", options).wait()
        end = events[-1]
        # Every step's outcome in the message: a failure here is usually the sandbox, not the tools.
        steps = [(e.kind, e.status, e.output[:200]) for e in events if isinstance(e, StepFinished)]
        assert isinstance(end, RunFinished) and end.status == "completed", (end, steps)
        # "Done." does not quote what the last code printed, so the printed output is the answer.
        answer = next(e for e in events if isinstance(e, MessageDone)).text
        assert answer == "tool names leaked: False cells kept: 0"
        printed = "".join(e.text for e in events if isinstance(e, ExecOutput) and e.stream == "stdout")
        assert "42" in printed, steps  # the code read what write_file wrote
        # Only the model's code blocks are executions; the tools' snippets stay inside their steps.
        assert [e.code for e in events if isinstance(e, CodeExecStarted)] == [
            "print(int(open('/workspace/notes/in.txt').read()) + 1)",
            "open('made.txt', 'w').write('written by code')",
            LEAK_CHECK,
        ]
        # The snippets leave the session's namespace alone and drop their cells' cached source.
        assert "tool names leaked: False cells kept: 0" in printed
        tools = [e for e in events if isinstance(e, StepFinished) and e.kind == "tool"]
        assert [t.status for t in tools] == ["success"] * 3, steps
        assert tools[0].output == "Wrote 2 characters to /workspace/notes/in.txt."
        assert tools[1].output == "written by code"  # read_file saw what the code wrote
        assert "made.txt" in tools[2].output and "notes/" in tools[2].output
        # Nothing went to a host folder: the workspace lives in the container.
        assert not (app_paths().workspaces_dir / session.id / "notes").exists()
    finally:
        await engine.close()
