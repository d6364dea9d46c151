"""The cap on live session containers and idle retirement: files survive, variables do not."""

from __future__ import annotations

import asyncio
import gc
import http.client
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from engine.events import CodeExecStarted, ExecFinished
from engine.sandbox.archive import write_workspace_tar
from engine.sandbox.container import SandboxContainer
from engine.sandbox.docker_runner import DockerSandbox, _Session
from engine.sandbox.reaper import LABEL_OWNER_PID
from tests.sandbox.conftest import make_settings
from tests.sandbox.helpers import Result, run

pytestmark = pytest.mark.docker

WRITE = ("open('/workspace/notes.txt', 'w').write('kept')\nimport os\n"
         "os.makedirs('sub', exist_ok=True)\nopen('sub/b.bin', 'wb').write(bytes(100))\nx = 41")
READ = "print(open('/workspace/notes.txt').read(), len(open('sub/b.bin', 'rb').read()))\nx"


def _running(client: Any, container_id: str) -> bool:
    return bool(client.containers.list(filters={"id": container_id}))


def _mine(client: Any) -> int:
    return len(client.containers.list(filters={"label": f"{LABEL_OWNER_PID}={os.getpid()}"}))


async def _started(docker_client: Any, tmp_path: Path, **overrides: Any) -> DockerSandbox:
    runner = DockerSandbox(make_settings(**overrides), tmp_path / "ws", client=docker_client)
    await runner.start()
    await runner.wait_ready()
    return runner


def _assert_restored(result: Result, files: int) -> None:
    restored = result.restored
    assert restored is not None and restored.saved
    assert restored.files == files
    assert "files restored; variables from earlier runs are gone" in result.stderr


async def test_the_least_recently_used_idle_session_is_retired_and_comes_back(
        docker_client: Any, tmp_path: Path) -> None:
    runner = await _started(docker_client, tmp_path, max_live_sessions=2, idle_retire_s=0)
    try:
        await run(runner, WRITE, session="a")
        first = runner._sessions["a"].container
        assert first is not None
        await run(runner, "y = 1", session="b")
        await run(runner, "z = 1", session="c")  # over the cap: a, the oldest, goes
        assert runner.live_count() == 2
        assert "a" not in runner._sessions  # nothing kept in memory for a retired session
        assert not _running(docker_client, first.container_id)
        assert _mine(docker_client) <= 2 + 1  # the cap plus the pool
        back = await run(runner, READ, session="a")
        assert back.stdout == "kept 100\n"
        assert "NameError" in back.stderr
        _assert_restored(back, files=2)
        again = await run(runner, "print(open('notes.txt').read())", session="a")
        assert again.stdout == "kept\n" and again.restored is None
        # b was the least recently used then, so b made room for a.
        assert set(runner._sessions) == {"a", "c"}
    finally:
        await runner.close()


async def test_an_idle_session_is_retired_after_the_idle_time(
        docker_client: Any, tmp_path: Path) -> None:
    runner = await _started(docker_client, tmp_path, idle_retire_s=0.4)
    try:
        await run(runner, WRITE, session="a")
        container = runner._sessions["a"].container
        assert container is not None
        for _ in range(100):
            if not _running(docker_client, container.container_id):
                break
            await asyncio.sleep(0.1)
        assert not _running(docker_client, container.container_id)
        assert runner.live_count() == 0
        back = await run(runner, READ, session="a")
        assert back.stdout == "kept 100\n"
        _assert_restored(back, files=2)
        assert back.restored is not None and "idle" in back.restored.reason
    finally:
        await runner.close()


async def test_a_running_execution_is_never_retired(docker_client: Any, tmp_path: Path) -> None:
    runner = await _started(docker_client, tmp_path, max_live_sessions=1, idle_retire_s=0.2)
    try:
        slow = asyncio.create_task(run(runner, "import time\nv = 7\ntime.sleep(1.5)\nprint(v)",
                                       session="a"))
        await asyncio.sleep(0.3)
        other = await run(runner, "print(2)", session="b")  # waits for a to finish
        first = await slow
        assert first.stdout == "7\n" and first.finished.exit_code == 0
        assert "restarted" not in first.stderr
        assert other.stdout == "2\n"
        a_done = next(t for e, t in zip(first.events, first.arrival, strict=True)
                      if isinstance(e, ExecFinished))
        b_start = next(t for e, t in zip(other.events, other.arrival, strict=True)
                       if isinstance(e, CodeExecStarted))
        assert b_start >= a_done
    finally:
        await runner.close()


