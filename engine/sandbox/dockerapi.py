"""The docker SDK client and a small thread pool so blocking calls never run on the loop."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import docker
import docker.errors

from engine.errors import SandboxError

T = TypeVar("T")

_EXECUTOR = ThreadPoolExecutor(max_workers=8, thread_name_prefix="glassbox-docker")


def connect(timeout: float = 30.0) -> Any:
    """A docker client for the local engine; SandboxError (with the fix) when unreachable."""
    try:
        client = docker.from_env(timeout=int(timeout))
        client.ping()
    except docker.errors.DockerException as exc:
        raise SandboxError(
            f"The Docker engine is not reachable ({_short(exc)}).",
            hint="Start Docker (e.g. `sudo systemctl start docker`) or set DOCKER_HOST.",
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


async def blocking(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run a blocking docker call in the sandbox's own thread pool."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_EXECUTOR, functools.partial(fn, *args, **kwargs))


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
