"""The docker SDK client and a small thread pool so blocking calls never run on the loop."""

from __future__ import annotations

import asyncio
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


async def blocking(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run a blocking docker call in the sandbox's own thread pool."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_EXECUTOR, functools.partial(fn, *args, **kwargs))


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
