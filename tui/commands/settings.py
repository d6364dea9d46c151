"""`glassbox config show|path|set`: the effective settings and where each came from."""

from __future__ import annotations

import argparse
import json
from typing import Any

from engine.config import config_file, load_settings
from engine.settings_file import effective_settings, write_settings
from tui.commands.common import emit_json, print_table


def register(sub: Any) -> None:
    """Add `config`."""
    config = sub.add_parser("config", help="show or change settings")
    csub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = csub.add_parser("show", help="effective settings and their sources")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)
    path = csub.add_parser("path", help="the config file's path")
    path.set_defaults(handler=lambda _args: print(config_file()) or 0)
    setter = csub.add_parser("set", help="write one setting to the config file")
    setter.add_argument("name", help="dotted name, e.g. llm.temperature")
    setter.add_argument("value", help="a TOML value (strings may be bare)")
    setter.set_defaults(handler=_set)


def _show(args: argparse.Namespace) -> int:
    settings = load_settings()
    rows = effective_settings(settings)
    if args.json:
        for name, value, source in rows:
            emit_json({"type": "setting", "name": name, "value": _plain(value), "source": source})
        return 0
    print(f"Config file: {config_file()}" + ("" if config_file().exists() else " (not created)"))
    print_table(["SETTING", "VALUE", "SOURCE"], [(n, _show_value(v), s) for n, v, s in rows])
    return 0


def _plain(value: Any) -> Any:
    return str(value) if not isinstance(value, str | int | float | bool | dict | list | type(None)) else value


def _show_value(value: Any) -> str:
    text = json.dumps(_plain(value)) if isinstance(value, dict | list | str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _set(args: argparse.Namespace) -> int:
    import tomllib

    try:
        value = tomllib.loads(f"v = {args.value}")["v"]
    except tomllib.TOMLDecodeError:
        value = args.value
    path = write_settings({args.name: value})
    print(f"{args.name} = {value!r} written to {path}")
    return 0
