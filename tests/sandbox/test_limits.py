"""The limits, against the real engine: memory, pids, timeout, network, read-only root, output."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import pytest

from engine.sandbox.base import ExecLimits
from tests.sandbox.helpers import assert_usable, run

pytestmark = pytest.mark.docker


async def test_memory_bomb_ends_as_memory_limit(sandbox: Any) -> None:
    await run(sandbox, "kept = 'before'")
    result = await run(sandbox, "a = []\nwhile True:\n    a.append(bytearray(10**7))")
    done = result.finished
    assert done.oom_killed
    assert not done.timed_out
    assert done.exit_code == 137
    assert "memory limit" in result.stderr
    assert done.peak_memory_bytes is not None and done.peak_memory_bytes > 200 * 2**20
    await assert_usable(sandbox)


async def test_memory_limit_per_execution(sandbox: Any) -> None:
    code = "b = bytearray(150 * 2**20)\nprint(len(b))"
    small = await run(sandbox, code, limits=ExecLimits(memory="96m"))
    assert small.finished.oom_killed
    big = await run(sandbox, code, limits=ExecLimits(memory="384m"))
    assert big.stdout == f"{150 * 2**20}\n"
    assert not big.finished.oom_killed
    assert big.finished.peak_memory_bytes is not None
    assert big.finished.peak_memory_bytes >= 150 * 2**20


async def test_fork_bomb_is_stopped_by_pid_limit(sandbox: Any) -> None:
    started = time.monotonic()
    result = await run(sandbox, "import os\nwhile True:\n    os.fork()")
    done = result.finished
    assert not done.timed_out, result.stderr[-500:]
    assert time.monotonic() - started < 8
    assert done.exit_code != 0
    assert "BlockingIOError" in result.stderr or "Resource temporarily" in result.stderr
    # Nothing of the bomb survives the execution.
    count = await run(sandbox, "import os\nprint(sum(n.isdigit() for n in os.listdir('/proc')))")
    assert int(count.stdout) <= 3, count.stdout
    await assert_usable(sandbox)


async def test_busy_loop_ends_at_timeout_and_keeps_state(sandbox: Any) -> None:
    await run(sandbox, "x = 41")
    started = time.monotonic()
    result = await run(sandbox, "while True: pass", limits=ExecLimits(timeout_s=1.0))
    elapsed = time.monotonic() - started
    assert result.finished.timed_out
    assert result.finished.exit_code == 124
    assert 1.0 <= elapsed < 3.0
    assert "timed out" in result.stderr
    after = await run(sandbox, "print(x + 1)")
    assert after.stdout == "42\n"  # SIGINT was enough: the interpreter kept its state


async def test_code_that_ignores_sigint_is_killed_and_session_recovers(sandbox: Any) -> None:
    code = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "while True: pass")
    result = await run(sandbox, code, limits=ExecLimits(timeout_s=0.5))
    assert result.finished.timed_out
    assert "restarted" in result.stderr
    await assert_usable(sandbox)


async def test_only_loopback_network(sandbox: Any) -> None:
    code = ("import os\nprint(sorted(os.listdir('/sys/class/net')))\n"
            "print([l.split(':')[0].strip() for l in open('/proc/net/dev').readlines()[2:]])")
    result = await run(sandbox, code)
    assert result.stdout == "['lo']\n['lo']\n"


async def test_root_is_read_only_and_workspace_is_writable(sandbox: Any) -> None:
    code = """
import os
for path in ('/etc/x', '/opt/x', '/usr/x', '/x', '/run/glassbox/x'):
    try:
        open(path, 'w').write('x')
        print('WROTE', path)
    except OSError as exc:
        print('denied', path, exc.errno)
open('/workspace/ok.txt', 'w').write('fine')
open('/tmp/ok.txt', 'w').write('fine')
print(open('/workspace/ok.txt').read(), os.getuid())
"""
    result = await run(sandbox, code)
    assert "WROTE" not in result.stdout
    assert result.stdout.count("denied") == 5
    assert result.stdout.strip().endswith("fine 1000")


async def test_workspace_has_a_size_limit(sandbox: Any) -> None:
    code = """
import errno
try:
    with open('/workspace/big', 'wb') as f:
        for _ in range(64):
            f.write(b'x' * 2**20)
    print('no limit')
except OSError as exc:
    print('full', exc.errno == errno.ENOSPC)
"""
    result = await run(sandbox, code)
    assert result.stdout == "full True\n"  # workspace_size is 32m in these tests


async def test_no_privileges(sandbox: Any) -> None:
    code = ("print([l.split()[1] for l in open('/proc/self/status') "
            "if l.startswith(('CapEff', 'CapBnd', 'NoNewPrivs'))])")
    result = await run(sandbox, code)
    assert result.stdout == "['0000000000000000', '0000000000000000', '1']\n"


async def test_host_environment_is_not_passed(sandbox: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("GLASSBOX_TEST_SECRET", "hunter2")
    result = await run(sandbox, "import os\nprint(sorted(os.environ))")
    names = eval(result.stdout)
    assert "GLASSBOX_TEST_SECRET" not in names
    assert not set(os.environ) - {"PATH", "HOME", "LANG"} & set(names) - {
        "PATH", "HOME", "LANG", "MPLBACKEND", "MPLCONFIGDIR", "PYTHONDONTWRITEBYTECODE",
        "GLASSBOX_SOCKET", "GLASSBOX_PREV", "HOSTNAME"}


async def test_50mb_of_output_is_capped_and_the_loop_stays_responsive(sandbox: Any) -> None:
    lags: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            before = time.monotonic()
            await asyncio.sleep(0.01)
            lags.append(time.monotonic() - before - 0.01)

    tick = asyncio.create_task(ticker())
    python = await run(sandbox, "import sys\nfor _ in range(50_000):\n"
                                "    sys.stdout.write('x' * 999 + '\\n')\nprint('end')")
    shell = await run(sandbox, "head -c 50000000 /dev/zero | tr '\\0' y", language="bash")
    stop.set()
    await tick
    for result in (python, shell):
        assert result.finished.truncated
        assert result.finished.exit_code == 0
        assert "[output truncated" in result.stderr
        assert len(result.stdout.encode()) <= 100_000
        assert len(result.stdout) > 50_000
    assert max(lags) < 0.1, f"event loop blocked for {max(lags):.3f} s"
    await assert_usable(sandbox)


async def test_peak_memory_is_sampled_in_the_kernel_when_the_host_cannot_read_it(
        sandbox: Any) -> None:
    await run(sandbox, "pass")
    sandbox._sessions["s1"].container._cgroup = None  # as on cgroup v2 or without root
    result = await run(sandbox, "b = bytearray(100 * 2**20)\nimport time\ntime.sleep(0.1)")
    assert result.finished.peak_memory_bytes is not None
    assert result.finished.peak_memory_bytes >= 100 * 2**20
