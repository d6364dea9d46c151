"""Real Docker: after each turn /workspace is saved; undo, redo and restore put the files back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from engine.events import Event, ExecOutput, MessageDone, RunFinished
from engine.llm.scripted import ScriptedModel
from engine.run import RunContext
from engine.service import Engine, SubmitOptions
from engine.store.turns import checkpoints
from tests.fakes import Engines

pytestmark = pytest.mark.docker


async def runs_code(context: RunContext) -> AsyncIterator[Event]:
    """An answer stage that runs the prompt as Python in the session's container."""
    sandbox = await context.sandbox()
    printed: list[str] = []
    async for event in sandbox.execute(context.session_id, context.text, run_id=context.run_id):
        if isinstance(event, ExecOutput) and event.stream == "stdout":
            printed.append(event.text)
        yield event
    yield MessageDone(run_id=context.run_id, message_id=context.assistant_message_id,
                      text="".join(printed) or "done")
    yield RunFinished(run_id=context.run_id)


LIST = "import os; print(sorted((n, open(n).read()) for n in os.listdir('.') if os.path.isfile(n)))"


async def _listing(engine: Engine, session_id: str, sandbox: Any) -> str:
    """What the session's /workspace holds, read by running code in it (not a turn)."""
    out: list[str] = []
    async for event in sandbox.execute(session_id, LIST, run_id="check"):
        if isinstance(event, ExecOutput) and event.stream == "stdout":
            out.append(event.text)
    return "".join(out).strip()


async def test_undo_restores_workspace_files_and_redo_brings_them_back(
        sandbox: Any, gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    engine = await engines.open(database=tmp_path / "g.db", sandbox=sandbox, answer=runs_code,
                                model=ScriptedModel(["unused"]), memory=False)
    session = await engine.new_session()
    turns = ("open('a.txt', 'w').write('one')",
             "open('a.txt', 'w').write('two'); open('b.txt', 'w').write('new')")
    for code in turns:
        events = await engine.submit(session.id, code, SubmitOptions(mode="chat")).wait()
        assert isinstance(events[-1], RunFinished), events[-1]
    saved = await checkpoints(engine.store, session.id)
    assert [(c.turn, c.files) for c in saved] == [(2, 2), (1, 1)]
    assert await _listing(engine, session.id, sandbox) == "[('a.txt', 'two'), ('b.txt', 'new')]"

    change = await engine.turns.undo(session.id)
    assert change.files == "restored", change.message
    assert await _listing(engine, session.id, sandbox) == "[('a.txt', 'one')]"
    assert [m.content for m in await engine.history(session.id)][:1] == [turns[0]]

    change = await engine.turns.redo(session.id)
    assert change.files == "restored", change.message
    assert await _listing(engine, session.id, sandbox) == "[('a.txt', 'two'), ('b.txt', 'new')]"


async def test_a_checkpoint_restored_without_a_container_comes_back_at_the_next_run(
        sandbox: Any, gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    engine = await engines.open(database=tmp_path / "g.db", sandbox=sandbox, answer=runs_code,
                                model=ScriptedModel(["unused"]), memory=False)
    session = await engine.new_session()
    await engine.submit(session.id, "open('keep.txt', 'w').write('kept')",
                        SubmitOptions(mode="chat")).wait()
    first = (await checkpoints(engine.store, session.id))[0]
    await sandbox.close_session(session.id)  # as after a restart: the container and files are gone
    change = await engine.turns.restore(first.id)
    assert change.files == "next run", change.message
    listing = await _listing(engine, session.id, sandbox)
    assert listing == "[('keep.txt', 'kept')]"
