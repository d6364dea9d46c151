"""Fixtures for the real-Docker sandbox tests; with CI=true a missing engine or image fails."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from engine.config import SandboxSettings

IMAGE = os.environ.get("GLASSBOX_TEST_IMAGE", "glassbox-sandbox:latest")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Docker sandbox tests need {reason} in CI", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def docker_client() -> Any:
    """A docker client with the sandbox image present and current."""
    from engine.errors import SandboxError
    from engine.sandbox.dockerapi import connect
    from engine.sandbox.image import image_status

    try:
        client = connect(timeout=10.0)
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
                              "pool_size": 1}
    values.update(overrides)
    return SandboxSettings(**values)


@pytest.fixture
async def sandbox(docker_client: Any, tmp_path: Path) -> AsyncIterator[Any]:
    """A started DockerSandbox with a full warm pool; closed after the test."""
    from engine.sandbox.docker_runner import DockerSandbox

    runner = DockerSandbox(make_settings(), tmp_path / "ws", client=docker_client)
    await runner.start()
    await runner.wait_ready()
    try:
        yield runner
    finally:
        await runner.close()
