"""The one-way rule: the engine never loads Textual or Rich; the import contracts hold."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str) -> str:
    """What a fresh interpreter running `code` in the project prints (stripped)."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         check=True)
    return out.stdout.strip()


def test_engine_import_loads_no_ui_libraries() -> None:
    code = (
        "import json, sys, pkgutil, importlib, engine\n"
        "for m in pkgutil.walk_packages(engine.__path__, 'engine.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(json.dumps(sorted(k for k in sys.modules if k.split('.')[0] in "
        "('textual', 'rich', 'tui', 'widgets'))))\n"
    )
    assert json.loads(_python(code).splitlines()[-1]) == []


def test_headless_cli_does_not_load_textual() -> None:
    code = (
        "import sys\nfrom tui.cli import build_parser\nbuild_parser()\n"
        "print(int('textual' in sys.modules))\n"
    )
    assert _python(code) == "0"


def test_import_linter_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed")
    result = subprocess.run([lint], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dashboard_paints_before_pydantic_and_the_engine_load() -> None:
    # What `glassbox` imports before its first frame: the app, its screen and the launch glance.
    # Pydantic and the engine (about 180 ms of imports) load in a thread after that frame; the
    # engine events (11 ms) with the first event.
    code = (
        "import sys\nimport tui.cli, tui.app_main, tui.app\n"
        "from engine.glance import read_glance\nread_glance()\n"
        "print(' '.join(sorted(m for m in ('pydantic', 'pydantic_settings', 'engine.config',"
        " 'engine.service', 'engine.events', 'aiosqlite', 'sqlite_vec', 'numpy', 'llama_cpp', 'docker')"
        " if m in sys.modules)))\n"
    )
    assert _python(code) == ""


def test_dashboard_loads_textual_markdown_after_its_first_frame() -> None:
    # The first frame draws the session as lines (HistoryLines, Rich); Textual's Markdown widgets
    # (12 ms to import) come with the first reply widget, a frame later.
    code = ("import sys\nimport tui.cli, tui.app_main, tui.app\n"
            "print(int('textual.widgets._markdown' in sys.modules))\n")
    assert _python(code) == "0"
