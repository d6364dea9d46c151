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


async def test_picker_pulls_a_model_with_a_progress_bar(gb_home: Path, tmp_path: Path) -> None:
    import threading
    from http.server import ThreadingHTTPServer

    from textual.widgets import Input, ProgressBar

    from engine.llm.registry import models_dir
    from tests.engine.test_model_download import FileServer, _handler, tiny_gguf

    state = FileServer(tiny_gguf(tmp_path / "source.gguf"))  # the first request drops halfway
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        app = _Host()
        async with app.run_test() as pilot:
            screen = app.screen
            assert isinstance(screen, ModelsScreen)
            await pilot.pause(0.2)
            await pilot.press("p")
            pull = screen.query_one("#models-pull", Input)
            assert pull.has_focus
            pull.value = state.url()
            await pilot.press("enter")
            target = models_dir() / "tiny.gguf"
            table = screen.query_one("#models-table", DataTable)
            for _ in range(500):
                if target.exists() and any(str(table.get_row_at(i)[0]) == "tiny.gguf"
                                           for i in range(table.row_count)):
                    break
                await pilot.pause(0.02)
            bar = screen.query_one("#models-progress", ProgressBar)
            assert target.read_bytes() == state.body
            assert bar.display and bar.total == len(state.body) and bar.progress == len(state.body)
            assert state.ranges[0] is None and state.ranges[1] == f"bytes={len(state.body) // 2}-"
            assert "Pulled tiny.gguf" in str(screen.query_one("#models-status", Label).render())
    finally:
        server.shutdown()
        server.server_close()
