"""Attached files reach /workspace over the Docker API, and a plot saved to /workspace/out comes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.errors import SandboxError
from tests.sandbox.helpers import run

pytestmark = pytest.mark.docker

PLOT = """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
plt.plot([1, 2, 3], [2, 4, 1])
plt.savefig("/workspace/out/plot.png")
print("saved")
"""


async def test_an_attached_file_is_readable_by_code_in_workspace(sandbox: Any, tmp_path: Path) -> None:
    source = tmp_path / "data.csv"
    source.write_bytes(b"x,y\n1,2\n3,4\n" + bytes(range(256)) * 40)  # binary bytes survive too
    path = await sandbox.put_file("s1", source, "data.csv")
    assert path == "/workspace/data.csv"
    result = await run(sandbox, "import hashlib, os\n"
                                "data = open('/workspace/data.csv', 'rb').read()\n"
                                "print(len(data), hashlib.sha256(data).hexdigest(), os.getuid())")
    import hashlib

    data = source.read_bytes()
    assert result.stdout.split() == [str(len(data)), hashlib.sha256(data).hexdigest(), "1000"]
    # The session's variables and files are as before: attaching did not restart anything.
    await run(sandbox, "kept = 41")
    await sandbox.put_file("s1", source, "again.csv")
    assert (await run(sandbox, "print(kept + 1, os.path.getsize('/workspace/again.csv'))")).stdout \
        == f"42 {len(data)}\n"


async def test_a_file_larger_than_the_workspace_fails_with_tars_words(sandbox: Any, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as handle:  # the test workspace is 32 MiB
        handle.truncate(40 * 1024 * 1024)
    with pytest.raises(SandboxError, match="Could not copy big.bin into the sandbox"):
        await sandbox.put_file("s1", big, "big.bin")
    result = await run(sandbox, "print(1)")  # the session is still usable
    assert result.stdout == "1\n"


async def test_a_matplotlib_plot_comes_back_as_a_png_artifact(sandbox: Any) -> None:
    result = await run(sandbox, PLOT)
    assert result.stdout == "saved\n", result.stderr
    artifacts = result.finished.artifacts
    assert [a.name for a in artifacts] == ["plot.png"] and artifacts[0].mime == "image/png"
    with open(artifacts[0].path, "rb") as handle:  # noqa: ASYNC230 - a small local file
        assert handle.read(8) == bytes.fromhex("89504e470d0a1a0a")


async def test_attaching_to_a_retired_session_restores_its_files_and_the_next_run_says_so(
        docker_client: Any, tmp_path: Path) -> None:
    from engine.sandbox.docker_runner import DockerSandbox
    from tests.sandbox.conftest import make_settings

    runner = DockerSandbox(make_settings(max_live_sessions=1, idle_retire_s=0), tmp_path / "ws",
                           client=docker_client)
    await runner.start()
    await runner.wait_ready()
    try:
        await run(runner, "open('/workspace/kept.txt', 'w').write('kept')\nx = 1", session="a")
        await run(runner, "y = 1", session="b")  # over the cap: a is retired
        assert "a" not in runner._sessions
        source = tmp_path / "data.csv"
        source.write_text("x,y\n1,2\n")
        await runner.put_file("a", source, "data.csv")  # a comes back, with its files
        result = await run(runner, "import os\nprint(sorted(os.listdir('/workspace')))", session="a")
        assert result.stdout == "['data.csv', 'kept.txt', 'out']\n", result.stderr
        assert result.restored is not None and result.restored.files == 1
        assert "variables from earlier runs are gone" in result.stderr
    finally:
        await runner.close()
