"""A `docker exec` process's stdin and output as an async byte channel (works on any endpoint)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
from typing import Any

import docker.errors

from engine.errors import SandboxError
from engine.sandbox.dockerapi import blocking, close_exec_socket, open_exec_socket

STDOUT, STDERR = 1, 2
_MUX_HEADER = 8  # Docker's stream header without a TTY: kind, 3 zero bytes, big-endian size


def recv_exact(raw: Any, size: int) -> bytes:
    """`size` bytes from a blocking socket-like object, fewer only at the end of the stream."""
    data = bytearray()
    while len(data) < size:
        chunk = raw.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


class ExecChannel:
    """The attached streams of one exec: write() to its stdin, read() its stdout and stderr.

    Over unix and plain tcp endpoints the hijacked socket is handed to asyncio, so a frame
    costs no thread hop; over TLS or ssh (an SSL socket or an ssh pipe that asyncio cannot
    adopt) one thread per channel reads and writes go through the docker thread pool.
    """

    def __init__(self, exec_id: str, reader: asyncio.StreamReader) -> None:
        self.exec_id = exec_id
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self._writer: asyncio.StreamWriter | None = None
        self._raw: Any = None
        self._thread: threading.Thread | None = None
        # OpenSSL reads and writes by fd number: closing while a thread is inside SSL_read
        # or SSL_write could let it touch the next connection given that number. So close()
        # only shuts the socket down, and the reader thread closes it, under this lock.
        self._io_lock = threading.Lock()
        self.closed = False

    @classmethod
    async def open(cls, client: Any, container_id: str, cmd: list[str], user: str) -> ExecChannel:
        """Create and start the exec with its stdin attached (raises SandboxError)."""
        try:
            created = await blocking(client.api.exec_create, container_id, cmd, stdin=True,
                                     user=user)
            sock, raw = await blocking(open_exec_socket, client, created["Id"])
        except docker.errors.DockerException as exc:
            raise SandboxError(f"Could not start the sandbox kernel: {exc}.") from None
        loop = asyncio.get_running_loop()
        if type(raw) is socket.socket:
            own = raw.dup()  # ours alone; the SDK's objects are released now
            close_exec_socket(sock, raw)
            if own.family in (socket.AF_INET, socket.AF_INET6):
                own.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            reader, writer = await asyncio.open_connection(sock=own, limit=1 << 22)
            channel = cls(created["Id"], reader)
            channel._writer = writer
            return channel
        reader = asyncio.StreamReader(limit=1 << 22, loop=loop)
        channel = cls(created["Id"], reader)
        channel._raw = (sock, raw)
        channel._thread = threading.Thread(target=channel._pump, args=(loop, raw),
                                           name="glassbox-exec-reader", daemon=True)
        channel._thread.start()
        return channel

    def _pump(self, loop: asyncio.AbstractEventLoop, raw: Any) -> None:
        # Whole stream frames, read exactly: the ssh transport's recv(n) waits for all n bytes.
        try:
            while header := recv_exact(raw, _MUX_HEADER):
                size = int.from_bytes(header[4:8], "big")
                payload = recv_exact(raw, size) if size else b""
                if len(payload) < size:
                    break
                loop.call_soon_threadsafe(self._reader.feed_data, header + payload)
        except (OSError, ValueError):
            pass
        finally:
            with self._io_lock:
                self.closed = True
                close_exec_socket(*self._raw)
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody reads
            loop.call_soon_threadsafe(self._reader.feed_eof)

    def _send(self, data: bytes) -> None:
        with self._io_lock:
            if self.closed:
                raise OSError("the exec stream is closed")
            self._raw[1].sendall(data)

    async def read(self) -> tuple[int, bytes]:
        """The next chunk as (STDOUT or STDERR, bytes); raises IncompleteReadError at the end."""
        header = await self._reader.readexactly(_MUX_HEADER)
        size = int.from_bytes(header[4:8], "big")
        return header[0], await self._reader.readexactly(size) if size else b""

    async def write(self, data: bytes) -> bool:
        """Send bytes to the exec's stdin; False when the channel is closed or broken."""
        if self.closed:
            return False
        try:
            async with self._write_lock:
                if self._writer is not None:
                    self._writer.write(data)
                    await self._writer.drain()
                else:
                    await blocking(self._send, data)
        except (OSError, ConnectionError):
            return False
        return True

    def close(self) -> None:
        """Hang up: the exec's stdin ends, and so does the kernel worker reading it."""
        if self.closed:
            return
        self.closed = True
        if self._writer is not None:
            self._writer.close()
        elif self._raw is not None:
            raw = self._raw[1]
            if isinstance(raw, ssl.SSLSocket):
                with contextlib.suppress(OSError):
                    raw.shutdown(socket.SHUT_RDWR)  # the reader thread wakes and closes
            else:
                close_exec_socket(*self._raw)  # an ssh pipe: ending ssh wakes the reader
