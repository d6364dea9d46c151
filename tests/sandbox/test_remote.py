"""The sandbox through remote-style endpoints (TCP, TCP with TLS, ssh), with no host mounts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from engine.config import SandboxSettings
from engine.errors import SandboxError
from engine.sandbox.docker_runner import DockerSandbox
from engine.sandbox.dockerapi import connect
from engine.sandbox.reaper import LABEL_OWNER_PID
from tests.conftest import require
from tests.sandbox.conftest import IMAGE, make_settings
from tests.sandbox.endpoints import Socat, free_port, make_tls, sshd
from tests.sandbox.helpers import run

pytestmark = pytest.mark.docker


async def test_containers_are_reached_over_tcp_and_mount_nothing_from_the_host(
        sandbox: Any, docker_client: Any) -> None:
    assert docker_client.api.base_url.startswith("http://127.0.0.1:")
    code = ("import os\nos.makedirs('out', exist_ok=True)\n"
            "open('out/r.txt', 'w').write('artifact')\nprint('ran')")
    result = await run(sandbox, code)
    assert result.stdout == "ran\n"
    [artifact] = result.finished.artifacts  # artifacts travel through the API stream too
    assert Path(artifact.path).read_bytes() == b"artifact"  # noqa: ASYNC240
    await sandbox.wait_ready()  # the pool refills behind the session's container
    mine = docker_client.containers.list(filters={"label": f"{LABEL_OWNER_PID}={os.getpid()}"})
    assert len(mine) == 2  # the session's and the pool's
    for container in mine:
        assert container.attrs["Mounts"] == []
        host = container.attrs["HostConfig"]
        assert not host.get("Binds") and not host.get("Mounts") and not host.get("VolumesFrom")
        assert set(host["Tmpfs"]) == {"/workspace", "/tmp"}  # memory of the engine, not disk


async def test_the_sandbox_works_through_tcp_with_tls(docker_client: Any, tmp_path: Path) -> None:
    require(shutil.which("openssl") is not None, "openssl, to make the test certificates")
    certs = make_tls(tmp_path / "certs")
    with Socat.tcp(tls_dir=certs) as endpoint:
        settings = make_settings(docker_host=endpoint, docker_cert_path=str(certs),
                                 max_live_sessions=1, idle_retire_s=0)
        runner = DockerSandbox(settings, tmp_path / "ws")  # connects by itself, from settings
        await runner.start()
        try:
            assert runner.client.api.base_url.startswith("https://127.0.0.1:")
            await run(runner, "open('kept.txt', 'w').write('tls')\nx = 1", session="a")
            state = await run(runner, "print(x + 1)", session="a")
            assert state.stdout == "2\n"
            container = runner._sessions["a"].container
            assert container is not None and container._channel is not None
            assert container._channel._thread is not None  # the TLS socket goes by a thread
            await run(runner, "print(3)", session="b")  # over the cap of 1: a is retired
            back = await run(runner, "print(open('kept.txt').read())", session="a")
            assert back.stdout == "tls\n"
            assert back.restored is not None and back.restored.files == 1
        finally:
            await runner.close()


@pytest.mark.slow  # the SDK starts ssh and `docker system dial-stdio` per API connection
async def test_the_sandbox_works_through_ssh(docker_client: Any, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    require(shutil.which("sshd") is not None and shutil.which("docker") is not None,
            "sshd and the docker CLI (apt-get install openssh-server docker.io)")
    with sshd(tmp_path / "ssh") as (endpoint, bin_dir):
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        settings = make_settings(docker_host=endpoint, max_live_sessions=1, idle_retire_s=0,
                                 pool_size=0)
        runner = DockerSandbox(settings, tmp_path / "ws")
        await runner.start()
        try:
            assert runner.client.api.base_url == "http+docker://ssh"
            first = await run(runner, "import sys\nopen('kept.txt', 'w').write('ssh')\n"
                                      "print(2)\nprint('e', file=sys.stderr)", session="a")
            assert (first.stdout, first.stderr) == ("2\n", "e\n")
            await run(runner, "print(3)", session="b")  # over the cap of 1: a is retired
            back = await run(runner, "print(open('kept.txt').read())", session="a")
            assert back.stdout == "ssh\n"
            assert back.restored is not None and back.restored.files == 1
        finally:
            await runner.close()


def test_an_unreachable_endpoint_says_which_one(docker_client: Any) -> None:
    where = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(SandboxError, match=where.replace(".", r"\.")) as caught:
        connect(timeout=2.0, settings=SandboxSettings(image=IMAGE, docker_host=where))
    assert "docker_host" in (caught.value.hint or "")
