"""Opens the SQLite file (WAL, sqlite-vec loaded) and applies migrations by user_version."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import aiosqlite
import sqlite_vec

from engine.errors import StoreError
from engine.store.migrations import MIGRATIONS

T = TypeVar("T")


@contextmanager
def immediate_transaction(conn: Any) -> Iterator[Any]:
    """A write transaction on a blocking sqlite3 connection, taken at once (BEGIN IMMEDIATE), so it
    never fails halfway on a lock another writer holds; rolled back if the body raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def sqlite_module() -> ModuleType:
    """A sqlite3 module that can load extensions (pysqlite3 where the stdlib one cannot)."""
    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    try:
        import pysqlite3.dbapi2 as pysqlite3
    except ImportError:
        raise StoreError(
            "This Python's sqlite3 cannot load extensions, so sqlite-vec cannot load.",
            hint="Install pysqlite3-binary (Linux) or use a Python built with extension loading.",
        ) from None
    module: ModuleType = pysqlite3
    return module


def connect_sync(path: Path | str, *, check_same_thread: bool = True) -> Any:
    """A configured blocking connection (for the aiosqlite thread, backups and tools)."""
    module = sqlite_module()
    try:
        conn = module.connect(str(path), check_same_thread=check_same_thread, timeout=10.0)
        conn.enable_load_extension(True)
        sqlite_vec.load(conn)
        conn.enable_load_extension(False)
        conn.row_factory = module.Row
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode keeps every committed transaction across a process crash.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
        # vec0 scans every vector chunk of a table. Through the default 2 MB page cache each scan
        # re-reads them with one pread per page, which costs more than the (AVX) distances: 32-36 ms
        # vs 11-12 ms a query on 100k x 384 (bench/vectors.py). Mapped, they are read in place;
        # SQLite maps only what the file holds, so the limit costs a small database nothing.
        conn.execute("PRAGMA mmap_size=1073741824")
    except module.Error as exc:
        raise StoreError(f"Cannot open the database {path}: {exc}.") from None
    return conn


async def connect(path: Path | str) -> aiosqlite.Connection:
    """Open the database in aiosqlite's worker thread and bring the schema up to date."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    factory: Callable[[], Any] = lambda: connect_sync(path, check_same_thread=False)  # noqa: E731
    conn = aiosqlite.core.Connection(factory, iter_chunk_size=64)
    try:
        await conn
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"Cannot open the database {path}: {exc}.") from None
    try:
        await migrate(conn)
    except BaseException:
        await conn.close()  # else its worker thread and file handle outlive the failed open
        raise
    return conn


async def migrate(conn: aiosqlite.Connection) -> int:
    """Apply pending migrations in order; returns the schema version."""
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    version = int(row[0]) if row else 0
    for target, step in MIGRATIONS:
        if target <= version:
            continue
        try:
            if isinstance(step, str):
                await conn.executescript(f"BEGIN;\n{step}\nPRAGMA user_version={target};\nCOMMIT;")
            else:
                await _run_in_transaction(conn, step, target)
        except Exception as exc:
            await conn.rollback()
            raise StoreError(f"Database migration to version {target} failed: {exc}.") from None
        version = target
    return version


async def _run_in_transaction(
    conn: aiosqlite.Connection, step: Callable[[Any], None], target: int
) -> None:
    def run(sync: Any) -> None:
        # Off for table rebuilds (SQLite's documented procedure; it cannot change inside a
        # transaction): dropping a rebuilt parent table must not cascade into its children.
        sync.execute("PRAGMA foreign_keys=OFF")
        try:
            with immediate_transaction(sync):
                # Another process may have applied it since we read user_version: do not repeat it.
                if int(sync.execute("PRAGMA user_version").fetchone()[0]) < target:
                    step(sync)
                    sync.execute(f"PRAGMA user_version={target}")
        finally:
            sync.execute("PRAGMA foreign_keys=ON")

    await run_blocking(conn, run)


async def run_blocking(conn: aiosqlite.Connection, fn: Callable[[Any], T]) -> T:
    """fn(the blocking sqlite3 connection), run as one job on the connection's own thread."""
    runner: Any = conn  # aiosqlite has no public "run this function" call
    result: T = await runner._execute(fn, runner._conn)
    return result


def is_disk_full(exc: BaseException) -> bool:
    """Whether a database error means the disk (or the file's size limit) is full."""
    text = str(exc).lower()
    return "disk is full" in text or "database or disk is full" in text
