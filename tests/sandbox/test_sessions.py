"""Live output, state, artifacts, cancellation, reset, the warm pool and orphan removal."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from engine.events import ExecFinished, ExecOutput
from engine.llm.base import CancelToken
from engine.sandbox.docker_runner import DockerSandbox
from engine.sandbox.reaper import LABEL_OWNER_PID
from tests.sandbox.conftest import ENDPOINT, IMAGE, make_settings
from tests.sandbox.helpers import assert_usable, run

pytestmark = pytest.mark.docker
REPO = Path(__file__).resolve().parents[2]


async def test_output_is_live_in_order_and_marked_by_stream(sandbox: Any) -> None:
    code = ("import sys, time\nprint('one')\nprint('two', file=sys.stderr)\nprint('three')\n"
            "sys.stdout.flush()\ntime.sleep(0.8)\nprint('four', file=sys.stderr)")
    result = await run(sandbox, code)
    chunks = [(e.stream, e.text) for e in result.events if isinstance(e, ExecOutput)]
    assert chunks == [("stdout", "one\n"), ("stderr", "two\n"), ("stdout", "three\n"),
                      ("stderr", "four\n")]
    # 'three' arrived while the code still slept, not at the end.
    assert result.arrival[-2] - result.arrival[3] >= 0.6


async def test_subprocess_output_is_captured(sandbox: Any) -> None:
    result = await run(sandbox, "import os\nos.system('echo from-child; echo err-child >&2')")
    assert "from-child" in result.stdout
    assert "err-child" in result.stderr


async def test_state_persists_like_a_notebook_and_reset_clears_it(sandbox: Any) -> None:
    await run(sandbox, "import math\nradius = 2")
    area = await run(sandbox, "math.pi * radius ** 2")
    assert area.stdout.startswith("12.566")
    await run(sandbox, "open('/workspace/note.txt', 'w').write('x')")
    await sandbox.reset_session("s1")
    gone = await run(sandbox, "import os\nprint(os.path.exists('/workspace/note.txt'))\nradius")
    assert gone.stdout == "False\n"
    assert "NameError" in gone.stderr
    assert gone.finished.exit_code == 1


async def test_sessions_are_isolated(sandbox: Any) -> None:
    await run(sandbox, "secret = 1", session="a")
    other = await run(sandbox, "print('secret' in globals())", session="b")
    assert other.stdout == "False\n"


async def test_background_processes_are_killed_when_execution_ends(sandbox: Any) -> None:
    await run(sandbox, "sleep 300 & disown; sleep 300 &", language="bash")
    check = await run(sandbox, "import os\nprint([open(f'/proc/{p}/cmdline').read() "
                               "for p in os.listdir('/proc') if p.isdigit()])")
    assert "sleep" not in check.stdout


async def test_bash_exit_code(sandbox: Any) -> None:
    result = await run(sandbox, "echo hi; exit 7", language="bash")
    assert result.stdout == "hi\n"
    assert result.finished.exit_code == 7


async def test_artifacts_come_back_to_the_host(sandbox: Any) -> None:
    code = """
