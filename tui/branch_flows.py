"""BranchFlows: the dashboard's conversation-tree actions: select a message, edit a prompt as a new
branch, regenerate a reply, move between siblings, export the session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from engine.errors import GlassboxError
from tui.flow_host import idle

if TYPE_CHECKING:
    from engine.service import Engine, RunHandle, SubmitOptions
    from engine.store.tree import ConversationTree
    from tui.flow_host import FlowHost
    from widgets.message import ChatItem

EDIT_TITLE = "Edit: Enter sends a new branch · Esc stops editing"

TREE_ACTIONS = {"select_message", "switch_sibling", "edit_prompt", "regenerate", "export_session"}
"""Dashboard actions of these flows (refused while a dialog is open)."""


class BranchFlows:
    """The app's conversation-tree actions; nothing is ever deleted by them."""

    def __init__(self, host: FlowHost) -> None:
        self.host = host
        self.branch_edit: str | None = None
        """The earlier prompt the text in the input replaces when sent (None: a plain prompt)."""

    def _session(self) -> tuple[Engine, str] | None:
        if not idle(self.host) or self.host.engine is None or self.host.dashboard.session_id is None:
            return None
        return self.host.engine, self.host.dashboard.session_id

    def _options(self) -> SubmitOptions:
        from engine.service import SubmitOptions

        return replace(self.host.submit_options or SubmitOptions(), approver=self.host.approve)

    async def _show_path(
        self, tree: ConversationTree, leaf_id: str | None = None, select: str | None = None
    ) -> None:
        """Show the path to `leaf_id` (default: the active one) in the Chat pane."""
        from tui.screens.session_tree import path_items

        chat = self.host.dashboard.chat
        self.host.dashboard.show_pane("chat", focus=False)
        items = path_items(tree, leaf_id)
        chat.select_message(None)
        if not await chat.replace_tail(items):
            await chat.show_history(items)
            await chat.show_older()
        if select is not None:
            self.host.call_after_refresh(chat.select_message, select)

    async def _target_prompt(self, missing: str) -> tuple[Engine, str, ConversationTree, ChatItem] | None:
        """The session, its tree and the selected (or last) prompt on the shown path; None (and
        `missing` as a warning) when there is no prompt yet."""
        current = self._session()
        if current is None:
            return None
        engine, session_id = current
        tree = await engine.tree(session_id)
        item = self._prompt_target({m.id for m in tree.path()}, tree)
        if item is None:
            self.host.notify(missing, severity="warning")
            return None
        return engine, session_id, tree, item

    def _prompt_target(self, path_ids: set[str], tree: ConversationTree) -> ChatItem | None:
        """The selected message's prompt (a reply's own prompt), else the last prompt shown."""
        chat = self.host.dashboard.chat
        item = chat.selected_item()
        if item is not None and item.role == "assistant":
            message = tree.get(item.message_id)
            parent = tree.get(message.parent_id) if message and message.parent_id else None
            item = next((i for i in chat.shown_items() if parent and i.message_id == parent.id), None)
        if item is None:
            item = next((i for i in reversed(chat.shown_items()) if i.role == "user"), None)
        return item if item is not None and item.message_id in path_ids else None

    # -- actions ------------------------------------------------------------------------------

    def action_select_message(self, step: int) -> None:
        """Select the previous (-1) or next (+1) message in the Chat pane."""
        self.host.dashboard.show_pane("chat", focus=False)
        self.host.dashboard.chat.move_selection(step)

    async def action_switch_sibling(self, step: int) -> None:
        """Show the previous (-1) or next (+1) sibling of the selected message (else of the newest
        message that has siblings), with the newest conversation below it."""
        current = self._session()
        if current is None:
            return
        engine, session_id = current
        tree = await engine.tree(session_id)
        selected = self.host.dashboard.chat.selected_item()
        if selected is not None and tree.position(selected.message_id).count > 1:
            target = selected.message_id
        else:
            target = next((m.id for m in reversed(tree.path()) if tree.position(m.id).count > 1), None)
        if target is None:
            self.host.notify("No message here has another version. Alt+E edits a prompt as a new branch; "
                        "Alt+R answers the last prompt again.")
            return
        switched = await engine.switch_sibling(session_id, target, step)
        sibling = switched.sibling_at(target, step) if switched is not None else None
        if switched is not None and sibling is not None:
            await self._show_path(switched, select=sibling.id)

    async def action_edit_prompt(self) -> None:
        """Put the selected prompt (or the last one) into the input; Enter sends it as a new branch
        from the same point, and the original stays as its sibling."""
        target = await self._target_prompt("No prompt to edit yet.")
        if target is None:
            return
        item = target[3]
        self.branch_edit = item.message_id
        chat = self.host.dashboard.chat
        self.host.dashboard.show_pane("chat", focus=False)
        chat.select_message(item.message_id)
        prompt = chat.prompt
        prompt.load_text(item.text)
        prompt.move_cursor(prompt.document.end)
        prompt.border_title = EDIT_TITLE
        prompt.add_class("-editing")
        prompt.focus()

    def action_cancel_edit(self) -> None:
        """Stop editing an earlier prompt (the input keeps its text, sent as a plain prompt)."""
        if self.branch_edit is not None:
            self._end_edit()
            self.host.notify("Not editing: Enter sends the text as a new prompt.")

    def stop_editing(self) -> None:
        """Forget the prompt being edited (if any): the input sends plain prompts again."""
        if self.branch_edit is not None:
            self._end_edit()

    def _end_edit(self) -> None:
        self.branch_edit = None
        prompt = self.host.dashboard.chat.prompt
        prompt.border_title = None
        prompt.remove_class("-editing")

    async def send_edit(self, text: str) -> RunHandle | None:
        """Send `text` in place of the prompt being edited: the chat shows the conversation up to
        where it branches, then the new prompt and its reply."""
        edited = self.branch_edit
        current = self._session()
        if current is None or edited is None:
            return None
        engine, session_id = current
        tree = await engine.tree(session_id)
        message = tree.get(edited)
        if message is None:
            self._end_edit()
            self.host.notify("The prompt being edited is gone; the text is still in the input.",
                             severity="error")
            return None
        self._end_edit()
        if message.parent_id:
            await self._show_path(tree, message.parent_id)
        else:
            await self.host.dashboard.chat.show_history([])  # a new first prompt: nothing before it
        return self.host.follow(engine.edit_prompt(session_id, edited, text, self._options()))

    async def action_regenerate(self) -> None:
        """Answer the selected prompt (or the last one) again: a new reply beside the earlier ones."""
        target = await self._target_prompt("No prompt to answer again yet.")
        if target is None:
            return
        engine, session_id, tree, item = target
        await self._show_path(tree, item.message_id)
        self.host.follow(engine.regenerate(session_id, item.message_id, self._options()))

    async def action_export_session(self) -> None:
        """Write this session's whole tree as Markdown and JSON."""
        if self.host.engine is not None and self.host.dashboard.session_id is not None:
            await self.export_session(self.host.dashboard.session_id)

    async def export_session(self, session_id: str) -> None:
        """Export a session's whole tree and say where the files are."""
        if self.host.engine is None:
            return
        try:
            markdown, data = await self.host.engine.export_session(session_id)
        except (GlassboxError, OSError) as exc:
            self.host.notify(f"Export failed: {exc}", severity="error", timeout=10)
            return
        self.host.notify(f"Exported the whole conversation tree to {markdown} and {data.name}.", timeout=10)

    def system_commands(self) -> Iterator[SystemCommand]:
        """The palette's commands of these flows."""
        commands = (
            ("Edit prompt as a new branch", "Put the selected (or last) prompt in the input; Enter "
             "sends it as a branch", self.action_edit_prompt),
            ("Regenerate reply", "Answer the selected (or last) prompt again, as a sibling reply",
             self.action_regenerate),
            ("Previous sibling", "Show the previous version of the selected message",
             lambda: self.action_switch_sibling(-1)),
            ("Next sibling", "Show the next version of the selected message",
             lambda: self.action_switch_sibling(1)),
            ("Select previous message", "Move the chat selection up", lambda: self.action_select_message(-1)),
            ("Select next message", "Move the chat selection down", lambda: self.action_select_message(1)),
            ("Export session", "Write the whole conversation tree as Markdown and JSON",
             self.action_export_session),
        )
        for title, help_text, callback in commands:
            yield SystemCommand(title, help_text, callback)
