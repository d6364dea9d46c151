"""Start-up as `glassbox` does it: the last session on screen first, settings and engine after."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from glassbox_factory import make_app
from glassbox_factory import test_settings as settings_for_home
from helpers import send, started, wait_for
from textual.widgets import Label

from engine.config import Settings
from engine.errors import ConfigError, StoreError
from engine.glance import Glance, read_glance
from widgets.chat import ChatPane, MessageView
from widgets.reply import CodeFence


async def _until(condition: Callable[[], bool], limit_s: float = 5.0) -> None:
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def test_the_glance_is_shown_before_the_engine_and_kept_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = ChatPane.LIVE_MESSAGES // 2  # all of them widgets (older ones would be history lines)
    answers = [f"answer {i}" for i in range(count - 1)] + [f"answer {count - 1}\n\n```python\nx = 1\n```"]
    seed = make_app(tmp_path, answers)
    async with seed.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        for i in range(count):
            await send(pilot, f"question {i}")
    monkeypatch.setenv("GLASSBOX_STORE__PATH", str(tmp_path / "home" / "glassbox.db"))
    monkeypatch.setattr(CodeFence, "highlighting", False)  # as in a new process
    release = threading.Event()

    def slow_settings() -> Settings:
        release.wait(10)
        return settings_for_home(tmp_path / "home")

    app = make_app(tmp_path, ["x"], load_settings=slow_settings, glance=read_glance())
    async with app.run_test(size=(160, 48)) as pilot:
        log = app.dashboard.chat.log_view
        # Polled without the pilot: its pauses wait for the app to be idle, i.e. for start-up to end.
        await _until(lambda: bool(log.query("CodeFence #code-content")))
        early = list(log.query(MessageView))
        assert early[-1].item.text == answers[-1]
        code = early[-1].query_one(CodeFence).query_one("#code-content", Label)
        styles = lambda: {str(span.style) for span in code.render().spans}  # noqa: E731
        assert str(code.render()) == "x = 1" and styles() == {"$text"}, "code is shown plain at first"
        assert 0 < len(early) < 2 * count, "only the newest messages, as many as fill the view"
        assert app.engine is None and not app.ready.is_set()
        release.set()
        await started(pilot)
        views = list(log.query(MessageView))
        assert len(views) == 2 * count
        assert [v.item.text for v in views[:2]] == ["question 0", "answer 0"]
        assert all(kept is shown for kept, shown in zip(views[-len(early):], early, strict=True)), \
            "the glance's widgets stay on screen; they are not built a second time"
        assert app.dashboard.execution.filled and app.dashboard.cost.filled
        assert len(styles()) > 1, "and highlighted once the lexers are compiled"


async def test_invalid_settings_found_after_the_first_frame_end_the_app_with_code_2(tmp_path: Path) -> None:
    opened: list[Settings] = []

    def invalid() -> Settings:
        raise ConfigError("Invalid setting: llm.temperature: too high (from env GLASSBOX_LLM__TEMPERATURE)")

    app = make_app(tmp_path, load_settings=invalid, glance=Glance(None, tmp_path / "none.db"))
    factory = app.engine_factory

    async def open_engine(settings: Settings):  # type: ignore[no-untyped-def]
        opened.append(settings)
        return await factory(settings)

    app.engine_factory = open_engine
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.return_code == 2)
    assert app.config_error is not None and "llm.temperature" in str(app.config_error)
    assert opened == [], "no engine is opened on invalid settings"


async def test_start_up_turns_the_collector_back_on(tmp_path: Path) -> None:
    # `glassbox` launches with the cyclic collector off (run_dashboard); start-up freezes what it
    # made and turns the collector on again, also when the engine fails to open.
    async def no_engine(_settings: Settings):  # type: ignore[no-untyped-def]
        raise StoreError("Cannot open the database: disk I/O error.")

    for factory in (None, no_engine):
        app = make_app(tmp_path)
        if factory is not None:
            app.engine_factory = factory
        gc.disable()
        try:
            async with app.run_test(size=(160, 48)) as pilot:
                await started(pilot)
                assert gc.isenabled()
                assert gc.get_freeze_count() > 10_000, "start-up's objects are frozen"
        finally:
            gc.enable()
