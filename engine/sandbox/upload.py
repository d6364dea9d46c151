"""Putting one host file into a container's /workspace through a docker exec stream (no bind mount)."""

from __future__ import annotations

import tarfile
import time
from pathlib import Path
from typing import Any

import docker.errors

from engine.errors import SandboxError
from engine.sandbox.archive import WORKSPACE, _demux, _exit_code
from engine.sandbox.dockerapi import close_exec_socket, open_exec_socket

_CHUNK = 1 << 16
_BLOCK = tarfile.BLOCKSIZE


def tar_header(name: str, size: int) -> bytes:
    """The tar header of one regular file owned by the sandbox user (uid and gid 1000)."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o644
    info.uid = info.gid = 1000
    info.mtime = int(time.time())
    return info.tobuf(format=tarfile.PAX_FORMAT)


def upload_file(client: Any, container_id: str, source: Path, name: str) -> int:
    """Copy `source` to /workspace/`name` in the container (blocking); returns the bytes copied.

    A one-file tar stream goes into `tar -x` on the exec's stdin, so this works against a remote
    engine too. Raises SandboxError with tar's own words when it fails (e.g. the workspace is full).
    """
    size = source.stat().st_size
    header = tar_header(name, size)
    padding = -size % _BLOCK
    total = len(header) + size + padding + 2 * _BLOCK
    # head -c ends tar's input after the archive, so the stream needs no half-close
    # (which TLS and ssh transports cannot all do).
    cmd = ["sh", "-c", f"head -c {total} | tar -x -f - -C {WORKSPACE}"]
    errors = bytearray()
    try:
        exec_id = client.api.exec_create(container_id, cmd, stdin=True, user="1000:1000")["Id"]
        sock, raw = open_exec_socket(client, exec_id)
        try:
            raw.sendall(header)
            sent = 0
            with source.open("rb") as handle:
                while sent < size and (chunk := handle.read(min(_CHUNK, size - sent))):
                    raw.sendall(chunk)
                    sent += len(chunk)
            if sent < size:  # the file shrank while it was read: pad to the size announced
                raw.sendall(bytes(size - sent))
            raw.sendall(bytes(padding + 2 * _BLOCK))
            for kind, data in _demux(raw):
                if kind == 2 and len(errors) < 4096:
                    errors += data
        finally:
            close_exec_socket(sock, raw)
        code = _exit_code(client, exec_id)
    except (OSError, docker.errors.DockerException) as exc:
        raise SandboxError(f"Could not copy {name} into the sandbox: {exc}.") from None
    if code != 0:
        said = errors.decode("utf-8", "replace").strip().splitlines()
        raise SandboxError(f"Could not copy {name} into the sandbox: "
                           f"{said[-1] if said else f'tar exited with {code}'}.")
    return size