import os
import matplotlib.pyplot as plt
import pandas as pd
os.makedirs('/workspace/out', exist_ok=True)
plt.plot([1, 2, 3], [2, 4, 9])
plt.savefig('/workspace/out/plot.png')
pd.DataFrame({'a': [1, 2]}).to_csv('/workspace/out/table.csv', index=False)
"""
    result = await run(sandbox, code)
    assert result.finished.exit_code == 0, result.stderr
    artifacts = {a.name: a for a in result.finished.artifacts}
    assert set(artifacts) == {"plot.png", "table.csv"}
    png, csv = _read(artifacts["plot.png"].path), _read(artifacts["table.csv"].path)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert artifacts["plot.png"].mime == "image/png"
    assert artifacts["plot.png"].size == len(png)
    assert csv == b"a\n1\n2\n"
    again = await run(sandbox, "print(2)")
    assert again.finished.artifacts == ()  # only files changed by that execution


def _read(path: str) -> bytes:
    return Path(path).read_bytes()


async def test_cancel_token_stops_execution_and_session_stays(sandbox: Any) -> None:
    await run(sandbox, "kept = 5")
    token = CancelToken()
    asyncio.get_running_loop().call_later(0.5, token.cancel)
    started = time.monotonic()
    result = await run(sandbox, "import time\ntime.sleep(60)", cancel=token)
    assert result.finished.cancelled
    assert result.finished.exit_code == 130
    assert time.monotonic() - started < 3
    still = await run(sandbox, "print(kept)")
    assert still.stdout == "5\n"


async def test_closing_the_iterator_kills_the_execution(sandbox: Any) -> None:
    stream = sandbox.execute("s1", "import time\nprint('go', flush=True)\ntime.sleep(60)",
                             run_id="r")
    async for event in stream:
        if isinstance(event, ExecOutput):
            break
    await stream.aclose()
    started = time.monotonic()
    await assert_usable(sandbox)
    assert time.monotonic() - started < 3


async def test_new_session_takes_a_warm_container(sandbox: Any) -> None:
    started = time.monotonic()
    result = await run(sandbox, "print(1)", session="fresh")
    assert result.stdout == "1\n"
    assert time.monotonic() - started < 0.15  # a container start alone takes ~0.3 s


async def test_close_removes_every_container(docker_client: Any, tmp_path: Path) -> None:
    runner = DockerSandbox(make_settings(pool_size=2), tmp_path, client=docker_client)
    await runner.start()
    await runner.wait_ready()
    await run(runner, "print(1)")
    await runner.wait_ready()  # the pool refills behind the session's container
    mine = {"label": f"{LABEL_OWNER_PID}={os.getpid()}"}
    assert len(docker_client.containers.list(all=True, filters=mine)) == 3
    await runner.close()
    assert docker_client.containers.list(all=True, filters=mine) == []


async def test_orphans_of_a_sigkilled_app_are_removed_at_next_start(
        docker_client: Any, tmp_path: Path) -> None:
    script = f"""
import asyncio, sys
from pathlib import Path
from engine.config import SandboxSettings
from engine.sandbox.docker_runner import DockerSandbox
async def main():
    runner = DockerSandbox(SandboxSettings(image={IMAGE!r}, pool_size=1), Path({str(tmp_path)!r}))
    await runner.start()
    async for _ in runner.execute('s', 'print(1)', run_id='r'):
        pass
    await runner.wait_ready()
    print('ready', flush=True)
    await asyncio.sleep(600)
asyncio.run(main())
"""
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", script, cwd=REPO,
                                                 stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None
        line = await asyncio.wait_for(child.stdout.readline(), timeout=60)
        assert line.strip() == b"ready"
    finally:
        child.send_signal(signal.SIGKILL)
        await child.wait()
    theirs = {"label": f"{LABEL_OWNER_PID}={child.pid}"}
    assert len(docker_client.containers.list(all=True, filters=theirs)) == 2
    runner = DockerSandbox(make_settings(pool_size=0), tmp_path, client=docker_client)
    await runner.start()
    try:
        assert docker_client.containers.list(all=True, filters=theirs) == []
    finally:
        await runner.close()


def test_cli_exec_json_streams_events_and_returns_the_exit_code(
        docker_client: Any, tmp_path: Path) -> None:
    env = dict(os.environ, GLASSBOX_HOME=str(tmp_path), GLASSBOX_SANDBOX__IMAGE=IMAGE,
               GLASSBOX_SANDBOX__DOCKER_HOST=ENDPOINT["docker_host"])
    code = "import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(3)\n"
    proc = subprocess.run([sys.executable, "-m", "tui.cli", "exec", "-", "--json",
                           "--timeout", "20", "--memory", "128m"], input=code, cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [e["type"] for e in events] == ["exec_started", "exec_output", "exec_output",
                                           "exec_finished"]
    assert [(e["stream"], e["text"]) for e in events[1:3]] == [("stdout", "out\n"),
                                                              ("stderr", "err\n")]
    done = events[-1]
    assert done["type"] == ExecFinished.type
    for key in ("exit_code", "duration_s", "peak_memory_bytes", "timed_out", "oom_killed",
                "truncated"):
        assert key in done
    assert done["exit_code"] == 3
