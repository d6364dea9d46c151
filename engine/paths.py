"""Where Glassbox keeps its config, data, models and logs (platformdirs, or GLASSBOX_HOME)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "glassbox"
HOME_ENV = "GLASSBOX_HOME"
ENV_PREFIX = "GLASSBOX_"
"""Every setting has an environment variable: GLASSBOX_<SECTION>__<FIELD>."""
ENV_DELIMITER = "__"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The four directories the app writes to."""

    config_dir: Path
    data_dir: Path
    models_dir: Path
    logs_dir: Path

    @property
    def config_file(self) -> Path:
        """The user's TOML settings file."""
        return self.config_dir / "config.toml"

    @property
    def database(self) -> Path:
        """The single SQLite file holding all history and vectors."""
        return self.data_dir / "glassbox.db"

    @property
    def workspaces_dir(self) -> Path:
        """Per-session sandbox workspaces (mounted into containers)."""
        return self.data_dir / "workspaces"

    def ensure(self) -> AppPaths:
        """Create the directories if missing and return self."""
        for directory in (self.config_dir, self.data_dir, self.models_dir, self.logs_dir):
            directory.mkdir(parents=True, exist_ok=True)
        return self


def app_paths() -> AppPaths:
    """Resolve the directories; GLASSBOX_HOME=DIR puts all of them under DIR."""
    home = os.environ.get(HOME_ENV)
    if home:
        root = Path(home).expanduser().resolve()
        return AppPaths(root / "config", root / "data", root / "models", root / "logs")
    return AppPaths(
        Path(platformdirs.user_config_dir(APP_NAME)),
        Path(platformdirs.user_data_dir(APP_NAME)),
        Path(platformdirs.user_data_dir(APP_NAME)) / "models",
        Path(platformdirs.user_log_dir(APP_NAME)),
    )


def default_models_dir() -> Path:
    """The models directory of a normal install, ignoring GLASSBOX_HOME (tests reuse it)."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "models"


def config_file() -> Path:
    """The TOML file settings are read from (GLASSBOX_CONFIG overrides the default)."""
    override = os.environ.get(f"{ENV_PREFIX}CONFIG")
    return Path(override) if override else app_paths().config_file


def env_name(dotted: str) -> str:
    """The environment variable that overrides a dotted field name."""
    return ENV_PREFIX + dotted.upper().replace(".", ENV_DELIMITER)
