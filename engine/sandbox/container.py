"""One sandbox container: its Docker lifecycle and the framed socket to its resident kernel."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import struct
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker.errors
from docker.types import LogConfig, Mount

from engine.errors import SandboxError
from engine.sandbox.dockerapi import blocking
from engine.sandbox.image import image_missing
from engine.sandbox.reaper import owner_labels

HEADER = struct.Struct(">II")
MAX_HEADER = 1 << 20
MAX_PAYLOAD = 8 << 20
SANDBOX_USER = "1000:1000"
KERNEL_CMD = ["/opt/venv/bin/python3", "-I", "/opt/glassbox/kernel.py", "supervise"]
# The image's ENV (Dockerfile) sets the rest; Docker passes nothing of the host's own.
CONTAINER_ENV = {"GLASSBOX_SOCKET": "/run/glassbox/kernel.sock"}  # where the host mounts it
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


def safe_name(name: str, limit: int = 80) -> str:
    """`name` reduced to characters safe in a path component and a container name."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:limit] or "_"


def parse_size(text: str) -> int:
    """Bytes in a Docker-style size such as 512m, 1g or 1048576."""
    match = _SIZE.match(text)
    if not match:
        raise SandboxError(f"'{text}' is not a size (use e.g. 256m or 1g).")
    scale = 1024 ** "bkmgt".index((match.group(2) or "b").lower())
    return int(float(match.group(1)) * scale)


@dataclass(frozen=True, slots=True)
class ContainerSpec:
    """What every container of a runner gets: image and limits."""

    image: str
    memory: str
    cpus: float
    pids: int
    workspace_size: str
    runtime_root: Path


@dataclass(frozen=True, slots=True)
class Frame:
    """One message from the kernel; `op` is None for end of connection."""

    header: dict[str, Any]
    payload: bytes = b""

    @property
    def op(self) -> str | None:
        """The message kind (hello, out, truncated, artifact, done, pong) or None at EOF."""
        value = self.header.get("op")
        return value if isinstance(value, str) else None


EOF = Frame({})


@dataclass
class _Conn:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    task: asyncio.Task[None] | None = None


