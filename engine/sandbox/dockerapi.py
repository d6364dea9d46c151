"""The docker SDK client and a small thread pool so blocking calls never run on the loop."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import docker
import docker.errors
import docker.utils
from docker.constants import MINIMUM_DOCKER_API_VERSION

from engine.config import SandboxSettings
from engine.errors import SandboxError

T = TypeVar("T")

_EXECUTOR = ThreadPoolExecutor(max_workers=8, thread_name_prefix="glassbox-docker")


def docker_environment(settings: SandboxSettings | None) -> dict[str, str]:
    """DOCKER_* variables as the SDK reads them: the process's, with the settings on top."""
    env = {k: v for k, v in os.environ.items() if k.startswith("DOCKER_")}
    if settings is not None:
        if settings.docker_host:
            env["DOCKER_HOST"] = settings.docker_host
        if settings.docker_cert_path:
            env["DOCKER_CERT_PATH"] = str(Path(settings.docker_cert_path).expanduser())
            env["DOCKER_TLS_VERIFY"] = "1" if settings.docker_tls_verify else ""
    return env


def connect(timeout: float = 30.0, settings: SandboxSettings | None = None) -> Any:
    """A docker client for the configured engine; SandboxError (with the fix) when unreachable.

    The endpoint is sandbox.docker_host, else DOCKER_HOST, else the local socket; ssh://
    endpoints go through the system's ssh client.
    """
    env = docker_environment(settings)
    where = env.get("DOCKER_HOST") or "the local socket"
    try:
        client = _client(env, int(timeout))
        client.ping()
    except docker.errors.DockerException as exc:
        raise SandboxError(
            f"The Docker engine at {where} is not reachable ({_short(exc)}).",
            hint="Start Docker (e.g. `sudo systemctl start docker`), or set sandbox.docker_host "
                 "or DOCKER_HOST to a reachable engine.",
        ) from None
    return client


def open_exec_socket(client: Any, exec_id: str) -> tuple[Any, Any]:
    """Start an exec and return (the SDK's stream object, the socket to send and recv on)."""
    sock = client.api.exec_start(exec_id, socket=True)
    # Over http(s) the SDK hands back a SocketIO wrapping the socket; ssh gives a channel.
    return sock, getattr(sock, "_sock", sock)


def close_exec_socket(sock: Any, raw: Any) -> None:
    """Release an exec stream's connection and file descriptor."""
    for part in (raw, sock):
        with contextlib.suppress(OSError):
            part.close()
    response = getattr(sock, "_response", None)
    if response is not None:
        with contextlib.suppress(Exception):
            response.close()


def _client(env: dict[str, str], timeout: int) -> Any:
    kwargs = docker.utils.kwargs_from_env(environment=env)
    tls = kwargs.get("tls")
    if tls is None or not (tls.verify and tls.ca_cert):
        return docker.DockerClient(timeout=timeout, use_ssh_client=True, **kwargs)
    # requests lets REQUESTS_CA_BUNDLE override the engine's own CA (ca.pem) unless the
    # session ignores the environment, and the SDK's automatic version check would happen
    # before that could be set: ask for the version with a client that does, then pin it.
    probe = docker.DockerClient(timeout=timeout, version=MINIMUM_DOCKER_API_VERSION, **kwargs)
    probe.api.trust_env = False
    try:
        version = str(probe.version()["ApiVersion"])
    finally:
        probe.close()
    client = docker.DockerClient(timeout=timeout, version=version, **kwargs)
    client.api.trust_env = False
    return client


async def blocking(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run a blocking docker call in the sandbox's own thread pool."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_EXECUTOR, functools.partial(fn, *args, **kwargs))


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