def _threads() -> int:
    # The docker thread pool grows on demand up to its fixed size; every other thread counts.
    pool = [t for t in threading.enumerate() if t.name.startswith("glassbox-docker")]
    assert len(pool) <= 8
    return threading.active_count() - len(pool)


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _containers() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, SandboxContainer))


def _objects() -> dict[str, int]:
    gc.collect()
    kinds = (SandboxContainer, _Session, asyncio.Queue, asyncio.Lock, asyncio.Task,
             asyncio.StreamWriter)
    counts = {kind.__name__: 0 for kind in kinds}
    for obj in gc.get_objects():
        for kind in kinds:
            if isinstance(obj, kind):
                counts[kind.__name__] += 1
    return counts


async def test_many_sessions_leave_nothing_behind(docker_client: Any, tmp_path: Path) -> None:
    runner = await _started(docker_client, tmp_path, max_live_sessions=2, idle_retire_s=0)
    try:
        for i in range(3):  # warm up: the docker client's connections, the thread pool
            await run(runner, "print(1)", session=f"warm{i}")
        for i in range(3):
            await runner.close_session(f"warm{i}")
        await runner.wait_ready()
        base = (_containers(), _threads(), _fds())
        objects = _objects()
        for i in range(12):
            result = await run(runner, "open('f', 'w').write('x')", session=f"s{i}")
            assert result.finished.exit_code == 0
            assert runner.live_count() <= 2
        for i in range(12):
            await runner.close_session(f"s{i}")
        await runner.wait_ready()
        assert runner._sessions == {}
        assert list((tmp_path / "ws").glob("*/retired-workspace.*")) == []
        assert _objects() == objects
        containers, threads, fds = base
        assert _containers() == containers == 1  # the warm pool's
        assert _threads() == threads
        assert _fds() <= fds + 2  # the docker client may keep one more pooled connection
    finally:
        await runner.close()


async def test_files_that_could_not_be_saved_are_reported_lost(
        docker_client: Any, tmp_path: Path) -> None:
    runner = await _started(docker_client, tmp_path, max_live_sessions=1, idle_retire_s=0)
    try:
        await run(runner, WRITE, session="a")
        container = runner._sessions["a"].container
        assert container is not None
        docker_client.api.kill(container.container_id)  # gone before it could be saved
        await run(runner, "print(1)", session="b")  # a is retired: its save fails
        back = await run(runner, "import os\nprint(os.path.exists('notes.txt'))", session="a")
        assert back.stdout == "False\n"
        assert back.restored is not None and not back.restored.saved
        assert "could not be kept" in back.stderr
        assert "Could not save the session's files" in back.restored.reason  # and why
    finally:
        await runner.close()


async def test_a_save_keeps_every_file_when_the_stream_headers_are_read_late(
        docker_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # On a loaded machine the SDK can read the exec's HTTP headers after tar's first output is
    # already in the socket; the header parser's read-ahead then swallowed it (seen in CI).
    runner = await _started(docker_client, tmp_path)
    try:
        await run(runner, WRITE, session="a")
        container = runner._sessions["a"].container
        assert container is not None
        late = http.client.HTTPResponse.begin

        def begin_late(self: http.client.HTTPResponse) -> None:
            time.sleep(0.5)
            late(self)

        monkeypatch.setattr(http.client.HTTPResponse, "begin", begin_late)
        files, size = write_workspace_tar(docker_client, container.container_id,
                                          tmp_path / "saved.tar", attempts=1)
        assert (files, size) == (2, 104)
    finally:
        monkeypatch.undo()
        await runner.close()
