"""Undo and redo of turns (the session's current leaf) and checkpoints of /workspace after each turn."""

from __future__ import annotations

import io
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from engine.errors import GlassboxError
from engine.events import Event, MessageDone, RunFinished
from engine.llm.scripted import ScriptedModel
from engine.run import RunContext
from engine.service import Engine, SubmitOptions
from engine.store.turns import checkpoints
from tests.fakes import Engines

CHAT = SubmitOptions(mode="chat")


class MemoryWorkspaces:
    """Unit-logic stand-in for the Docker sandbox's checkpoint calls: each session's /workspace
    is a dict of file name to text (tests/sandbox/test_checkpoints.py uses real Docker)."""

    def __init__(self) -> None:
        self.files: dict[str, dict[str, str]] = {}

    async def execute(self, *args: object, **kwargs: object) -> AsyncIterator[Event]:
        raise AssertionError("not used")
        yield  # pragma: no cover

    async def save_checkpoint(self, session_id: str, target: Path) -> tuple[int, int] | None:
        files = self.files.get(session_id)
        if files is None:
            return None
        with tarfile.open(target, "w") as tar:
            for name, text in sorted(files.items()):
                data = text.encode()
                info = tarfile.TarInfo(f"./{name}")
                info.size, info.mtime = len(data), 0
                tar.addfile(info, io.BytesIO(data))
        return len(files), sum(len(t) for t in files.values())

    async def restore_checkpoint(self, session_id: str, archive: Path) -> bool:
        with tarfile.open(archive) as tar:
            self.files[session_id] = {
                m.name.removeprefix("./"): tar.extractfile(m).read().decode()  # type: ignore[union-attr]
                for m in tar if m.isfile()}
        return True

    async def reset_session(self, session_id: str) -> None: ...
    async def close_session(self, session_id: str) -> None: ...
    async def close(self) -> None: ...


def writes_files(workspaces: MemoryWorkspaces):  # type: ignore[no-untyped-def]
    """An answer stage that 'runs code' writing a file named after the prompt, then replies."""

    async def answer(context: RunContext) -> AsyncIterator[Event]:
        await context.sandbox()
        workspaces.files.setdefault(context.session_id, {})[f"{context.text}.txt"] = context.text
        yield MessageDone(run_id=context.run_id, message_id=context.assistant_message_id,
                          text=f"wrote {context.text}.txt")
        yield RunFinished(run_id=context.run_id)

    return answer


async def _contents(engine: Engine, session_id: str) -> list[str]:
    return [m.content for m in await engine.history(session_id)]


async def test_undo_moves_the_turn_aside_and_redo_brings_it_back(
    gb_home: Path, tmp_path: Path, engines: Engines
) -> None:
    engine = await engines.open(database=tmp_path / "g.db", model=ScriptedModel(["one", "two", "three"]),
                               memory=False)
    session = await engine.new_session()
    for prompt in ("first", "second"):
        await engine.submit(session.id, prompt, CHAT).wait()
    assert await _contents(engine, session.id) == ["first", "one", "second", "two"]

    change = await engine.turns.undo(session.id)
    assert change.changed and "turn 2" in change.message and "second" in change.message
    assert await _contents(engine, session.id) == ["first", "one"]
    assert len(await engine.store.messages(session.id)) == 4, "nothing is deleted"
    # The model is asked with the undone turn left out.
    await engine.turns.redo(session.id)
    assert await _contents(engine, session.id) == ["first", "one", "second", "two"]
    assert not (await engine.turns.redo(session.id)).changed

    # Undo twice, redo once: the first turn comes back, the second stays aside.
    await engine.turns.undo(session.id)
    await engine.turns.undo(session.id)
    assert await _contents(engine, session.id) == []
    assert not (await engine.turns.undo(session.id)).changed
    await engine.turns.redo(session.id)
    assert await _contents(engine, session.id) == ["first", "one"]

    # A new prompt after an undo branches from there; the undone turn stays in the store.
    events = await engine.submit(session.id, "third", CHAT).wait()
    assert isinstance(events[-1], RunFinished)
    assert await _contents(engine, session.id) == ["first", "one", "third", "three"]
    third = (await engine.history(session.id))[2]
    assert third.parent_id == (await engine.history(session.id))[1].id
    assert len(await engine.store.messages(session.id)) == 6
    assert "moved on" in (await engine.turns.redo(session.id)).message


