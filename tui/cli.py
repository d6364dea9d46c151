"""The `glassbox` command: the dashboard by default, headless subcommands otherwise."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from engine.errors import GlassboxError

if TYPE_CHECKING:  # imported when there are arguments to parse: the dashboard takes none
    import argparse

# Each module defines register(subparsers) and sets `handler` on its parsers. Textual is
# imported only by the dashboard, so headless commands run without it.
COMMAND_MODULES = (
    "tui.commands.chat",
    "tui.commands.settings",
    "tui.commands.models",
    "tui.commands.doctor",
    "tui.commands.sandbox",
    "tui.commands.runs",
    "tui.commands.memory",
    "tui.commands.serve",
    "tui.commands.mcp",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="glassbox",
        usage="glassbox [COMMAND] [ARGS ...]",
        description="A terminal dashboard for running an LLM agent locally.\n\n"
        "Run `glassbox` with no command to open the dashboard (Chat, Execution, Activity\n"
        "and Cost panes). The commands below work headless, without the dashboard.",
        epilog="`glassbox COMMAND --help` shows a command's arguments.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=None)
    sub = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND", prog="glassbox")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # an area not built yet
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    # The dashboard takes no arguments: it starts without importing every command's module.
    args = build_parser().parse_args(arguments) if arguments else None
    try:
        if args is None or args.handler is None:
            from tui.app_main import run_dashboard

            return run_dashboard(args)
        return int(args.handler(args) or 0)
    except GlassboxError as exc:
        print(f"glassbox: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("glassbox: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