@dataclass
class SandboxContainer:
    """A started container whose kernel has said hello; send() and frames to talk to it."""

    client: Any
    spec: ContainerSpec
    session: str = "pool"
    name: str = field(default_factory=lambda: f"glassbox-{uuid.uuid4().hex[:12]}")
    container_id: str = ""
    frames: asyncio.Queue[Frame] = field(default_factory=asyncio.Queue)
    oom_kills: int = 0
    memory: str = ""
    broken: bool = False
    _conn: _Conn | None = None
    _server: asyncio.AbstractServer | None = None
    _cgroup: Path | None = None

    @property
    def runtime_dir(self) -> Path:
        """Host directory mounted read-only at /run/glassbox, holding the host's socket."""
        return self.spec.runtime_root / self.name

    async def start(self, timeout_s: float = 30.0) -> None:
        """Create the container and wait for its kernel's hello."""
        self.runtime_dir.mkdir(parents=True, exist_ok=True)
        self.runtime_dir.chmod(0o755)
        sock = self.runtime_dir / "kernel.sock"
        # The host listens and the kernel connects, so the mount can stay read-only.
        self._server = await asyncio.start_unix_server(self._on_connect, path=str(sock))
        sock.chmod(0o666)
        self.memory = self.spec.memory
        try:
            self.container_id = await blocking(self._create_and_start)
            hello = await self._wait_hello(timeout_s)
        except BaseException:
            await self.remove()
            raise
        self.oom_kills = int(hello.header.get("oom_kills", 0))
        self._cgroup = _find_cgroup(self.container_id)

    def _create_and_start(self) -> str:
        spec = self.spec
        try:
            container = self.client.containers.create(
                spec.image,
                command=KERNEL_CMD,
                name=self.name,
                labels=owner_labels(self.session, self.runtime_dir),
                environment=CONTAINER_ENV,
                user=SANDBOX_USER,
                working_dir="/workspace",
                hostname="sandbox",
                network_mode="none",
                mem_limit=spec.memory,
                memswap_limit=spec.memory,  # equal: no swap to hide behind
                nano_cpus=int(spec.cpus * 1e9),
                pids_limit=spec.pids,
                read_only=True,
                cap_drop=["ALL"],
                security_opt=["no-new-privileges"],
                # /workspace is a tmpfs rather than a host bind mount: size= is a hard
                # limit, and the code gets no writable path on the host at all.
                tmpfs={
                    "/workspace": f"rw,nosuid,nodev,size={spec.workspace_size},"
                                  "uid=1000,gid=1000,mode=0755",
                    "/tmp": "rw,nosuid,nodev,size=64m,mode=1777",
                },
                mounts=[Mount("/run/glassbox", str(self.runtime_dir), type="bind",
                              read_only=True)],
                log_config=LogConfig(type="json-file", config={"max-size": "1m",
                                                               "max-file": "1"}),
                stdin_open=False,
                tty=False,
                detach=True,
            )
            container.start()
        except docker.errors.ImageNotFound:
            raise image_missing(spec.image) from None
        except docker.errors.DockerException as exc:
            raise SandboxError(f"Could not start a sandbox container: {exc}.") from None
        return str(container.id)

    async def _wait_hello(self, timeout_s: float) -> Frame:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                frame = await asyncio.wait_for(self.frames.get(), timeout=min(remaining, 1.0))
            except TimeoutError:
                if remaining <= 1.0:
                    raise SandboxError("The sandbox kernel did not start in time.",
                                       hint=await self.logs_hint()) from None
                if not await self.is_running():
                    raise SandboxError("The sandbox container exited at start.",
                                       hint=await self.logs_hint()) from None
                continue
            if frame.op == "hello":
                return frame

    async def _on_connect(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        try:
            hello = await asyncio.wait_for(_read_frame(reader), timeout=5.0)
        except (TimeoutError, OSError, ValueError, asyncio.IncompleteReadError):
            writer.close()
            return
        if hello.op != "hello":
            writer.close()
            return
        # A restarted worker replaces the old connection; its EOF no longer matters.
        old = self._conn
        self._conn = _Conn(reader, writer)
        if old is not None:
            if old.task is not None:
                old.task.cancel()
            old.writer.close()
        self._conn.task = asyncio.create_task(self._read_loop(self._conn))
        self.frames.put_nowait(hello)

    async def _read_loop(self, conn: _Conn) -> None:
        try:
            while True:
                self.frames.put_nowait(await _read_frame(conn.reader))
        except asyncio.CancelledError:
            return
        except (OSError, ValueError, asyncio.IncompleteReadError):
            pass
        if self._conn is conn:
            self.frames.put_nowait(EOF)

    async def send(self, header: dict[str, Any], payload: bytes = b"") -> bool:
        """Send one frame to the kernel; False when there is no live connection."""
        conn = self._conn
        if conn is None or conn.writer.is_closing():
            return False
        raw = json.dumps(header).encode()
        try:
            conn.writer.write(HEADER.pack(len(raw), len(payload)) + raw + payload)
            await conn.writer.drain()
        except (OSError, ConnectionError):
            return False
        return True

    def drain_frames(self) -> None:
        """Drop frames left from an earlier execution."""
        while not self.frames.empty():
            self.frames.get_nowait()

    async def signal_supervisor(self) -> bool:
        """Hard kill: PID 1 kills every other process and starts a fresh worker."""
        try:
            await blocking(self.client.api.kill, self.container_id, signal="SIGUSR1")
        except docker.errors.DockerException:
            return False
        return True

    async def set_memory(self, memory: str) -> None:
        """Change the container's memory limit (per-execution override)."""
        if parse_size(memory) == parse_size(self.memory):
            return
        try:
            await blocking(self.client.api.update_container, self.container_id,
                           mem_limit=memory, memswap_limit=memory)
        except docker.errors.DockerException as exc:
            raise SandboxError(f"Could not set the memory limit to {memory}: {exc}.") from None
        self.memory = memory

    def reset_peak(self) -> bool:
        """Zero the cgroup's peak-memory counter from the host; False when not allowed."""
        if self._cgroup is None:
            return False
        try:
            (self._cgroup / "memory.max_usage_in_bytes").write_text("0")
        except OSError:
            self._cgroup = None
            return False
        return True

    def read_peak(self) -> int | None:
        """The cgroup's peak memory since reset_peak(), read on the host."""
        if self._cgroup is None:
            return None
        try:
            return int((self._cgroup / "memory.max_usage_in_bytes").read_text())
        except (OSError, ValueError):
            return None

    async def is_running(self) -> bool:
        """True while Docker reports the container as running."""
        try:
            info = await blocking(self.client.api.inspect_container, self.container_id)
        except docker.errors.DockerException:
            return False
        return bool(info.get("State", {}).get("Running"))

    async def logs_hint(self) -> str:
        """The last lines the kernel printed, for an error message."""
        if not self.container_id:
            return ""
        try:
            raw = await blocking(self.client.api.logs, self.container_id, tail=5)
        except docker.errors.DockerException:
            return ""
        text = raw.decode("utf-8", "replace").strip() if isinstance(raw, bytes) else ""
        return f"Kernel said: {text}" if text else "Run `glassbox doctor`."

    async def rename(self, session: str) -> None:
        """Name the container after its session (for `docker ps`); failures do not matter."""
        new_name = f"glassbox-{safe_name(session, 40)}-{self.name[-6:]}"
        with contextlib.suppress(docker.errors.DockerException):
            await blocking(self.client.api.rename, self.container_id, new_name)

    async def remove(self) -> None:
        """Close the socket, remove the container and its runtime directory."""
        self.broken = True
        if self._conn is not None:
            if self._conn.task is not None:
                self._conn.task.cancel()
            self._conn.writer.close()
            self._conn = None
        if self._server is not None:
            self._server.close()
            self._server = None
        if self.container_id:
            with contextlib.suppress(docker.errors.DockerException):
                await blocking(self.client.api.remove_container, self.container_id, force=True)
        else:
            with contextlib.suppress(docker.errors.DockerException):
                await blocking(self.client.api.remove_container, self.name, force=True)
        shutil.rmtree(self.runtime_dir, ignore_errors=True)


async def _read_frame(reader: asyncio.StreamReader) -> Frame:
    hlen, plen = HEADER.unpack(await reader.readexactly(HEADER.size))
    if hlen > MAX_HEADER or plen > MAX_PAYLOAD:
        raise ValueError("frame too large")
    header = json.loads(await reader.readexactly(hlen))
    if not isinstance(header, dict):
        raise ValueError("frame header is not an object")
    payload = await reader.readexactly(plen) if plen else b""
    return Frame(header, payload)


def _find_cgroup(container_id: str) -> Path | None:
    # cgroup v1 layouts of the cgroupfs and systemd drivers; v2 has no resettable peak.
    for candidate in (
        Path("/sys/fs/cgroup/memory/docker") / container_id,
        Path("/sys/fs/cgroup/memory/system.slice") / f"docker-{container_id}.scope",
    ):
        if (candidate / "memory.max_usage_in_bytes").exists():
            return candidate
    return None
