"""DialogFlows: the dashboard's actions that ask in a dialog and act on the answer (sessions, rename,
delete, search, model, settings, budget, theme, help)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from engine.errors import GlassboxError
from tui.flow_host import ask, idle, run_flow
from tui.keymap import WIDGET_KEYS, binding_rows
from tui.screens.dialogs import Confirm, TextPrompt

if TYPE_CHECKING:
    from tui.flow_host import FlowHost

DARK, LIGHT = "textual-dark", "textual-light"

SessionAction = Callable[[str], Awaitable[None]]


class DialogFlows:
    """The app's dialog flows; each runs as a worker so the message loop stays free while a dialog
    waits for its answer. `checkpoints` and `export` are the sessions list's actions that other
    flows carry out."""

    def __init__(self, host: FlowHost, *, checkpoints: SessionAction, export: SessionAction) -> None:
        self.host = host
        self._checkpoints = checkpoints
        self.export_session = export

    async def action_new_session(self) -> None:
        """Start an empty session (a run going in the one on screen goes on in the background)."""
        if self.host.engine is not None:
            session = await self.host.engine.new_session()
            await self.host.open_session(session.id)
            self.host.dashboard.chat.focus_first()

    def action_sessions(self) -> None:
        """Open the sessions list (switching leaves a run going on in the background)."""
        if self.host.engine is not None:
            run_flow(self.host, self._sessions())

    async def _sessions(self) -> None:
        from tui.screens.sessions import SessionChoice, SessionsScreen

        assert self.host.engine is not None
        sessions = await self.host.engine.sessions.recent()
        screen = SessionsScreen(sessions, self.host.dashboard.session_id,
                                show_age=not self.host.snapshot_mode, load_tree=self.host.engine.tree,
                                running=[s.id for s in sessions if self.host.runs.running_in(s.id)])
        choice = await ask(self.host, screen)
        if not isinstance(choice, SessionChoice):
            return
        if choice.action == "new":
            await self.action_new_session()
        elif choice.action == "switch" and choice.session_id:
            await self.host.open_session(choice.session_id)
        elif choice.action == "rename" and choice.session_id:
            await self._rename(choice.session_id)
        elif choice.action == "delete" and choice.session_id:
            await self._delete(choice.session_id)
        elif choice.action == "checkpoints" and choice.session_id:
            await self._checkpoints(choice.session_id)
        elif choice.action == "branch" and choice.session_id:
            await self.host.open_session(choice.session_id, choice.message_id)
        elif choice.action == "export" and choice.session_id:
            await self.export_session(choice.session_id)

    def action_rename_session(self) -> None:
        """Rename the current session."""
        if idle(self.host) and self.host.dashboard.session_id:
            run_flow(self.host, self._rename(self.host.dashboard.session_id))

    async def _rename(self, session_id: str) -> None:
        assert self.host.engine is not None
        record = await self.host.engine.sessions.get(session_id)
        title = await ask(self.host, TextPrompt("New title", record.title if record else ""))
        if isinstance(title, str) and title.strip():
            await self.host.engine.sessions.rename(session_id, title.strip())
            if session_id == self.host.dashboard.session_id:
                self.host.session_title = title.strip()
                self.host.dashboard.update_topbar()

    async def _delete(self, session_id: str) -> None:
        assert self.host.engine is not None
        record = await self.host.engine.sessions.get(session_id)
        title = (record.title if record else "") or "(untitled)"
        if self.host.runs.running_in(session_id):
            self.host.notify(f"A run is going in “{title}”: open the session and cancel it (Esc), or let it "
                             "finish, before deleting it.", severity="warning", timeout=8)
            return
        messages = await self.host.engine.sessions.message_count(session_id)
        question = f"Delete the session “{title}” and all its runs?"
        detail = f"{messages} message(s); this cannot be undone."
        if await ask(self.host, Confirm(question, detail)) is not True:
            return
        await self.host.engine.sessions.delete(session_id)
        if session_id == self.host.dashboard.session_id:
            latest = await self.host.engine.sessions.latest() or await self.host.engine.new_session()
            await self.host.open_session(latest.id)
        self.host.notify(f"Session “{title}” deleted.")

    def action_search(self) -> None:
        """Search every session; a hit opens its session at that message."""
        if idle(self.host):
            run_flow(self.host, self._search())

    async def _search(self) -> None:
        from engine.service import SearchHit
        from tui.screens.search import SearchScreen

        assert self.host.engine is not None
        hit = await ask(self.host, SearchScreen(self.host.engine.search))
        if isinstance(hit, SearchHit):
            await self.host.open_session(hit.session_id, hit.message_id)

    def action_models(self) -> None:
        """Pick the chat model (not while any session's run uses the one loaded)."""
        elsewhere = self.host.runs.running_elsewhere(self.host.dashboard.session_id)
        if elsewhere:
            self.host.notify(f"{elsewhere} run(s) going in other sessions use the loaded model: wait for "
                             "them or cancel them before picking another.", severity="warning", timeout=8)
        elif idle(self.host):
            run_flow(self.host, self._models())

    async def _models(self) -> None:
        from tui.screens.models import ModelsScreen

        assert self.host.engine is not None
        name = await ask(self.host, ModelsScreen(self.host.engine.settings.llm.model))
        session_id = self.host.dashboard.session_id
        if self.host.runs.running_in(session_id) or self.host.runs.running_elsewhere(session_id):
            self.host.notify("A run started meanwhile: the model stays as it was.", severity="warning")
            return
        if isinstance(name, str) and name != self.host.engine.settings.llm.model:
            await self._save({"llm.model": name})
            await self.host.engine.switch_model(name)
            self.host.dashboard.update_topbar()

    def action_settings(self) -> None:
        """Edit settings; saved values are written to the TOML file."""
        if idle(self.host):
            run_flow(self.host, self._settings())

    async def _settings(self) -> None:
        from engine.config import config_file
        from tui.screens.settings import SettingsScreen

        changed = await ask(self.host, SettingsScreen(self.host.settings, config_file()))
        if isinstance(changed, dict) and changed:
            await self._save(changed)

    async def _save(self, values: dict[str, object]) -> bool:
        from engine.config import load_settings
        from engine.settings_file import write_settings

        try:
            path = write_settings(values)
            self.host.settings = load_settings()
        except GlassboxError as exc:
            self.host.notify(str(exc), severity="error", timeout=10)
            return False
        if self.host.engine is not None:
            self.host.engine.settings = self.host.settings
        self.host.apply_ui_settings()
        self.host.notify(f"Saved to {path}.")
        await self.host.dashboard.refresh_budget()
        return True

    def action_budget(self) -> None:
        """Set this session's token budget (0 clears it)."""
        if idle(self.host):
            run_flow(self.host, self._budget())

    async def _budget(self) -> None:
        assert self.host.engine is not None and self.host.dashboard.session_id is not None
        record = await self.host.engine.sessions.get(self.host.dashboard.session_id)
        current = str(record.token_budget or 0) if record else "0"
        text = await ask(self.host, TextPrompt("Token budget for this session (0 = none)", current))
        if not isinstance(text, str):
            return
        try:
            budget = int(text.replace(",", "").replace("_", "").strip() or 0)
        except ValueError:
            self.host.notify(f"{text!r} is not a whole number of tokens.", severity="error")
            return
        session_id = self.host.dashboard.session_id
        await self.host.engine.sessions.set_budget(session_id, budget if budget > 0 else None)
        await self.host.dashboard.refresh_budget()

    async def action_toggle_theme(self) -> None:
        """Switch dark/light and remember the choice."""
        self.host.theme = LIGHT if self.host.current_theme.dark else DARK
        if not self.host.snapshot_mode:
            await self._save({"ui.theme": self.host.theme})

    def action_help(self) -> None:
        """Show every binding."""
        from tui.screens.help import HelpScreen

        if not isinstance(self.host.screen, HelpScreen):
            rows = binding_rows(self.host.settings.ui.keymap)
            self.host.push_screen(HelpScreen(rows, WIDGET_KEYS, self._tool_rows()))

    def _tool_rows(self) -> list[tuple[str, str]]:
        """The agent's tools: built-in ones, then each MCP server's (as far as it has started)."""
        from engine.agent.tools import default_tools
        from engine.mcp.prompt import argument_summary

        rows = [(tool.signature(), tool.description) for tool in default_tools().tools]
        mcp = self.host.engine.mcp if self.host.engine is not None else None
        if mcp is None:
            return rows
        for name in mcp.server_names:
            status = mcp.status(name)
            if status.state == "ready":
                rows += [(f"{t.qualified_name}({argument_summary(t.input_schema)})", t.description)
                         for t in status.tools]
            elif status.state == "failed":
                rows.append((f"{name}.*", f"MCP server not available: {status.error}"))
            else:
                rows.append((f"{name}.*", f"MCP server ({status.transport}); its tools are listed once "
                             "an agent run has started it"))
        return rows

