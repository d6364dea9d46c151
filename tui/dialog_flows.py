"""DialogFlows: the dashboard's actions that ask in a dialog and act on the answer (sessions, rename,
delete, search, model, settings, budget, theme, help)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TYPE_CHECKING

from textual.app import App
from textual.screen import Screen

from engine.errors import GlassboxError
from tui.keymap import WIDGET_KEYS, binding_rows
from tui.screens.dialogs import Confirm, TextPrompt

if TYPE_CHECKING:
    from engine.config import Settings
    from engine.service import Engine, RunHandle
    from tui.screens.dashboard import DashboardScreen

DARK, LIGHT = "textual-dark", "textual-light"


class DialogFlows(App[int]):
    """Base of GlassboxApp holding its dialog flows; each runs as a worker so the message loop
    stays free while a dialog waits for its answer."""

    if TYPE_CHECKING:  # supplied by GlassboxApp
        engine: Engine | None
        handle: RunHandle | None
        settings: Settings
        snapshot_mode: bool
        session_title: str

        @property
        def dashboard(self) -> DashboardScreen: ...

        async def open_session(self, session_id: str, at_message: str | None = None) -> None: ...

        def apply_ui_settings(self) -> None: ...

        async def _checkpoints(self, session_id: str) -> None: ...
        async def export_session(self, session_id: str) -> None: ...

    def _idle(self) -> bool:
        if self.handle is not None:
            self.notify("Wait for the run to finish or cancel it (Esc) first.", severity="warning")
            return False
        return self.engine is not None

    async def action_new_session(self) -> None:
        """Start an empty session."""
        if self._idle():
            assert self.engine is not None
            session = await self.engine.new_session()
            await self.open_session(session.id)
            self.dashboard.chat.focus_first()

    def action_sessions(self) -> None:
        """Open the sessions list."""
        if self._idle():
            self.run_action_task(self._sessions())

    def run_action_task(self, coro: Awaitable[None]) -> None:
        """Run a dialog flow as a worker (kept by the app, cancelled on exit; a newer flow replaces
        an older one), so the message loop stays free while the dialog waits for its answer."""
        self.run_worker(self._reporting(coro), group="dialog", exclusive=True, exit_on_error=False)

    async def _reporting(self, coro: Awaitable[None]) -> None:
        try:
            await coro
        except Exception as exc:  # one place reports a failed dialog flow, whatever failed
            self.notify(str(exc), severity="error")

    async def _ask(self, screen: Screen[object]) -> object:
        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self.push_screen(screen, lambda result: future.done() or future.set_result(result))
        return await future

    async def _sessions(self) -> None:
        from tui.screens.sessions import SessionChoice, SessionsScreen

        assert self.engine is not None
        sessions = await self.engine.sessions.recent()
        choice = await self._ask(SessionsScreen(sessions, self.dashboard.session_id,
                                                show_age=not self.snapshot_mode, load_tree=self.engine.tree))
        if not isinstance(choice, SessionChoice):
            return
        if choice.action == "new":
            await self.action_new_session()
        elif choice.action == "switch" and choice.session_id:
            await self.open_session(choice.session_id)
        elif choice.action == "rename" and choice.session_id:
            await self._rename(choice.session_id)
        elif choice.action == "delete" and choice.session_id:
            await self._delete(choice.session_id)
        elif choice.action == "checkpoints" and choice.session_id:
            await self._checkpoints(choice.session_id)
        elif choice.action == "branch" and choice.session_id:
            await self.open_session(choice.session_id, choice.message_id)
        elif choice.action == "export" and choice.session_id:
            await self.export_session(choice.session_id)

    def action_rename_session(self) -> None:
        """Rename the current session."""
        if self._idle() and self.dashboard.session_id:
            self.run_action_task(self._rename(self.dashboard.session_id))

    async def _rename(self, session_id: str) -> None:
        assert self.engine is not None
        record = await self.engine.sessions.get(session_id)
        title = await self._ask(TextPrompt("New title", record.title if record else ""))
        if isinstance(title, str) and title.strip():
            await self.engine.sessions.rename(session_id, title.strip())
            if session_id == self.dashboard.session_id:
                self.session_title = title.strip()
                self.dashboard.update_topbar()

    async def _delete(self, session_id: str) -> None:
        assert self.engine is not None
        record = await self.engine.sessions.get(session_id)
        title = (record.title if record else "") or "(untitled)"
        messages = await self.engine.sessions.message_count(session_id)
        question = f"Delete the session “{title}” and all its runs?"
        detail = f"{messages} message(s); this cannot be undone."
        if await self._ask(Confirm(question, detail)) is not True:
            return
        await self.engine.sessions.delete(session_id)
        if session_id == self.dashboard.session_id:
            latest = await self.engine.sessions.latest() or await self.engine.new_session()
            await self.open_session(latest.id)
        self.notify(f"Session “{title}” deleted.")

    def action_search(self) -> None:
        """Search every session; a hit opens its session at that message."""
        if self._idle():
            self.run_action_task(self._search())

    async def _search(self) -> None:
        from engine.service import SearchHit
        from tui.screens.search import SearchScreen

        assert self.engine is not None
        hit = await self._ask(SearchScreen(self.engine.search))
        if isinstance(hit, SearchHit):
            await self.open_session(hit.session_id, hit.message_id)

    def action_models(self) -> None:
        """Pick the chat model."""
        if self._idle():
            self.run_action_task(self._models())

    async def _models(self) -> None:
        from tui.screens.models import ModelsScreen

        assert self.engine is not None
        name = await self._ask(ModelsScreen(self.engine.settings.llm.model))
        if isinstance(name, str) and name != self.engine.settings.llm.model:
            await self._save({"llm.model": name})
            await self.engine.switch_model(name)
            self.dashboard.update_topbar()

    def action_settings(self) -> None:
        """Edit settings; saved values are written to the TOML file."""
        if self._idle():
            self.run_action_task(self._settings())

    async def _settings(self) -> None:
        from engine.config import config_file
        from tui.screens.settings import SettingsScreen

        changed = await self._ask(SettingsScreen(self.settings, config_file()))
        if isinstance(changed, dict) and changed:
            await self._save(changed)

    async def _save(self, values: dict[str, object]) -> bool:
        from engine.config import load_settings, write_settings

        try:
            path = write_settings(values)
            self.settings = load_settings()
        except GlassboxError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return False
        if self.engine is not None:
            self.engine.settings = self.settings
        self.apply_ui_settings()
        self.notify(f"Saved to {path}.")
        await self.dashboard.refresh_budget()
        return True

    def action_budget(self) -> None:
        """Set this session's token budget (0 clears it)."""
        if self._idle():
            self.run_action_task(self._budget())

    async def _budget(self) -> None:
        assert self.engine is not None and self.dashboard.session_id is not None
        record = await self.engine.sessions.get(self.dashboard.session_id)
        current = str(record.token_budget or 0) if record else "0"
        text = await self._ask(TextPrompt("Token budget for this session (0 = none)", current))
        if not isinstance(text, str):
            return
        try:
            budget = int(text.replace(",", "").replace("_", "").strip() or 0)
        except ValueError:
            self.notify(f"{text!r} is not a whole number of tokens.", severity="error")
            return
        await self.engine.sessions.set_budget(self.dashboard.session_id, budget if budget > 0 else None)
        await self.dashboard.refresh_budget()

    async def action_toggle_theme(self) -> None:
        """Switch dark/light and remember the choice."""
        self.theme = LIGHT if self.current_theme.dark else DARK
        if not self.snapshot_mode:
            await self._save({"ui.theme": self.theme})

    def action_help(self) -> None:
        """Show every binding."""
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            rows = binding_rows(self.settings.ui.keymap)
            self.push_screen(HelpScreen(rows, WIDGET_KEYS, self._tool_rows()))

    def _tool_rows(self) -> list[tuple[str, str]]:
        """The agent's tools: built-in ones, then each MCP server's (as far as it has started)."""
        from engine.agent.tools import default_tools
        from engine.mcp.prompt import argument_summary

        rows = [(tool.signature(), tool.description) for tool in default_tools().tools]
        mcp = self.engine.mcp if self.engine is not None else None
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

