"""Helpers shared by CLI subcommands: running coroutines, printing JSON lines and tables."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Coroutine, Iterable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from engine.service import Engine

T = TypeVar("T")

# Every id a person reads is this long; `--json` output carries full ids. Commands that take
# an id accept any unique prefix, so the short form can be pasted back.
SHORT_ID_LENGTH = 8


def short_id(ident: str | None) -> str:
    """An id as human-readable output shows it (the same length in every command), or '-'."""
    return ident[:SHORT_ID_LENGTH] if ident else "-"


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion in a fresh event loop."""
    return asyncio.run(coro)


@asynccontextmanager
async def open_engine() -> AsyncIterator[Engine]:
    """The engine with the user's settings, closed (containers removed) on the way out."""
    from engine.config import load_settings
    from engine.service import Engine

    engine = await Engine.open(load_settings())
    try:
        yield engine
    finally:
        await engine.close()


def emit_json(obj: dict[str, Any]) -> None:
    """Print one JSON object as one line and flush (for --json output)."""
    sys.stdout.write(json.dumps(obj, default=str, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def when(ts: float | None) -> str:
    """A timestamp as local date and minute, or '-'."""
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M") if ts else "-"


def print_table(headers: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    """An aligned table: rich in a terminal; plain columns (no rules, no cut) when piped."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    tty = sys.stdout.isatty()
    table = Table(*[str(h) for h in headers], box=box.SIMPLE_HEAD if tty else None, show_edge=False,
                  pad_edge=False, header_style="bold" if tty else "")
    for row in rows:
        table.add_row(*[str(c) for c in row])
    if tty:
        Console().print(table)
        return
    # Piped to grep or a file: never cut to 80 columns, no padding after the last column.
    console = Console(width=100_000, color_system=None)
    with console.capture() as captured:
        console.print(table, crop=False)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
