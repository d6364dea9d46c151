"""The launch glance: theme and the last session read raw, before settings and the engine load."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.glance import NEWEST_MESSAGES, Glance, read_glance
from engine.store.repository import Store


async def _session_with_a_branch(database: Path) -> list[str]:
    """A session whose newest message is on a second branch; returns that branch's texts."""
    store = await Store.open(database)
    try:
        older = await store.create_session("older")
        await store.add_message(older.id, "user", "not this session")
        session = await store.create_session("the one")
        q = await store.add_message(session.id, "user", "first question")
        await store.add_message(session.id, "assistant", "first answer", parent_id=q.id)
        retry = await store.add_message(session.id, "assistant", "answer, tried again", parent_id=q.id)
        await store.add_message(session.id, "user", "and then?", parent_id=retry.id)
        await store.touch_session(session.id)
        return [m.content for m in await store.conversation(session.id)]
    finally:
        await store.close()


async def test_the_glance_reads_the_last_session_as_the_engine_would(gb_home: Path) -> None:
    expected = await _session_with_a_branch(gb_home / "data" / "glassbox.db")
    glance = read_glance()
    assert glance.session_title == "the one"
    assert [m.content for m in glance.messages] == expected
    assert expected == ["first question", "answer, tried again", "and then?"]
    assert glance.theme is None


async def test_a_long_session_gives_only_its_newest_messages(gb_home: Path) -> None:
    # The first frame shows a screenful; reading a 2,000-message session whole took 25 ms of launch.
    store = await Store.open(gb_home / "data" / "glassbox.db")
    try:
        session = await store.create_session("long")
        parent = None
        for i in range(NEWEST_MESSAGES * 2):
            parent = (await store.add_message(session.id, "user" if i % 2 == 0 else "assistant", f"m{i}",
                                              parent_id=parent)).id
        expected = [m.content for m in await store.conversation(session.id)]
    finally:
        await store.close()
    assert [m.content for m in read_glance().messages] == expected[-NEWEST_MESSAGES:]


async def test_theme_and_file_come_from_the_config_file_and_the_environment(
    gb_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere.db"
    await _session_with_a_branch(elsewhere)
    (gb_home / "config").mkdir(parents=True)
    (gb_home / "config" / "config.toml").write_text(
        f'[ui]\ntheme = "textual-light"\n\n[store]\npath = "{elsewhere}"\n', encoding="utf-8")
    glance = read_glance()
    assert (glance.theme, glance.database, glance.session_title) == ("textual-light", elsewhere, "the one")
    monkeypatch.setenv("GLASSBOX_UI__THEME", "nord")
    monkeypatch.setenv("GLASSBOX_STORE__PATH", str(tmp_path / "absent.db"))
    assert read_glance() == Glance("nord", tmp_path / "absent.db")


def test_no_file_gives_an_empty_glance_and_creates_nothing(gb_home: Path) -> None:
    glance = read_glance()
    assert glance == Glance(None, gb_home / "data" / "glassbox.db")
    assert not gb_home.exists()


def test_a_damaged_file_or_config_gives_an_empty_glance(gb_home: Path) -> None:
    (gb_home / "data").mkdir(parents=True)
    (gb_home / "data" / "glassbox.db").write_bytes(b"not a database" * 100)
    (gb_home / "config").mkdir(parents=True)
    (gb_home / "config" / "config.toml").write_text("[ui\ntheme = ", encoding="utf-8")
    assert read_glance() == Glance(None, gb_home / "data" / "glassbox.db")
