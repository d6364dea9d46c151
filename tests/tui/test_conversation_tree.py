"""Pilot tests of the conversation tree: edit a prompt as a branch, regenerate, siblings "2/3", the
sessions screen's tree view and export, all keyboard-first through the one app factory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from glassbox_factory import make_app
from helpers import send, started, wait_for
from textual.pilot import Pilot

from tui.app import GlassboxApp
from tui.screens.help import HelpScreen
from tui.screens.session_tree import SessionTreeView
from tui.screens.sessions import SessionsScreen
from widgets.chat import MessageView


def _shown(app: GlassboxApp) -> list[tuple[str, str, str]]:
    """(role, text, sibling label) of each message widget in the Chat pane."""
    return [(v.item.role, v.text, v.item.branch) for v in app.dashboard.chat.log_view.query(MessageView)]


def _header(app: GlassboxApp, index: int) -> str:
    view = list(app.dashboard.chat.log_view.query(MessageView))[index]
    return str(view.query_one(".message-header").render())


async def _finish(pilot: Pilot[int], app: GlassboxApp) -> None:
    await wait_for(pilot, lambda: app.handle is None)
    await pilot.pause(0.05)


async def test_regenerate_adds_a_sibling_and_alt_arrows_move_between_them(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["first answer", "second answer", "third answer"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "question")
        await pilot.press("alt+r")
        await wait_for(pilot, lambda: app.handle is not None or len(_shown(app)) == 2)
        await _finish(pilot, app)
        assert _shown(app) == [("user", "question", ""), ("assistant", "second answer", "2/2")]
        assert "‹ 2/2 ›" in _header(app, 1)
        prompt_view = app.dashboard.chat.log_view.query(MessageView).first()
        await pilot.press("alt+left")
        await wait_for(pilot, lambda: _shown(app)[-1][1] == "first answer")
        # Only the messages below the switch are replaced: the prompt above keeps its widget.
        assert app.dashboard.chat.log_view.query(MessageView).first() is prompt_view
        assert _shown(app)[-1] == ("assistant", "first answer", "1/2")
        assert "‹ 1/2 ›" in _header(app, 1)
        # The selection stays on the switched message, so the keys keep cycling; it wraps.
        await pilot.press("alt+left")
        await wait_for(pilot, lambda: _shown(app)[-1][1] == "second answer")
        # A third reply: "3/3", and the next prompt follows the reply shown.
        await pilot.press("alt+r")
        await _finish(pilot, app)
        assert _shown(app)[-1] == ("assistant", "third answer", "3/3")
        assert app.engine is not None and app.dashboard.session_id is not None
        tree = await app.engine.tree(app.dashboard.session_id)
        assert len(tree.messages) == 4 and tree.branch_count() == 3  # nothing deleted


async def test_edit_an_earlier_prompt_sends_it_as_a_branch(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["a1", "a2", "a3"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "first")
        await send(pilot, "second")
        # Select the prompt "second" (the newest message, then one up) and edit it.
        await pilot.press("alt+up", "alt+up")
        assert app.dashboard.chat.selected_item() is not None
        assert app.dashboard.chat.selected_item().text == "second"  # type: ignore[union-attr]
        await pilot.press("alt+e")
        await pilot.pause()
        prompt = app.dashboard.chat.prompt
        assert prompt.text == "second" and prompt.has_focus and "new branch" in str(prompt.border_title)
        # Esc stops editing; the selection stays, so Alt+E edits the same prompt again.
        await pilot.press("escape")
        assert app.branches.branch_edit is None and prompt.border_title is None
        await pilot.press("alt+e")
        prompt.load_text("second, edited")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.handle is not None or app.bridge is not None)
        await _finish(pilot, app)
        assert _shown(app) == [("user", "first", ""), ("assistant", "a1", ""),
                               ("user", "second, edited", "2/2"), ("assistant", "a3", "")]
        assert app.branches.branch_edit is None and prompt.border_title is None
        # Switching session stops an edit.
        await pilot.press("alt+e")
        assert app.branches.branch_edit is not None
        await pilot.press("ctrl+n")
        branches = app.branches
        await wait_for(pilot, lambda: branches.branch_edit is None and not app.dashboard.chat.shown_items())
        assert prompt.border_title is None
        assert app.engine is not None
        previous = (await app.engine.store.list_sessions())[1]
        await app.open_session(previous.id)
        # The original prompt is a sibling: Alt+Left on it shows it with its own reply.
        await pilot.press("alt+up", "alt+up", "alt+left")
        await wait_for(pilot, lambda: _shown(app)[2][1] == "second")
        assert _shown(app)[2:] == [("user", "second", "1/2"), ("assistant", "a2", "")]
        # The model was asked with the path to the branch point only.
        model = app.scripted_model  # type: ignore[attr-defined]
        sent = [m.content for m in model.prompts[-1] if m.role != "system"]
        assert sent == ["first", "a1", "second, edited"]


async def test_sessions_screen_shows_the_tree_and_opens_a_branch(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["first answer", "second answer"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "question")
        await pilot.press("alt+r")
        await _finish(pilot, app)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen))
        tree = app.screen.query_one(SessionTreeView)
        await wait_for(pilot, lambda: tree.root.children and tree.root.children[0].data is not None)
        question = tree.root.children[0]
        labels = [str(node.label) for node in question.children]
        assert str(question.label).startswith("● You") and len(labels) == 2
        assert "1/2" in labels[0] and "first answer" in labels[0] and not labels[0].startswith("●")
        assert labels[1].startswith("● Assistant 2/2")
        # Tab to the tree, pick the first answer, Enter: the session opens on that branch.
        tree.focus()
        await pilot.pause()
        tree.move_cursor(question.children[0])
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, SessionsScreen))
        await wait_for(pilot, lambda: _shown(app)[-1][1] == "first answer")
        assert _shown(app)[-1] == ("assistant", "first answer", "1/2")


async def test_export_from_the_app_writes_markdown_and_json(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["first answer", "second answer"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "question")
        await pilot.press("alt+r")
        await _finish(pilot, app)
        await pilot.press("alt+x")
        exports = tmp_path / "home" / "data" / "exports"
        await wait_for(pilot, lambda: exports.is_dir() and len(list(exports.iterdir())) == 2)
        markdown = next(exports.glob("*.md")).read_text(encoding="utf-8")
        assert "first answer" in markdown and "second answer" in markdown and "## Branch 2" in markdown
        data = json.loads(next(exports.glob("*.json")).read_text(encoding="utf-8"))
        assert [m["content"] for m in data["messages"]] == ["question", "first answer", "second answer"]
        notices = [n.message for n in app._notifications]
        assert any(str(exports) in n and "Markdown" not in n for n in notices), notices
        # The same from the sessions screen, for the selected session (same names: overwritten).
        for path in exports.iterdir():
            path.unlink()
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen))
        await pilot.press("alt+x")
        await wait_for(pilot, lambda: len(list(exports.iterdir())) == 2)
        assert not isinstance(app.screen, SessionsScreen)


async def test_tree_actions_are_in_the_palette_and_the_help(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("Edit prompt as a new branch", "Regenerate reply", "Previous sibling", "Next sibling",
                      "Export session"):
            assert title in titles
        # Nothing to act on yet: a clear word, no error.
        await pilot.press("alt+left")
        assert any("another version" in n.message for n in app._notifications)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        ids = [row[0] for row in app.screen._rows]  # type: ignore[attr-defined]
        for binding_id in ("edit_prompt", "regenerate", "prev_sibling", "next_sibling", "export_session",
                           "select_prev_message"):
            assert binding_id in ids


def test_sessions_tree_view_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        app = await started(pilot)
        await send(pilot, "Name a colour")
        await pilot.press("alt+r")
        await _finish(pilot, app)
        await send(pilot, "And another one?")
        await pilot.press("alt+up", "alt+up", "alt+e")
        app.dashboard.chat.prompt.load_text("And a fruit?")
        await pilot.press("enter")
        await _finish(pilot, app)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen))
        tree = app.screen.query_one(SessionTreeView)
        await wait_for(pilot, lambda: bool(tree.root.children) and tree.root.children[0].data is not None)
        await pilot.pause(0.2)

    app = make_app(tmp_path, ["Blue.", "Green, like grass.", "Red.", "A pear."])
    assert snap_compare(app, terminal_size=(160, 48), run_before=run_before)


async def test_siblings_of_an_old_message_drawn_as_lines(tmp_path: Path) -> None:
    """In a long session the older messages are lines, not widgets: they show "1/2" too, and the
    selection reaches them."""
    from engine.store.repository import Store

    async def seed() -> None:
        store = await Store.open(tmp_path / "home" / "glassbox.db")
        session = await store.create_session("long")
        q = await store.add_message(session.id, "user", "question 0")
        await store.add_message(session.id, "assistant", "old reply", parent_id=q.id)
        parent = (await store.add_message(session.id, "assistant", "answer 0", parent_id=q.id)).id
        for index in range(1, 20):
            user = await store.add_message(session.id, "user", f"question {index}", parent_id=parent)
            reply = await store.add_message(session.id, "assistant", f"answer {index}", parent_id=user.id)
            parent = reply.id
        await store.close()

    (tmp_path / "home").mkdir(parents=True, exist_ok=True)
    await seed()
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        chat = app.dashboard.chat
        await wait_for(pilot, lambda: chat.history is not None)
        assert chat.history is not None
        assert ("answer 0", "2/2") in [(i.text, i.branch) for i in chat.history.items]
        await pilot.press(*["alt+up"] * 39)  # the first selects the newest
        selected = chat.selected_item()
        assert selected is not None and selected.text == "answer 0"
        assert chat.history.highlighted == selected.message_id
        await pilot.press("alt+left")
        await wait_for(pilot, lambda: [i.text for i in chat.shown_items()] == ["question 0", "old reply"])
        assert chat.shown_items()[-1].branch == "1/2"


def test_chat_siblings_and_edit_small_terminal_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        app = await started(pilot)
        await send(pilot, "Name a colour")
        await pilot.press("alt+r")
        await _finish(pilot, app)
        await pilot.press("alt+r")
        await _finish(pilot, app)
        await pilot.press("alt+left", "alt+up", "alt+e")
        await pilot.pause(0.2)

    app = make_app(tmp_path, ["Blue.", "Green, like grass.", "Red."])
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


async def test_alt_keys_as_a_terminal_sends_them_act_in_the_chat_input(tmp_path: Path) -> None:
    """A terminal sends Alt+R as Esc + r, which arrives as key alt+r with the character "r": the chat
    input must not type it."""
    from textual import events

    app = make_app(tmp_path, ["first answer", "second answer"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "question")
        prompt = app.dashboard.chat.prompt
        assert prompt.has_focus
        app.post_message(events.Key("alt+r", "r"))
        await wait_for(pilot, lambda: _shown(app)[-1][1] == "second answer")
        await _finish(pilot, app)
        assert prompt.text == ""
