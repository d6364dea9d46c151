"""`glassbox doctor` lines for the sandbox: Docker engine reachable, image present and current."""

from __future__ import annotations

from typing import Any

from engine.config import SandboxSettings
from engine.errors import SandboxError
from engine.health import HealthCheck
from engine.sandbox.dockerapi import connect, docker_environment
from engine.sandbox.image import image_status


def sandbox_checks(settings: SandboxSettings) -> list[HealthCheck]:
    """Check the Docker engine and the sandbox image (blocking; a few docker API calls)."""
    try:
        client: Any = connect(timeout=5.0, settings=settings)
    except SandboxError as exc:
        return [
            HealthCheck("docker engine", False, exc.message, exc.hint or ""),
            HealthCheck("sandbox image", False, f"{settings.image}: not checked (no engine)",
                        "Start Docker, then run `glassbox sandbox build`."),
        ]
    try:
        version = client.version()
        where = docker_environment(settings).get("DOCKER_HOST") or "local socket"
        engine = HealthCheck("docker engine", True,
                             f"Docker {version.get('Version', '?')} "
                             f"(API {version.get('ApiVersion', '?')}) at {where}")
        status = image_status(client, settings.image)
    finally:
        client.close()
    problem = status.problem(settings.image)
    if problem is not None:
        image = HealthCheck("sandbox image", False, problem.message, problem.hint or "")
    else:
        image = HealthCheck("sandbox image", True,
                            f"{settings.image} ({status.size / 1e6:.0f} MB, "
                            f"{status.image_id.removeprefix('sha256:')[:12]})")
    return [engine, image]
