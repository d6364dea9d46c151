"""Fixtures for dashboard tests: every app comes from the one factory in glassbox_factory.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLASSBOX_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("GLASSBOX_CONFIG", raising=False)
