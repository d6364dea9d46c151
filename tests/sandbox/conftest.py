"""Fixtures for the real-Docker sandbox tests; with CI=true a missing engine or image fails.

The suite talks to Docker through a TCP endpoint on 127.0.0.1 (socat in front of the local
socket), as it would to an engine on another machine: nothing may rely on a shared disk.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from engine.config import SandboxSettings
from tests.sandbox.endpoints import LOCAL_SOCKET, Socat

IMAGE = os.environ.get("GLASSBOX_TEST_IMAGE", "glassbox-sandbox:latest")
ENDPOINT: dict[str, str] = {}  # docker_host for make_settings(), set by docker_endpoint


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Docker sandbox tests need {reason} in CI", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def docker_endpoint() -> Iterator[str]:
    """tcp://127.0.0.1:PORT forwarding to the local engine's socket."""
    if shutil.which("socat") is None:
        _unavailable("socat (apt-get install socat), for the TCP endpoint")
    if not Path(LOCAL_SOCKET).exists():
        _unavailable(f"a local Docker engine socket at {LOCAL_SOCKET}")
    with Socat.tcp() as endpoint:
        ENDPOINT["docker_host"] = endpoint
        try:
            yield endpoint
        finally:
            ENDPOINT.clear()


@pytest.fixture(scope="session")
def docker_client(docker_endpoint: str) -> Any:
    """A docker client over the TCP endpoint, with the sandbox image present and current."""
    from engine.errors import SandboxError
    from engine.sandbox.dockerapi import connect
    from engine.sandbox.image import image_status

    try:
        client = connect(timeout=10.0, settings=SandboxSettings(docker_host=docker_endpoint))
    except SandboxError as exc:
        _unavailable(f"a running Docker engine ({exc.message})")
    status = image_status(client, IMAGE)
    if not status.present:
        _unavailable(f"the image {IMAGE} (run `glassbox sandbox build`)")
    if status.stale:
        _unavailable(f"a current {IMAGE}: its kernel is older (run `glassbox sandbox build`)")
    return client


def make_settings(**overrides: Any) -> SandboxSettings:
    """Test settings: small limits so the limit tests finish fast."""
    values: dict[str, Any] = {"image": IMAGE, "memory": "256m", "pids": 64, "timeout_s": 10.0,
                              "output_limit_bytes": 100_000, "workspace_size": "32m",
                              "pool_size": 1, **ENDPOINT}
    values.update(overrides)
    return SandboxSettings(**values)


@pytest.fixture
async def sandbox(docker_client: Any, tmp_path: Path) -> AsyncIterator[Any]:
    """A started DockerSandbox with a full warm pool; closed after the test."""
    async with _started(make_settings(), tmp_path / "ws", docker_client) as runner:
        yield runner


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def analysis_runner(docker_client: Any,
                          tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Any]:
    """One warm container for a module's programs, each making its own files: pandas and matplotlib
    need more room than the limit tests' defaults, and the first matplotlib import builds its font
    cache."""
    settings = make_settings(memory="512m", timeout_s=60.0, workspace_size="64m")
    async with _started(settings, tmp_path_factory.mktemp("analysis") / "ws", docker_client) as runner:
        yield runner


@contextlib.asynccontextmanager
async def _started(settings: SandboxSettings, folder: Path, client: Any) -> AsyncIterator[Any]:
    from engine.sandbox.docker_runner import DockerSandbox

    runner = DockerSandbox(settings, folder, client=client)
    await runner.start()
    await runner.wait_ready()
    try:
        yield runner
    finally:
        await runner.close()
