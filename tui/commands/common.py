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
    """A plain, aligned text table."""
    head = [str(h) for h in headers]
    body = [[str(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip())
    for row in body:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
