"""`glassbox exec` and `glassbox sandbox build|reap`: run code in the sandbox, manage its image."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from engine.config import load_settings
from engine.errors import SandboxError
from engine.events import ExecFinished, ExecOutput
from engine.llm.base import CancelToken
from engine.paths import app_paths
from engine.sandbox.base import ExecLimits, Language
from tui.commands.common import emit_json, run


def register(sub: Any) -> None:
    """Add `exec` and `sandbox`."""
    ex = sub.add_parser("exec", help="run a file (or stdin) in the sandbox and stream its output")
    ex.add_argument("file", nargs="?", default="-", help="code to run; - or nothing reads stdin")
    ex.add_argument("--json", action="store_true", help="one JSON event per line on stdout")
    ex.add_argument("--timeout", type=float, metavar="S", help="wall-clock limit in seconds")
    ex.add_argument("--memory", metavar="M", help="memory limit, e.g. 256m or 1g")
    ex.add_argument("--language", choices=("python", "bash"),
                    help="default: bash for .sh files, else python")
    ex.set_defaults(handler=_exec)

    sandbox = sub.add_parser("sandbox", help="build the sandbox image, remove stray containers")
    ssub = sandbox.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    build = ssub.add_parser("build", help="build the execution image (offline-capable)")
    build.add_argument("--image", help="tag to build (default: sandbox.image)")
    build.add_argument("--base-image", help="base image (default: sandbox.base_image)")
    build.add_argument("--wheelhouse", type=Path, help="directory of wheels to install from")
    build.add_argument("--no-pull", action="store_true", help="never try to pull the base")
    build.add_argument("--no-debootstrap", action="store_true",
                       help="fail rather than debootstrap a missing base")
    build.set_defaults(handler=_build)
    reap = ssub.add_parser("reap", help="remove sandbox containers whose app has exited")
    reap.add_argument("--all", action="store_true", help="remove every Glassbox container")
    reap.set_defaults(handler=_reap)


def _read_code(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise SandboxError(f"Cannot read {name}: {exc.strerror}.") from None


def _exec(args: argparse.Namespace) -> int:
    code = _read_code(args.file)
    language: Language = args.language or ("bash" if args.file.endswith(".sh") else "python")
    limits = ExecLimits(timeout_s=args.timeout, memory=args.memory)
    return run(_exec_async(code, language, limits, bool(args.json)))


async def _exec_async(code: str, language: Language, limits: ExecLimits, as_json: bool) -> int:
    from engine.sandbox.docker_runner import DockerSandbox

    # One execution needs no warm spare: the pool would only start a second container.
    settings = load_settings().sandbox.model_copy(update={"pool_size": 0})
    runner = DockerSandbox(settings, app_paths().workspaces_dir)
    cancel = CancelToken()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, cancel.cancel)
    exit_code = 1
    try:
        await runner.start()
        session = f"exec-{uuid.uuid4().hex[:8]}"
        async for event in runner.execute(session, code, language=language,
                                          run_id=f"exec-{int(time.time())}", limits=limits,
                                          cancel=cancel):
            if as_json:
                emit_json(event.to_json())
            elif isinstance(event, ExecOutput):
                stream = sys.stdout if event.stream == "stdout" else sys.stderr
                stream.write(event.text)
                stream.flush()
            if isinstance(event, ExecFinished):
                exit_code = event.exit_code
                if not as_json:
                    _summary(event)
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
        await runner.close()
    return exit_code


def _summary(event: ExecFinished) -> None:
    why = ("timed out" if event.timed_out else "memory limit" if event.oom_killed
           else "cancelled" if event.cancelled else "")
    for artifact in event.artifacts:
        print(f"artifact: {artifact.name} -> {artifact.path} ({artifact.size} bytes)",
              file=sys.stderr)
    if why:
        print(f"glassbox: {why} (exit {event.exit_code})", file=sys.stderr)


def _build(args: argparse.Namespace) -> int:
    from engine.sandbox.dockerapi import connect
    from engine.sandbox.image import STAGES, BuildProgress, build_image

    settings = load_settings().sandbox
    image = args.image or settings.image
    base = args.base_image or settings.base_image
    started = time.monotonic()

    def show(p: BuildProgress) -> None:
        number = STAGES.index(p.stage) + 1 if p.stage in STAGES else 0
        if p.status == "start":
            print(f"[{number}/{len(STAGES)}] {p.stage}: {p.detail}", flush=True)
        else:
            mark = {"done": "ok", "skip": "skipped", "fail": "FAILED", "info": ".."}[p.status]
            print(f"      {mark:<7} {p.detail}", flush=True)

    client = connect(settings=settings)
    try:
        build_image(client, image, base, show, wheelhouse=args.wheelhouse,
                    allow_debootstrap=not args.no_debootstrap, allow_pull=not args.no_pull)
    finally:
        client.close()
    print(f"Built {image} in {time.monotonic() - started:.0f} s.")
    return 0


def _reap(args: argparse.Namespace) -> int:
    from engine.sandbox.docker_runner import runtime_root_for
    from engine.sandbox.dockerapi import connect
    from engine.sandbox.reaper import reap_orphans

    client = connect(settings=load_settings().sandbox)
    try:
        removed = reap_orphans(client, runtime_root=runtime_root_for(app_paths().workspaces_dir),
                               everything=bool(args.all))
    finally:
        client.close()
    print(f"Removed {len(removed)} container(s)" + (": " + ", ".join(removed) if removed else "."))
    return 0