async def test_checkpoints_follow_turns_and_undo_puts_files_back(
    gb_home: Path, tmp_path: Path, engines: Engines
) -> None:
    workspaces = MemoryWorkspaces()
    engine = await engines.open(database=tmp_path / "g.db", model=ScriptedModel(["x"]), memory=False,
                               sandbox=workspaces, answer=writes_files(workspaces))  # type: ignore[arg-type]
    session = await engine.new_session()
    for prompt in ("a", "b", "c"):
        await engine.submit(session.id, prompt, CHAT).wait()
    saved = await checkpoints(engine.store, session.id)
    assert [(c.turn, c.files) for c in saved] == [(3, 3), (2, 2), (1, 1)]
    assert all(Path(c.archive).is_file() for c in saved)  # noqa: ASYNC240

    change = await engine.turns.undo(session.id)
    assert change.files == "restored" and "turn 2" in change.message
    assert sorted(workspaces.files[session.id]) == ["a.txt", "b.txt"]
    await engine.turns.undo(session.id)
    await engine.turns.undo(session.id)
    assert workspaces.files[session.id] == {}, "before the first turn the workspace was empty"
    await engine.turns.redo(session.id)
    await engine.turns.redo(session.id)
    assert sorted(workspaces.files[session.id]) == ["a.txt", "b.txt"]

    # Any checkpoint can be put back; the conversation stays where it is.
    oldest = saved[-1]
    restored = await engine.turns.restore(oldest.id)
    assert restored.changed and "turn 1" in restored.message
    assert sorted(workspaces.files[session.id]) == ["a.txt"]
    assert len(await engine.history(session.id)) == 4


async def test_checkpoints_are_capped_and_identical_ones_share_a_file(
    gb_home: Path, tmp_path: Path, engines: Engines
) -> None:
    workspaces = MemoryWorkspaces()
    engine = await engines.open(database=tmp_path / "g.db", model=ScriptedModel(["x"]), memory=False,
                               sandbox=workspaces, answer=writes_files(workspaces))  # type: ignore[arg-type]
    engine.settings.sandbox.checkpoints = 2
    session = await engine.new_session()
    for prompt in ("a", "b", "c", "c"):  # the last turn leaves the files as they were
        await engine.submit(session.id, prompt, CHAT).wait()
    saved = await checkpoints(engine.store, session.id)
    assert [c.turn for c in saved] == [4, 3]
    assert saved[0].archive == saved[1].archive
    folder = Path(saved[0].archive).parent
    assert sorted(p.name for p in folder.iterdir()) == [Path(saved[0].archive).name]


async def test_undo_is_refused_while_a_run_is_going(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    model = ScriptedModel(["slow " * 50], token_delay_s=0.02)
    engine = await engines.open(database=tmp_path / "g.db", model=model, memory=False)
    session = await engine.new_session()
    handle = engine.submit(session.id, "go", CHAT)
    async for event in handle:
        if isinstance(event, MessageDone) or event.type == "token":
            with pytest.raises(GlassboxError, match="run is going"):
                await engine.turns.undo(session.id)
            handle.cancel()
            break
    await handle.wait()


async def test_start_up_glance_shows_the_conversation_as_undo_left_it(
    gb_home: Path, engines: Engines
) -> None:
    from engine.glance import read_glance

    engine = await engines.open(model=ScriptedModel(["one", "two"]), memory=False)
    session = await engine.new_session()
    for prompt in ("first", "second"):
        await engine.submit(session.id, prompt, CHAT).wait()
    await engine.turns.undo(session.id)
    assert [m.content for m in read_glance().messages] == ["first", "one"]
    await engine.turns.undo(session.id)
    assert read_glance().messages == ()


async def test_a_deleted_session_loses_its_checkpoint_files(
    gb_home: Path, tmp_path: Path, engines: Engines
) -> None:
    workspaces = MemoryWorkspaces()
    engine = await engines.open(database=tmp_path / "g.db", model=ScriptedModel(["x"]), memory=False,
                               sandbox=workspaces, answer=writes_files(workspaces))  # type: ignore[arg-type]
    gone, kept = await engine.new_session(), await engine.new_session()
    await engine.submit(gone.id, "a", CHAT).wait()
    folder = Path((await checkpoints(engine.store, gone.id))[0].archive).parent
    await engine.store.delete_session(gone.id)
    assert await checkpoints(engine.store, gone.id) == []
    await engine.submit(kept.id, "b", CHAT).wait()
    assert not folder.exists()
    assert len(await checkpoints(engine.store, kept.id)) == 1


async def test_checkpoints_migration_keeps_the_tree_migrations_leaf_column(tmp_path: Path) -> None:
    from engine.store.db import connect_sync
    from engine.store.repository import Store

    path = tmp_path / "g.db"
    await (await Store.open(path)).close()
    # Back to version 6: the conversation tree's migration has added active_leaf_id already.
    conn = connect_sync(path)
    conn.executescript("DROP TABLE execution_output_chunks; DROP TABLE checkpoints;"
                       " DROP INDEX executions_started; ALTER TABLE sessions DROP COLUMN undone_leaf_id;"
                       " PRAGMA user_version=6;")
    conn.close()
    store = await Store.open(path)
    columns = {row[1] for row in await store.fetchall("PRAGMA table_info(sessions)")}
    assert {"active_leaf_id", "undone_leaf_id"} <= columns
    assert await store.fetchall("SELECT * FROM checkpoints") == []
    await store.close()
