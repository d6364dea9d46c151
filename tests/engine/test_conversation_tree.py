"""The conversation tree on real SQLite: branch, edit, regenerate, siblings, the active path, export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.config import LLMSettings, load_settings
from engine.errors import GlassboxError
from engine.events import RunFinished, RunStarted
from engine.glance import read_glance
from engine.llm.llama_backend import LlamaChatModel
from engine.llm.scripted import ScriptedModel
from engine.service import SubmitOptions
from engine.store.export import session_markdown
from engine.store.repository import Store
from tests.fakes import Engines

CHAT = SubmitOptions(mode="chat")


async def test_store_lists_children_siblings_and_follows_the_active_leaf(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "g.db")
    session = await store.create_session()
    q = await store.add_message(session.id, "user", "question")
    a1 = await store.add_message(session.id, "assistant", "answer one", parent_id=q.id)
    a2 = await store.add_message(session.id, "assistant", "answer two", parent_id=q.id)
    assert [m.id for m in await store.children(q.id)] == [a1.id, a2.id]
    assert [m.id for m in await store.siblings(a1.id)] == [a1.id, a2.id]
    assert [m.id for m in await store.siblings(q.id)] == [q.id]
    # Each new message ends the shown path; moving to a sibling stores it.
    assert await store.active_leaf(session.id) == a2.id
    await store.set_active_leaf(session.id, a1.id)
    assert [m.id for m in await store.active_path(session.id)] == [q.id, a1.id]
    assert [m.id for m in await store.conversation(session.id)] == [q.id, a1.id]
    tree = await store.tree(session.id)
    assert tree.position(a1.id).label == "1/2" and tree.position(a2.id).label == "2/2"
    assert tree.position(q.id).label == "" and tree.branch_count() == 2
    assert tree.sibling_at(a1.id, -1) == a2 and tree.sibling_at(q.id, 1) is None
    follow = await store.add_message(session.id, "user", "more on one", parent_id=a1.id)
    assert tree.latest_leaf(q.id) == a2  # the old tree is a snapshot
    assert (await store.tree(session.id)).latest_leaf(q.id) == follow
    # A leaf that names no message of the session is ignored (the newest message is shown).
    await store.set_active_leaf(session.id, "not-a-message")
    assert await store.active_leaf(session.id) is None
    assert (await store.conversation(session.id))[-1].id == follow.id
    await store.close()


async def test_regenerate_adds_a_sibling_reply_and_switching_changes_the_history(
    gb_home: Path, tmp_path: Path, engines: Engines
) -> None:
    model = ScriptedModel(["first answer", "second answer", "follow-up answer"])
    engine = await engines.open(database=tmp_path / "g.db", model=model, memory=False)
    session = await engine.new_session()
    await engine.submit(session.id, "question", CHAT).wait()
    user = (await engine.history(session.id))[0]
    events = await engine.regenerate(session.id, user.id, CHAT).wait()
    started = events[0]
    assert isinstance(started, RunStarted) and isinstance(events[-1], RunFinished)
    assert started.user_message_id == user.id and started.reply_siblings == 2 and started.user_siblings == 1
    # The model saw the path up to the prompt, not the first answer.
    assert [m.content for m in model.prompts[-1] if m.role != "system"] == ["question"]
    tree = await engine.tree(session.id)
    replies = tree.children(user.id)
    assert [m.content for m in replies] == ["first answer", "second answer"]
    assert [m.content for m in tree.path()] == ["question", "second answer"]
    # Back to the first reply: the next prompt follows it, and the model sees it.
    switched = await engine.switch_sibling(session.id, replies[1].id, -1)
    assert switched is not None and [m.content for m in switched.path()] == ["question", "first answer"]
    await engine.submit(session.id, "and then?", CHAT).wait()
    assert [m.content for m in model.prompts[-1] if m.role != "system"] == [
        "question", "first answer", "and then?"]
    path = await engine.history(session.id)
    assert [m.content for m in path] == ["question", "first answer", "and then?", "follow-up answer"]
    assert len((await engine.tree(session.id)).messages) == 5  # nothing deleted
    assert await engine.switch_sibling(session.id, user.id, 1) is None  # no siblings


async def test_edit_prompt_branches_from_its_parent_and_keeps_the_old_one(
    gb_home: Path, tmp_path: Path, engines: Engines
) -> None:
    model = ScriptedModel(["a1", "a2", "a3", "a4"])
    engine = await engines.open(database=tmp_path / "g.db", model=model, memory=False)
    session = await engine.new_session()
    await engine.submit(session.id, "first", CHAT).wait()
    await engine.submit(session.id, "second", CHAT).wait()
    first, a1, second, _a2 = await engine.history(session.id)
    events = await engine.edit_prompt(session.id, second.id, "second, edited", CHAT).wait()
    started = events[0]
    assert isinstance(started, RunStarted) and started.user_siblings == 2
    assert [m.content for m in model.prompts[-1] if m.role != "system"] == ["first", "a1", "second, edited"]
    tree = await engine.tree(session.id)
    assert [m.content for m in tree.siblings(second.id)] == ["second", "second, edited"]
    assert [m.content for m in tree.path()] == ["first", "a1", "second, edited", "a3"]
    # Editing the very first prompt starts a new root: the model sees that prompt alone.
    await engine.edit_prompt(session.id, first.id, "first, edited", CHAT).wait()
    assert [m.content for m in model.prompts[-1] if m.role != "system"] == ["first, edited"]
    tree = await engine.tree(session.id)
    assert [m.content for m in tree.children(None)] == ["first", "first, edited"]
    assert len(tree.messages) == 8 and tree.branch_count() == 3
    # Opening a branch by a message in it shows its newest leaf.
    shown = await engine.show_branch(session.id, a1.id)
    assert [m.content for m in shown.path()] == ["first", "a1", "second, edited", "a3"]
    # Bad input: a reply is not a prompt to edit; an unknown id is named.
    failed = await engine.edit_prompt(session.id, a1.id, "x", CHAT).wait()
    assert "not a user prompt" in getattr(failed[-1], "error", "")
    failed = await engine.regenerate(session.id, "feedbeef", CHAT).wait()
    assert "No prompt to answer again feedbeef" in getattr(failed[-1], "error", "")
    assert len((await engine.tree(session.id)).messages) == 8


async def test_export_writes_every_message_of_every_branch(
    gb_home: Path, tmp_path: Path, engines: Engines
) -> None:
    model = ScriptedModel(["reply one", "reply two", "reply three"])
    engine = await engines.open(database=tmp_path / "g.db", model=model, memory=False)
    session = await engine.new_session()
    await engine.submit(session.id, "Tell me: a story", CHAT).wait()
    user = (await engine.history(session.id))[0]
    await engine.regenerate(session.id, user.id, CHAT).wait()
    await engine.edit_prompt(session.id, user.id, "Tell me a poem", CHAT).wait()
    markdown_path, json_path = await engine.export_session(session.id)
    assert markdown_path.parent == gb_home / "data" / "exports"
    assert markdown_path.name.startswith("tell-me-a-story-") and json_path.suffix == ".json"
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert len(data["messages"]) == 5 and data["branches"] == 3
    assert [m["role"] for m in data["messages"]].count("assistant") == 3
    by_id = {m["id"]: m for m in data["messages"]}
    assert [by_id[i]["content"] for i in data["active_path"]] == ["Tell me a poem", "reply three"]
    markdown = markdown_path.read_text(encoding="utf-8")
    for text in ("Tell me: a story", "Tell me a poem", "reply one", "reply two", "reply three"):
        assert markdown.count(f"\n\n{text}\n") == 1, text
    assert markdown.index("\nTell me a poem") < markdown.index("\nTell me: a story")  # shown branch first
    assert "## Branch 3: another reply to #1" in markdown and "### You (#4, 2/2 versions)" in markdown
    tree = await engine.tree(session.id)
    assert session_markdown(await engine.store.get_session(session.id), tree).count("### ") == 5  # type: ignore[arg-type]
    with pytest.raises(GlassboxError):
        await engine.export_session("nope")


@pytest.mark.slow
async def test_regenerate_with_the_real_model(
    gb_home: Path, tmp_path: Path, model_path: Path, engines: Engines
) -> None:
    settings = load_settings()
    settings = settings.model_copy(update={"llm": settings.llm.model_copy(
        update={"model": str(model_path), "temperature": 0.8, "max_tokens": 24, "seed": -1})})
    model = await LlamaChatModel.load(model_path, LLMSettings(max_tokens=24))
    engine = await engines.open(settings, database=tmp_path / "g.db", model=model, memory=False)
    session = await engine.new_session()
    first = await engine.submit(session.id, "Name a colour.", CHAT).wait()
    assert isinstance(first[-1], RunFinished), first[-1]
    user = (await engine.history(session.id))[0]
    again = await engine.regenerate(session.id, user.id, CHAT).wait()
    assert isinstance(again[-1], RunFinished) and again[-1].status == "completed", again[-1]
    tree = await engine.tree(session.id)
    replies = tree.children(user.id)
    assert len(replies) == 2 and all(r.content.strip() for r in replies)
    assert tree.path()[-1].id == replies[1].id


async def test_the_launch_glance_shows_the_branch_the_session_shows(gb_home: Path) -> None:
    store = await Store.open(gb_home / "data" / "glassbox.db")
    session = await store.create_session("branched")
    q = await store.add_message(session.id, "user", "question")
    first = await store.add_message(session.id, "assistant", "first answer", parent_id=q.id)
    await store.add_message(session.id, "assistant", "second answer", parent_id=q.id)
    await store.set_active_leaf(session.id, first.id)
    await store.close()
    assert [m.content for m in read_glance().messages] == ["question", "first answer"]


async def test_a_regenerated_reply_indexes_its_prompt_once(
    gb_home: Path, tmp_path: Path, engines: Engines
) -> None:
    model = ScriptedModel(["first answer", "second answer"])
    engine = await engines.open(database=tmp_path / "g.db", model=model)  # with the memory layer
    session = await engine.new_session()
    await engine.submit(session.id, "a question to index", CHAT).wait()
    user = (await engine.history(session.id))[0]
    await engine.regenerate(session.id, user.id, CHAT).wait()
    rows = await engine.store.fetchall(
        "SELECT text FROM memory_docs WHERE kind='message' ORDER BY id")
    assert [r[0] for r in rows] == ["a question to index", "first answer", "second answer"]
