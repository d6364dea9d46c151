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
