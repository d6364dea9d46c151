"""What checkpoints and the command audit cost: a /workspace save and restore against one
`print(1)` execution in the same warm container, and an audit page against the number of rows.

Run: .venv/bin/python bench/checkpoints.py [--rows 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.config import SandboxSettings
from engine.sandbox.docker_runner import DockerSandbox
from engine.store.audit import AuditQuery, CommandAudit
from engine.store.repository import Store


async def _timed(work: object) -> float:
    started = time.perf_counter()
    await work  # type: ignore[misc]
    return time.perf_counter() - started


async def sandbox_costs(folder: Path, repeat: int) -> None:
    sandbox = DockerSandbox(SandboxSettings(pool_size=1), folder / "ws")
    await sandbox.start()
    await sandbox.wait_ready()

    async def run(code: str) -> None:
        async for _ in sandbox.execute("bench", code, run_id="bench"):
            pass

    try:
        await run("open('a.txt', 'w').write('x' * 100)")
        steps = (("3 small files", "open('b.txt','w').write('b'); open('c.txt','w').write('c')"),
                 ("plus a 10 MB file", "import os; open('big.bin','wb').write(os.urandom(10**7))"))
        for label, code in steps:
            await run(code)
            execs = [await _timed(run("print(1)")) for _ in range(repeat)]
            saves = [await _timed(sandbox.save_checkpoint("bench", folder / f"c{i}.tar"))
                     for i in range(repeat)]
            restores = [await _timed(sandbox.restore_checkpoint("bench", folder / f"c{i}.tar"))
                        for i in range(repeat)]
            ex, sv, rs = (statistics.median(v) * 1000 for v in (execs, saves, restores))
            print(f"{label}: print(1) {ex:.0f} ms · save {sv:.0f} ms ({sv / ex:.1f}x) · "
                  f"restore {rs:.0f} ms ({rs / ex:.1f}x)")
    finally:
        await sandbox.close()


async def audit_costs(folder: Path, rows: int, repeat: int) -> None:
    store = await Store.open(folder / "bench.db")
    session = await store.create_session("bench")
    async with store.transaction() as conn:
        for n in range(rows):
            await conn.execute(
                "INSERT INTO executions(id, session_id, language, code, stdout, exit_code, duration_s,"
                " started_at, finished_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (f"e{n}", session.id, "python", f"print({n})\n" + "x = 1\n" * 50, f"{n}\n" * 20,
                 int(n % 7 == 0), 0.01, n, n))
    audit = CommandAudit(store)
    for query in (AuditQuery(), AuditQuery("failed"), AuditQuery(text=f"print({rows - 1}")):
        took = [await _timed(audit.page(query, limit=200)) for _ in range(repeat)]
        median_ms = statistics.median(took) * 1000
        print(f"audit page of 200 + count over {rows:,} rows, {query}: {median_ms:.1f} ms")
    took_export = await _timed(audit.export(AuditQuery(), folder / "all.csv"))
    print(f"export of {rows:,} rows as CSV: {took_export * 1000:.0f} ms")
    await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(sandbox_costs(Path(tmp), args.repeat))
        asyncio.run(audit_costs(Path(tmp), args.rows, args.repeat))


if __name__ == "__main__":
    main()
