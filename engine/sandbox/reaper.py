"""Container labels that name their owner, and removal of containers whose owner is gone."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
from pathlib import Path
from typing import Any

import docker.errors

LABEL_MANAGED = "glassbox.managed"
LABEL_OWNER_PID = "glassbox.owner_pid"
LABEL_OWNER_START = "glassbox.owner_start"
LABEL_OWNER_HOST = "glassbox.owner_host"
LABEL_SESSION = "glassbox.session"
LABEL_RUNTIME_DIR = "glassbox.runtime_dir"


def process_start_time(pid: int) -> str:
    """The kernel's start tick of a process, so a recycled pid is not taken for its owner."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return ""
    # Field 22 counted after the parenthesised command name, which may contain spaces.
    return stat.rsplit(")", 1)[-1].split()[19]


def owner_labels(session: str, runtime_dir: Path | None = None) -> dict[str, str]:
    """Labels for a container this process starts."""
    pid = os.getpid()
    labels = {
        LABEL_MANAGED: "1",
        LABEL_OWNER_PID: str(pid),
        LABEL_OWNER_START: process_start_time(pid),
        LABEL_OWNER_HOST: socket.gethostname(),
        LABEL_SESSION: session,
    }
    if runtime_dir is not None:
        labels[LABEL_RUNTIME_DIR] = str(runtime_dir)
    return labels


def owner_alive(labels: dict[str, str]) -> bool:
    """True when the process that started the container still runs (on this host)."""
    if labels.get(LABEL_OWNER_HOST) != socket.gethostname():
        return True  # another machine's container on a shared engine: not ours to judge
    try:
        pid = int(labels.get(LABEL_OWNER_PID, ""))
    except ValueError:
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    start = labels.get(LABEL_OWNER_START, "")
    return not start or process_start_time(pid) in ("", start)


def reap_orphans(
    client: Any, *, runtime_root: Path | None = None, everything: bool = False, mine: bool = False
) -> list[str]:
    """Remove managed containers whose owner is dead (or all, or this process's); blocking.

    A container's runtime directory (the socket folder of versions before the exec stream)
    is deleted too, but only when it lies in runtime_root: labels are data anyone can write,
    not paths to trust.
    """
    removed: list[str] = []
    # The list call's own summaries, not containers.list(): that inspects each container in turn,
    # and one removed meanwhile by another Glassbox process raised NotFound out of the whole start.
    listed = client.api.containers(all=True, filters={"label": f"{LABEL_MANAGED}=1"})
    me = str(os.getpid())
    for entry in listed:
        labels: dict[str, str] = entry.get("Labels") or {}
        ours = labels.get(LABEL_OWNER_PID) == me and labels.get(
            LABEL_OWNER_HOST) == socket.gethostname()
        if not (everything or (mine and ours) or not owner_alive(labels)):
            continue
        with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
            client.api.remove_container(entry["Id"], force=True)
            removed.append((entry.get("Names") or ["/" + entry["Id"][:12]])[0].lstrip("/"))
        runtime = labels.get(LABEL_RUNTIME_DIR)
        if runtime and runtime_root is not None and Path(runtime).parent == runtime_root:
            shutil.rmtree(runtime, ignore_errors=True)
    return removed
