"""`glassbox doctor`: checks the model (file or server), sqlite-vec, Docker and the sandbox image."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from engine.config import Settings, database_path, load_settings
from engine.errors import GlassboxError
from engine.health import HealthCheck
from engine.llm.factory import model_entry
from engine.llm.gguf import read_gguf_metadata
from engine.llm.registry import resolve_model_path
from engine.llm.server_api import server_health
from tui.commands.common import emit_json


def register(sub: Any) -> None:
    """Add `doctor`."""
    doctor = sub.add_parser("doctor", help="check that everything Glassbox needs works")
    doctor.add_argument("--json", action="store_true")
    doctor.set_defaults(handler=_doctor)


def _model_checks(settings: Settings) -> list[HealthCheck]:
    """The chat model llm.model names (a file, or a server), then every other server entry."""
    name = settings.llm.model
    entry = model_entry(settings)
    checks: list[HealthCheck] = []
    if entry is not None and entry.backend == "openai":
        checks.append(asyncio.run(server_health(name, entry)))
    else:
        checks.append(_model_file_check(entry.path if entry is not None else name))
    others = {n: e for n, e in settings.models.items() if e.backend == "openai" and n != name}
    if others:
        async def check_all() -> list[HealthCheck]:
            return list(await asyncio.gather(*(server_health(n, e) for n, e in others.items())))

        checks += asyncio.run(check_all())
    return checks


def _model_file_check(model: str) -> HealthCheck:
    try:
        path = resolve_model_path(model)
        meta = read_gguf_metadata(path)
    except GlassboxError as exc:
        return HealthCheck("model", False, exc.message, exc.hint or "")
    return HealthCheck(
        "model", True, f"{path.name}: {meta.architecture}, {meta.quantization}, "
        f"context {meta.context_length}, {meta.size_bytes / 1e6:.0f} MB",
    )


def _sqlite_vec_check() -> HealthCheck:
    from engine.store.db import connect_sync

    try:
        with tempfile.TemporaryDirectory() as tmp:
            conn = connect_sync(Path(tmp) / "probe.db")
            version = conn.execute("SELECT vec_version()").fetchone()[0]
            fts = conn.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')").fetchone()[0]
            conn.close()
    except (GlassboxError, sqlite3.Error) as exc:
        return HealthCheck("sqlite-vec", False, str(exc),
                           "pip install pysqlite3-binary sqlite-vec (make run does this)")
    return HealthCheck("sqlite-vec", True, f"sqlite-vec {version} loads; FTS5 {'on' if fts else 'off'}")


def _database_check(settings: Settings) -> HealthCheck:
    path = database_path(settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe = path.parent / ".write-probe"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        return HealthCheck("database", False, f"{path.parent} is not writable: {exc.strerror}",
                           "Set store.path or GLASSBOX_HOME to a writable place.")
    return HealthCheck("database", True, str(path))


def _sandbox_checks(settings: Settings) -> list[HealthCheck]:
    try:
        from engine.sandbox.health import sandbox_checks
    except ImportError:
        return [HealthCheck("docker", False, "the sandbox module is not installed", "reinstall Glassbox")]
    return sandbox_checks(settings.sandbox)


def _doctor(args: argparse.Namespace) -> int:
    settings = load_settings()
    checks = [*_model_checks(settings), _sqlite_vec_check(), _database_check(settings),
              *_sandbox_checks(settings)]
    for check in checks:
        if args.json:
            emit_json({"type": "check", "name": check.name, "ok": check.ok, "detail": check.detail,
                       "fix": check.fix})
        else:
            mark = "ok  " if check.ok else "FAIL"
            print(f"[{mark}] {check.name}: {check.detail}")
            if not check.ok and check.fix:
                print(f"       fix: {check.fix}")
    return 0 if all(c.ok for c in checks) else 1
