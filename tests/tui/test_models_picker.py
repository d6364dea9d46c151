"""The model picker lists the models of [models.NAME] servers beside local GGUF files."""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import App
from textual.widgets import DataTable, Label

from tests.openai_stub_server import MODEL_ID, stub_server
from tui.screens.models import ModelsScreen


class _Host(App[str | None]):
    def __init__(self) -> None:
        super().__init__()
        self.picked: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(ModelsScreen("box"), self.picked.append)


async def test_picker_lists_server_models_and_picks_the_entry() -> None:
    config = Path(os.environ["GLASSBOX_HOME"]) / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    with stub_server() as root:
        config.write_text(f'[models.box]\nbase_url = "{root}/ok/v1"\n\n'
                          f'[models.gone]\nbase_url = "{root}/unauthorized/v1"\n')
        app = _Host()
        async with app.run_test() as pilot:
            screen = app.screen
            assert isinstance(screen, ModelsScreen)
            table = screen.query_one("#models-table", DataTable)
            for _ in range(200):
                if table.row_count >= 2:
                    break
                await pilot.pause(0.02)
            names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
            assert f"box: {MODEL_ID}" in names and "gone" in names
            assert "HTTP 401" in str(table.get_row_at(names.index("gone"))[-1])
            assert "Escape" in str(screen.query_one("#models-status", Label).render())
            table.move_cursor(row=names.index(f"box: {MODEL_ID}"))
            await pilot.press("enter")
            await pilot.pause()
    assert app.picked == ["box"]
