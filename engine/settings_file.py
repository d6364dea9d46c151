"""The settings file as the settings screen and CLI edit it: every setting with its source and docs,
and writing values back with the user's comments kept (tomlkit)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomlkit
from pydantic import BaseModel, ValidationError

from engine.config import ModelEntry, Settings, config_file, describe_source, describe_validation_error
from engine.errors import ConfigError


def effective_settings(settings: Settings) -> list[tuple[str, Any, str]]:
    """Every leaf setting as (dotted name, value, source)."""
    rows: list[tuple[str, Any, str]] = []
    path = config_file()
    for section_name in type(settings).model_fields:
        section = getattr(settings, section_name)
        if isinstance(section, dict):
            # A table of named entries ([models.NAME]) is shown and edited one entry at a time.
            for key, entry in section.items():
                dotted = f"{section_name}.{key}"
                value = entry.model_dump(mode="json") if isinstance(entry, BaseModel) else entry
                rows.append((dotted, value, describe_source(dotted, path)))
            continue
        for field_name in type(section).model_fields:
            dotted = f"{section_name}.{field_name}"
            # Dumped, not read: nested sections (mcp.servers) show as plain dicts.
            value = section.model_dump(include={field_name})[field_name]
            rows.append((dotted, value, describe_source(dotted, path)))
    return rows


def field_docs() -> dict[str, str]:
    """Docstring of every leaf setting, by dotted name (for the settings screen and help)."""
    docs: dict[str, str] = {}
    for section_name, section_field in Settings.model_fields.items():
        section_type = section_field.annotation
        if section_name == "models":
            docs["models"] = section_field.description or ""
            for name, info in ModelEntry.model_fields.items():
                docs[f"models.*.{name}"] = info.description or ""
            continue
        assert isinstance(section_type, type) and issubclass(section_type, BaseModel)
        for name, info in section_type.model_fields.items():
            docs[f"{section_name}.{name}"] = info.description or ""
    return docs


def write_settings(values: dict[str, Any], path: Path | None = None) -> Path:
    """Merge dotted-name values into the TOML config file and write it back.

    tomlkit edits the document in place, so the user's comments, order and formatting stay."""
    path = path or config_file()
    document = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    for dotted, value in values.items():
        section, _, name = dotted.partition(".")
        table = document.get(section)
        if value is None or value == "":
            # TOML has no null: an emptied optional setting is left out, so its default applies.
            if table is not None:
                table.pop(name, None)
            continue
        if table is None:
            table = tomlkit.table()
            document[section] = table
        table[name] = value
    # Validate before writing so a bad value never lands in the file.
    try:
        typed = Settings.model_validate(document.unwrap()).model_dump(mode="json")
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, path)) from None
    # Written as the setting's own type: "8" typed for a number is stored as 8.
    for dotted in values:
        section, _, name = dotted.partition(".")
        table = document.get(section)
        if table is not None and name in table and isinstance(typed.get(section), dict):
            table[name] = typed[section][name]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomlkit.dumps(document), encoding="utf-8")
    tmp.replace(path)
    return path
