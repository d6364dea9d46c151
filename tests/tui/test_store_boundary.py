"""The app reads sessions, runs and usage through the engine (engine.sessions), never the store."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# tui/commands is the CLI: short-lived commands that open the store themselves, without a model.
APP_CODE = [p for folder in ("tui", "widgets") for p in (ROOT / folder).rglob("*.py")
            if "commands" not in p.relative_to(ROOT).parts]


def test_no_screen_dialog_or_widget_queries_the_store() -> None:
    assert len(APP_CODE) > 20
    touching = [f"{p.relative_to(ROOT)}:{n}" for p in APP_CODE
                for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                if re.search(r"\bengine\.store\.", line)
                and not line.lstrip().startswith(("from ", "import "))]
    assert touching == []
