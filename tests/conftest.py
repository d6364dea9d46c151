"""Shared fixtures: an isolated GLASSBOX_HOME, the real default chat model, engines closed at teardown."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from engine.llm.registry import KNOWN_MODELS
from engine.paths import default_models_dir

if TYPE_CHECKING:
    from tests.fakes import Engines

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def real_model_path() -> Path | None:
    """The default chat model file fetched by `make test`, if present."""
    override = os.environ.get("GLASSBOX_TEST_MODEL")
    path = Path(override) if override else default_models_dir() / KNOWN_MODELS["smollm2"].filename
    return path if path.exists() else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that load the real chat model (through a fixture) get the `model` marker by themselves."""
    for item in items:
        if {"model_path", "gb_env"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


def require(condition: bool, why: str) -> None:
    """Skip locally when a real dependency is missing; fail in CI, where it must be there."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {why}")
    pytest.skip(why)


@pytest.fixture
def model_path() -> Path:
    """Path of the real SmolLM2 GGUF (skips locally, fails in CI, when absent)."""
    path = real_model_path()
    require(path is not None, "the default model is not downloaded (run `make test`)")
    assert path is not None
    return path


@pytest.fixture
def gb_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty GLASSBOX_HOME for this test, with no config file and no env overrides."""
    for name in list(os.environ):
        if name.startswith("GLASSBOX_") and name != "GLASSBOX_TEST_MODEL":
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    monkeypatch.setenv("GLASSBOX_HOME", str(home))
    return home


@pytest.fixture
def gb_env(gb_home: Path, model_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for subprocess CLI runs: isolated home, the real model, greedy sampling."""
    monkeypatch.setenv("GLASSBOX_LLM__MODEL", str(model_path))
    monkeypatch.setenv("GLASSBOX_LLM__TEMPERATURE", "0")
    return dict(os.environ)


@pytest.fixture
async def engines(tmp_path: Path) -> AsyncIterator[Engines]:
    """Opens engines (tests/fakes.py: Engines) and closes them all when the test ends, even failed."""
    from tests.fakes import Engines

    async with Engines(tmp_path) as opened:
        yield opened


def open_engines() -> int:
    """Engines whose database connection is still open (after a full collection)."""
    import gc

    service = sys.modules.get("engine.service")
    if service is None:
        return 0
    gc.collect()
    engines = [obj for obj in gc.get_objects() if isinstance(obj, service.Engine)]
    return sum(1 for engine in engines if getattr(engine.store.conn, "_connection", None) is not None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many engines the tests left open (the `engines` fixture closes its own)."""
    if "engine.service" in sys.modules:
        terminalreporter.write_line(f"engines left open at the end of the session: {open_engines()}")
