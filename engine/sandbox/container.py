"""One sandbox container: its Docker lifecycle and the framed exec stream to its resident kernel."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import struct
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker.errors
from docker.types import LogConfig

from engine.errors import SandboxError
from engine.sandbox.channel import STDOUT, ExecChannel
from engine.sandbox.dockerapi import blocking
from engine.sandbox.image import image_missing
from engine.sandbox.reaper import owner_labels

log = logging.getLogger(__name__)

HEADER = struct.Struct(">II")
MAX_HEADER = 1 << 20
MAX_PAYLOAD = 8 << 20
SANDBOX_USER = "1000:1000"
KERNEL_CMD = ["/opt/venv/bin/python3", "-I", "/opt/glassbox/kernel.py", "supervise"]
WORKER_CMD = ["/opt/venv/bin/python3", "-I", "/opt/glassbox/kernel.py", "worker"]
FAST_DEATH_S = 0.5  # a worker that dies sooner counts towards giving the container up
MAX_FAST_DEATHS = 5
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
class SandboxContainer:
    """A started container whose kernel has said hello; send() and frames to talk to it.

    The host starts each kernel worker with `docker exec` and speaks to it over that exec's
    stdin and stdout; when a worker ends (killed, out of memory) an EOF frame is queued and a
    new worker is started, whose hello (with `prev`: how the old one ended) follows.
    """

    client: Any
    spec: ContainerSpec
    session: str = "pool"
    name: str = field(default_factory=lambda: f"glassbox-{uuid.uuid4().hex[:12]}")
    container_id: str = ""
    frames: asyncio.Queue[Frame] = field(default_factory=asyncio.Queue)
    oom_kills: int = 0
    memory: str = ""
    broken: bool = False
    _channel: ExecChannel | None = None
    _reader: asyncio.Task[None] | None = None
    _stderr_tail: bytes = b""
    _fast_deaths: int = 0
    _cgroup: Path | None = None

    async def start(self, timeout_s: float = 30.0) -> None:
        """Create the container, start its kernel worker and wait for the hello."""
        self.memory = self.spec.memory
        try:
            self.container_id = await blocking(self._create_and_start)
            await self._start_worker("start")
            hello = await self._wait_hello(timeout_s)
        except BaseException:
            await self.remove()
            raise
        self.oom_kills = int(hello.header.get("oom_kills", 0))
        self._cgroup = _find_cgroup(self.container_id)

    async def _start_worker(self, prev: str) -> None:
        channel = await ExecChannel.open(self.client, self.container_id, WORKER_CMD,
                                         SANDBOX_USER)
        if self.broken:  # removed meanwhile
            channel.close()
            return
        self._channel = channel
        self._reader = asyncio.create_task(self._read_loop(channel, prev,
                                                           asyncio.get_running_loop().time()))
        # The worker says hello only after this first frame: by then the stream is read here.
        await self.send({"op": "hello"})

    async def _read_loop(self, channel: ExecChannel, prev: str, started: float) -> None:
        buffer = bytearray()
        try:
            while True:
                kind, data = await channel.read()
                if kind != STDOUT:
                    self._stderr_tail = (self._stderr_tail + data)[-2000:]
                    continue
                buffer += data
                while (frame := _take_frame(buffer)) is not None:
                    if frame.op == "hello":
                        frame.header["prev"] = prev
                    self.frames.put_nowait(frame)
        except asyncio.CancelledError:
            channel.close()
            return
        except (OSError, ValueError, asyncio.IncompleteReadError):
            pass
        channel.close()
        if self._channel is not channel or self.broken:
            return
        self._channel = None
        self.frames.put_nowait(EOF)
        await self._replace_worker(channel, started)

    async def _replace_worker(self, old: ExecChannel, started: float) -> None:
        loop = asyncio.get_running_loop()
        prev = "killed"
        with contextlib.suppress(docker.errors.DockerException):
            code = (await blocking(self.client.api.exec_inspect, old.exec_id)).get("ExitCode")
            if isinstance(code, int):
                prev = f"signal {code - 128}" if code > 128 else f"exit {code}"
        if loop.time() - started < FAST_DEATH_S:
            self._fast_deaths += 1
            await asyncio.sleep(FAST_DEATH_S)
        else:
            self._fast_deaths = 0
        if self._fast_deaths >= MAX_FAST_DEATHS or self.broken:
            self.broken = True
            return
        try:
            await self._start_worker(prev)
        except SandboxError as exc:
            log.warning("sandbox: could not restart the kernel of %s: %s", self.name, exc)
            self.broken = True

    def _create_and_start(self) -> str:
        spec = self.spec
        try:
            container = self.client.containers.create(
                spec.image,
                command=KERNEL_CMD,
                name=self.name,
                labels=owner_labels(self.session),
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
            if self.broken:
                raise SandboxError("The sandbox kernel did not start.",
                                   hint=await self.logs_hint())
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

    async def send(self, header: dict[str, Any], payload: bytes = b"") -> bool:
        """Send one frame to the kernel; False when there is no live worker."""
        channel = self._channel
        if channel is None:
            return False
        raw = json.dumps(header).encode()
        return await channel.write(HEADER.pack(len(raw), len(payload)) + raw + payload)

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
        raw = self._stderr_tail
        if not raw and self.container_id:
            with contextlib.suppress(docker.errors.DockerException):
                raw = await blocking(self.client.api.logs, self.container_id, tail=5)
        text = raw.decode("utf-8", "replace").strip()[-500:] if isinstance(raw, bytes) else ""
        return f"Kernel said: {text}" if text else "Run `glassbox doctor`."

    async def rename(self, session: str) -> None:
        """Name the container after its session (for `docker ps`); failures do not matter."""
        new_name = f"glassbox-{safe_name(session, 40)}-{self.name[-6:]}"
        with contextlib.suppress(docker.errors.DockerException):
            await blocking(self.client.api.rename, self.container_id, new_name)

    async def remove(self) -> None:
        """Hang up on the kernel and remove the container."""
        self.broken = True
        if self._reader is not None:
            self._reader.cancel()
            self._reader = None
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self.container_id:
            with contextlib.suppress(docker.errors.DockerException):
                await blocking(self.client.api.remove_container, self.container_id, force=True)
        else:
            with contextlib.suppress(docker.errors.DockerException):
                await blocking(self.client.api.remove_container, self.name, force=True)


def _take_frame(buffer: bytearray) -> Frame | None:
    """Cut the first whole frame off `buffer`; None until one has fully arrived."""
    if len(buffer) < HEADER.size:
        return None
    hlen, plen = HEADER.unpack_from(buffer)
    if hlen > MAX_HEADER or plen > MAX_PAYLOAD:
        raise ValueError("frame too large")
    end = HEADER.size + hlen + plen
    if len(buffer) < end:
        return None
    header = json.loads(bytes(buffer[HEADER.size:HEADER.size + hlen]))
    if not isinstance(header, dict):
        raise ValueError("frame header is not an object")
    payload = bytes(buffer[HEADER.size + hlen:end])
    del buffer[:end]
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
