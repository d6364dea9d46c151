"""The help screen lists the agent's tools, MCP servers' tools included."""

from __future__ import annotations

import sys
from pathlib import Path

from glassbox_factory import make_app
from helpers import started
from textual.widgets import Static

from engine.config import McpServerSettings, McpSettings
from engine.mcp import McpManager
from tui.screens.help import HelpScreen

SERVER = Path(__file__).resolve().parents[1] / "mcp_server.py"


async def test_help_lists_builtin_and_mcp_tools(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        assert app.engine is not None
        calc = McpServerSettings(command=sys.executable, args=[str(SERVER)])
        app.engine.mcp = McpManager(McpSettings(servers={"calc": calc, "gone": McpServerSettings(
            command="/nonexistent/mcp")}, startup_timeout_s=60), log_dir=tmp_path / "logs")
        await app.engine.mcp.tools()  # as the first agent run would
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.query_one("#help-tools", Static).display
        text = "\n".join(f"{name} {what}" for name, what in app.screen.tool_rows)
        assert "calc(expression)" in text and "read_file(path)" in text
        assert "calc.add(a: integer, b: integer)" in text and "calc.reverse(" in text
        assert "gone.*" in text and "not available" in text


def test_help_names_keys_as_a_user_types_them() -> None:
    from tui.screens.help import display_keys

    assert display_keys("left_square_bracket") == "["
    assert display_keys("escape,ctrl+right_square_bracket") == "esc, ctrl+]"
    assert display_keys("alt+up") in ("alt+up", "alt+↑")  # Textual draws arrows on some terminals
