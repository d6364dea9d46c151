"""One save of streamed execution output at 9 MB already saved: the old rewrite beside the chunk append."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from engine.store.db import run_blocking
from engine.store.repository import Store

SAVED_BYTES = 9 * 2**20
"""Output already saved when the measured saves start (the flood in bench/tui_output.py reaches ~10 MB)."""
NEW_LINES = 10_000
"""New output per save: 100 ms of the flood's 100,000 lines/s."""
SAVES = 30
LINE = "line {:06d} of the flood, padded to a usual width\n"


def lines(first: int, count: int) -> str:
    return "".join(LINE.format(n) for n in range(first, first + count))


async def old_save(store: Store, exec_id: str, stdout: str) -> None:
    """The save before schema v8 (Store.save_execution_output): the whole output so far, again."""
    await store.execute("UPDATE executions SET stdout=?, stderr=? WHERE id=?", (stdout, "", exec_id))


async def main() -> None:
    store = await Store.open(Path(tempfile.mkdtemp(prefix="gb-flush-")) / "g.db")
    for exec_id in ("old", "new"):
        await store.add_execution(exec_id, language="python", code="flood()", run_id="bench")
    per_line = len(LINE.format(0))
    count = SAVED_BYTES // per_line
    saved = lines(0, count)
    # Both start from the same 9 MB, saved the way each kept it (the new way as the saves made it).
    await old_save(store, "old", saved)
    for first in range(0, count, NEW_LINES):
        await store.append_execution_output("new", [("stdout", lines(first, min(NEW_LINES, count - first)))])
    appended: list[str] = []
    times: dict[str, list[float]] = {"old": [], "new": []}
    for index in range(SAVES):
        new = lines(count + index * NEW_LINES, NEW_LINES)
        appended.append(new)
        # Side by side, alternating, so a change in the machine's load falls on both alike.
        for way in ("old", "new") if index % 2 == 0 else ("new", "old"):
            started = time.perf_counter()
            if way == "old":
                # Each old save is of 9 MB and the new lines: every one measured at the same size.
                await old_save(store, "old", saved + new)
            else:
                await store.append_execution_output("new", [("stdout", new)])
            times[way].append(time.perf_counter() - started)
    # What each way hands SQLite, counted in one more save apiece (untimed: the trace expands the
    # statement into a string of its size, which would slow the old way more).
    sent: dict[str, int] = {}
    counted: list[int] = []
    await run_blocking(store.conn, lambda conn: conn.set_trace_callback(lambda sql: counted.append(len(sql))))
    new = lines(count + SAVES * NEW_LINES, NEW_LINES)
    await old_save(store, "old", saved + new)
    sent["old"], counted[:] = sum(counted), []
    await store.append_execution_output("new", [("stdout", new)])
    sent["new"] = sum(counted)
    await run_blocking(store.conn, lambda conn: conn.set_trace_callback(None))
    appended.append(new)
    started = time.perf_counter()
    records = {e.id: e for e in await store.executions("bench")}
    read_s = time.perf_counter() - started
    assert records["old"].stdout == saved + appended[-1], "the old save lost text"
    assert records["new"].stdout == saved + "".join(appended), "the chunks lost text"
    await store.close()
    old_ms, new_ms = (statistics.median(times[way]) * 1000 for way in ("old", "new"))
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"one output save with {SAVED_BYTES / 2**20:.0f} MiB saved before it ({NEW_LINES:,} new lines, "
          f"{len(new) / 1024:.0f} KiB), median of {SAVES}, load average {load}:")
    for way, what in (("old", "rewrite everything"), ("new", "append a chunk")):
        spread = f"min {min(times[way]) * 1000:.2f}, max {max(times[way]) * 1000:.2f}"
        print(f"  {way} ({what}): {statistics.median(times[way]) * 1000:.2f} ms ({spread}), "
              f"{sent[way] / 2**20:.2f} MiB of SQL sent")
    print(f"  ratio old / new: {old_ms / new_ms:.1f}x; reading both back (the old column, "
          f"{len(records['old'].stdout) / 2**20:.1f} MiB, and the chunks joined, "
          f"{len(records['new'].stdout) / 2**20:.1f} MiB): {read_s * 1000:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
