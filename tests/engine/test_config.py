"""Settings: TOML file, GLASSBOX_ env overrides, GLASSBOX_HOME, readable errors, config show."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.config import Settings, describe_source, load_settings
from engine.errors import ConfigError
from engine.paths import app_paths
from engine.settings_file import field_docs, write_settings


def test_glassbox_home_puts_every_directory_under_it(gb_home: Path) -> None:
    paths = app_paths()
    for directory in (paths.config_dir, paths.data_dir, paths.models_dir, paths.logs_dir):
        assert directory.is_relative_to(gb_home)
    assert paths.config_file == gb_home / "config" / "config.toml"


def test_file_then_env_override_with_sources(gb_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = app_paths().config_file
    config.parent.mkdir(parents=True)
    config.write_text('[llm]\ntemperature = 0.7\nmax_tokens = 99\n[sandbox]\npids = 64\n')
    monkeypatch.setenv("GLASSBOX_LLM__MAX_TOKENS", "123")
    settings = load_settings()
    assert settings.llm.temperature == 0.7
    assert settings.llm.max_tokens == 123
    assert settings.sandbox.pids == 64
    assert describe_source("llm.temperature") == f"file {config}"
    assert describe_source("llm.max_tokens") == "env GLASSBOX_LLM__MAX_TOKENS"
    assert describe_source("llm.top_k") == "default"


def test_bad_value_in_file_names_field_and_file(gb_home: Path) -> None:
    config = app_paths().config_file
    config.parent.mkdir(parents=True)
    config.write_text('[llm]\ntemperature = "hot"\n')
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "llm.temperature" in str(info.value)
    assert str(config) in str(info.value)


def test_unknown_field_and_broken_toml_are_reported(gb_home: Path) -> None:
    config = app_paths().config_file
    config.parent.mkdir(parents=True)
    config.write_text("[llm]\ntemprature = 1\n")
    with pytest.raises(ConfigError, match="llm.temprature"):
        load_settings()
    config.write_text("[llm\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings()


def test_bad_env_value_names_the_variable(gb_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLASSBOX_SANDBOX__PIDS", "-3")
    with pytest.raises(ConfigError, match="GLASSBOX_SANDBOX__PIDS"):
        load_settings()


def test_every_field_has_a_docstring() -> None:
    docs = field_docs()
    assert len(docs) > 30
    assert all(text.strip() for text in docs.values()), [k for k, v in docs.items() if not v]
    for name in Settings.model_fields:
        assert Settings.model_fields[name].description


def test_write_settings_round_trips_and_refuses_bad_values(gb_home: Path) -> None:
    path = write_settings({"llm.temperature": 0.0, "ui.keymap": {"cancel_run": "ctrl+c"}})
    assert load_settings().llm.temperature == 0.0
    assert load_settings().ui.keymap == {"cancel_run": "ctrl+c"}
    before = path.read_text()
    with pytest.raises(ConfigError, match="llm.top_p"):
        write_settings({"llm.top_p": 7})
    assert path.read_text() == before


def test_write_settings_stores_typed_values_and_drops_emptied_optionals(gb_home: Path) -> None:
    path = write_settings({"llm.max_tokens": "700", "store.path": str(gb_home / "x.db")})
    text = path.read_text()
    assert "max_tokens = 700\n" in text, text  # a number, not the string typed in the form
    assert load_settings().llm.max_tokens == 700
    write_settings({"store.path": ""})
    assert "path" not in path.read_text()
    assert load_settings().store.path is None


def test_config_show_cli_prints_sources(gb_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLASSBOX_AGENT__MAX_STEPS", "9")
    out = subprocess.run([sys.executable, "-m", "tui.cli", "config", "show", "--json"],
                         capture_output=True, text=True, check=True)
    rows = {r["name"]: r for r in map(json.loads, out.stdout.splitlines())}
    assert rows["agent.max_steps"] == {"type": "setting", "name": "agent.max_steps", "value": 9,
                                       "source": "env GLASSBOX_AGENT__MAX_STEPS"}
    assert rows["llm.model"]["source"] == "default"


def test_config_show_cli_bad_value_is_one_line_not_traceback(
    gb_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLASSBOX_LLM__TOP_K", "many")
    out = subprocess.run([sys.executable, "-m", "tui.cli", "config", "show"],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert "llm.top_k" in out.stderr and "GLASSBOX_LLM__TOP_K" in out.stderr


def test_writing_settings_keeps_the_users_comments_and_any_text(gb_home: Path) -> None:
    from engine.config import config_file, load_settings
    from engine.settings_file import write_settings

    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# my settings\n[llm]\n# greedy for tests\ntemperature = 0.0\n", encoding="utf-8")
    prompt = 'Say "hi"\tthen\\n stop \u00e9 \x07'
    write_settings({"llm.system_prompt": prompt, "agent.candidates": "3"})
    text = path.read_text(encoding="utf-8")
    assert "# my settings" in text and "# greedy for tests" in text
    settings = load_settings()
    assert settings.llm.system_prompt == prompt and settings.llm.temperature == 0.0
    assert settings.agent.candidates == 3 and "candidates = 3" in text
