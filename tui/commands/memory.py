"""`glassbox search` and `glassbox db`: hybrid search and database maintenance, headless."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from engine.config import load_settings
from engine.errors import GlassboxError
from engine.paths import app_paths
from engine.store.db import connect
from tui.commands.common import emit_json, open_engine, print_table, run, short_id


def register(sub: Any) -> None:
    """Add `search` and `db`."""
    search = sub.add_parser("search", help="search every session (full text + meaning)")
    search.add_argument("text", help="what to look for")
    search.add_argument("--limit", type=int, default=20, help="most results to show")
    search.add_argument("--json", action="store_true", help="print results as JSON lines")
    search.set_defaults(handler=_search)

    db = sub.add_parser("db", help="database maintenance: stats, vacuum, backup, prune, reembed")
    dsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    stats = dsub.add_parser("stats", help="sizes and row counts")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=_stats)
    vac = dsub.add_parser("vacuum", help="compact the file")
    vac.add_argument("--json", action="store_true")
    vac.set_defaults(handler=_vacuum)
    back = dsub.add_parser("backup", help="a consistent copy, safe while the app runs")
    back.add_argument("path", type=Path, help="the new file to write")
    back.add_argument("--json", action="store_true")
    back.set_defaults(handler=_backup)
    pr = dsub.add_parser("prune", help="delete sessions not used for a number of days")
    pr.add_argument("--older-than", type=float, required=True, metavar="DAYS")
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(handler=_prune)
    re = dsub.add_parser("reembed", help="re-embed history with the configured embedding model")
    re.add_argument("--json", action="store_true", help="progress and result as JSON lines")
    re.set_defaults(handler=_reembed)


def _database() -> Path:
    settings = load_settings()
    path = settings.store.path or app_paths().database
    if not path.exists():
        raise GlassboxError(f"There is no database at {path} yet.", hint="Run `glassbox` once.")
    return path


async def _migrated(path: Path) -> None:
    conn = await connect(path)
    await conn.close()


def _search(args: argparse.Namespace) -> int:
    hits = run(_search_async(args.text, args.limit))
    if args.json:
        for hit in hits:
            emit_json({"type": "search_hit", "session_id": hit.session_id,
                       "message_id": hit.message_id, "run_id": hit.run_id, "kind": hit.kind,
                       "score": hit.score, "text": hit.text})
        return 0
    if not hits:
        print("No results.")
        return 0
    rows = [(f"{h.score:.4f}", h.kind, short_id(h.session_id), short_id(h.message_id),
             " ".join(h.text.split())[:80]) for h in hits]
    print_table(["score", "kind", "session", "message", "text"], rows)
    return 0


async def _search_async(text: str, limit: int) -> list[Any]:
    async with open_engine() as engine:
        return await engine.search(text, limit)


def _stats(args: argparse.Namespace) -> int:
    from engine.store.maintenance import db_stats
    path = _database()
    run(_migrated(path))
    stats = db_stats(path)
    if args.json:
        emit_json({"type": "db_stats", **stats.to_json()})
        return 0
    print(f"{stats.path}: {stats.file_bytes:,} bytes (+{stats.wal_bytes:,} WAL), "
          f"schema v{stats.schema_version}, {stats.free_pages} free pages")
    print_table(["table", "rows"], sorted(stats.counts.items()))
    if stats.embed_models:
        print_table(["embedding model", "docs"], sorted(stats.embed_models.items()))
    return 0


def _vacuum(args: argparse.Namespace) -> int:
    from engine.store.maintenance import vacuum
    before, after = vacuum(_database())
    if args.json:
        emit_json({"type": "db_vacuum", "bytes_before": before, "bytes_after": after})
    else:
        print(f"Vacuumed: {before:,} -> {after:,} bytes.")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from engine.store.maintenance import backup
    size = backup(_database(), args.path.expanduser())
    if args.json:
        emit_json({"type": "db_backup", "path": str(args.path), "bytes": size})
    else:
        print(f"Backed up to {args.path} ({size:,} bytes).")
    return 0


def _prune(args: argparse.Namespace) -> int:
    from engine.store.maintenance import prune
    removed = prune(_database(), args.older_than)
    if args.json:
        emit_json({"type": "db_prune", "sessions_deleted": removed, "older_than_days": args.older_than})
    else:
        print(f"Deleted {removed} session(s) not used for {args.older_than:g} days.")
    return 0


def _reembed(args: argparse.Namespace) -> int:
    from engine.memory.embedder import Embedder, resolve_embedding_model
    from engine.memory.reembed import reembed_sync
    path = _database()
    run(_migrated(path))
    embedder = Embedder(resolve_embedding_model(load_settings().memory.embedding_model))

    def progress(done: int, total: int) -> None:
        if args.json:
            emit_json({"type": "progress", "done": done, "total": total})
        else:
            sys.stdout.write(f"\rRe-embedding: {done}/{total}")
            sys.stdout.flush()

    try:
        done = reembed_sync(path, embedder, on_progress=progress)
    finally:
        embedder.close()
    if args.json:
        emit_json({"type": "reembed_done", "docs": done, "model": embedder.identity})
    else:
        print(f"\nRe-embedded {done} item(s) with {embedder.identity}.")
    return 0
