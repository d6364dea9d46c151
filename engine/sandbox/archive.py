"""Saving a container's /workspace to a tar file on the host and putting it back, via docker exec."""

from __future__ import annotations

import json
import logging
import shutil
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker.errors

from engine.errors import SandboxError
from engine.sandbox.channel import recv_exact
from engine.sandbox.dockerapi import close_exec_socket, open_exec_socket

WORKSPACE = "/workspace"
SANDBOX_USER = "1000:1000"
ARCHIVE_NAME = "retired-workspace.tar"
MARKER_NAME = "retired-workspace.json"
_CHUNK = 1 << 16
SAVE_ATTEMPTS = 3
_RETRY_PAUSE_S = 0.25
# tar writes only after a byte arrives on its stdin, sent once the SDK has read the stream's
# HTTP headers: output that reached the socket before them would be swallowed into the header
# parser's read-ahead buffer, and the saved archive came out empty on a loaded machine.
_GATED_TAR = f"head -c 1 >/dev/null && exec tar -c -f - -C {WORKSPACE} ."
_GATE = b"\n"
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SavedWorkspace:
    """What a retirement kept of a session's /workspace."""

    files: int
    bytes: int
    reason: str
    saved: bool = True


# /workspace is a tmpfs inside the container, which Docker's archive endpoints (get_archive,
# put_archive) do not see: they read the image's empty directory and refuse a read-only root.
# A tar process exec'd in the container sees the real files, and its streams are Docker API
# streams, so this works as well against a remote engine.


def save_workspace(client: Any, container_id: str, folder: Path, reason: str) -> SavedWorkspace:
    """Stream /workspace out of the container into `folder` (blocking); never raises.

    A failure still leaves a marker, so the session's next run says its files were lost.
    """
    archive, marker = folder / ARCHIVE_NAME, folder / MARKER_NAME
    try:
        files, size = write_workspace_tar(client, container_id, archive)
        result = SavedWorkspace(files, size, reason)
    except SandboxError as exc:
        result = SavedWorkspace(0, 0, f"{reason}; {exc}", saved=False)
    try:
        marker.write_text(json.dumps({"files": result.files, "bytes": result.bytes,
                                      "reason": result.reason, "saved": result.saved}))
    except OSError:  # e.g. a full disk: without a marker the next run starts afresh
        archive.unlink(missing_ok=True)
        return SavedWorkspace(0, 0, reason, saved=False)
    return result


def write_workspace_tar(client: Any, container_id: str, target: Path,
                        attempts: int = SAVE_ATTEMPTS) -> tuple[int, int]:
    """Stream the container's /workspace into the tar file `target` (blocking); returns its
    (files, bytes). Tries `attempts` times, since on a loaded engine an exec can fail where the
    next one works; raises SandboxError and leaves no file behind when every try failed."""
    for attempt in range(1, attempts + 1):
        try:
            return _write_workspace_tar_once(client, container_id, target)
        except SandboxError as exc:
            if attempt == attempts:
                raise
            log.warning("sandbox: saving /workspace failed (try %d of %d): %s", attempt,
                        attempts, exc)
            time.sleep(_RETRY_PAUSE_S * attempt)
    raise AssertionError("unreachable")


def _write_workspace_tar_once(client: Any, container_id: str, target: Path) -> tuple[int, int]:
    partial = target.with_suffix(".part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        exec_id = client.api.exec_create(container_id, ["sh", "-c", _GATED_TAR], stdin=True,
                                         user=SANDBOX_USER)["Id"]
        errors = bytearray()
        sock, raw = open_exec_socket(client, exec_id)
        try:
            raw.sendall(_GATE)
            with partial.open("wb") as out:
                for kind, data in _demux(raw):
                    if kind == 1:
                        out.write(data)
                    elif len(errors) < 4096:
                        errors += data
        finally:
            close_exec_socket(sock, raw)
        code = _exit_code(client, exec_id)
        if code != 0:
            raise SandboxError(f"tar exited with {code}: "
                               f"{errors.decode('utf-8', 'replace').strip()[:200]}")
        counted = count_workspace_tar(partial)
        partial.replace(target)
    except (OSError, tarfile.TarError, SandboxError, docker.errors.DockerException) as exc:
        partial.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
        # The engine's own words ("Container … is not running"), not the request's URL.
        why = getattr(exc, "explanation", None) or exc
        raise SandboxError(f"Could not save the session's files: {why}") from None
    return counted


def stage_workspace(folder: Path, archive: Path, reason: str) -> SavedWorkspace:
    """Make `archive` the session's saved workspace, as a retirement would have left it: the
    session's next run unpacks it into its new container (blocking)."""
    files, size = count_workspace_tar(archive)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(archive, folder / ARCHIVE_NAME)
    (folder / MARKER_NAME).write_text(json.dumps({"files": files, "bytes": size, "reason": reason,
                                                  "saved": True}))
    return SavedWorkspace(files, size, reason)


def saved_workspace(folder: Path) -> SavedWorkspace | None:
    """The retirement record in `folder`, if the session was retired and not restored yet."""
    try:
        data = json.loads((folder / MARKER_NAME).read_text())
        return SavedWorkspace(int(data["files"]), int(data["bytes"]), str(data.get("reason", "")),
                              bool(data.get("saved", True)) and (folder / ARCHIVE_NAME).exists())
    except (OSError, ValueError, KeyError, TypeError):
        return None


def forget_workspace(folder: Path) -> None:
    """Drop a saved workspace (the session was reset or closed)."""
    for name in (ARCHIVE_NAME, MARKER_NAME):
        (folder / name).unlink(missing_ok=True)


def restore_workspace(client: Any, container_id: str, folder: Path) -> None:
    """Unpack the saved tar into the container's /workspace (blocking), then forget it."""
    archive = folder / ARCHIVE_NAME
    if archive.exists():
        load_workspace_tar(client, container_id, archive)
    forget_workspace(folder)


def load_workspace_tar(client: Any, container_id: str, archive: Path, *,
                       replace: bool = False) -> None:
    """Unpack the tar file `archive` into the container's /workspace (blocking); with `replace`
    the files there now go first, so the folder becomes exactly the archive's."""
    size = archive.stat().st_size
    # head -c ends tar's input after the archive, so the stream needs no half-close
    # (which TLS and ssh transports cannot all do).
    unpack = f"head -c {size} | tar -x -f - -C {WORKSPACE}"
    if replace:
        unpack = (f"find {WORKSPACE} -mindepth 1 -delete && {unpack} && mkdir -p {WORKSPACE}/out")
    try:
        exec_id = client.api.exec_create(container_id, ["sh", "-c", unpack], stdin=True,
                                         user=SANDBOX_USER)["Id"]
        sock, raw = open_exec_socket(client, exec_id)
        try:
            with archive.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    raw.sendall(chunk)
            while raw.recv(_CHUNK):
                pass
        finally:
            close_exec_socket(sock, raw)
        code = _exit_code(client, exec_id)
    except (OSError, docker.errors.DockerException) as exc:
        raise SandboxError(f"Could not restore the session's files: {exc}.") from None
    if code != 0:
        raise SandboxError(f"Could not restore the session's files (tar exited with {code}).")


def _demux(raw: Any) -> Iterator[tuple[int, bytes]]:
    """Docker's multiplexed exec output as (1 for stdout or 2 for stderr, bytes) until EOF."""
    while len(header := recv_exact(raw, 8)) == 8:
        size = int.from_bytes(header[4:8], "big")
        yield header[0], recv_exact(raw, size)


def _exit_code(client: Any, exec_id: str) -> int:
    # The stream can end a moment before the engine records the exit.
    for _ in range(50):
        info = client.api.exec_inspect(exec_id)
        if not info.get("Running") and info.get("ExitCode") is not None:
            return int(info["ExitCode"])
        time.sleep(0.02)
    return -1


def count_workspace_tar(archive: Path) -> tuple[int, int]:
    """(regular files, their bytes) in a tar file."""
    files = size = 0
    with tarfile.open(archive, "r:") as tar:
        for member in tar:
            if member.isfile():
                files += 1
                size += member.size
    return files, size
