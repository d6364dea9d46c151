"""Sandbox pieces that need no container: sizes, owner checks, build errors."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import docker.errors
import pytest

from engine.errors import SandboxError
from engine.sandbox.container import parse_size
from engine.sandbox.docker_runner import runtime_root_for
from engine.sandbox.image import PACKAGES, build_image, wheelhouse_complete
from engine.sandbox.reaper import (
    LABEL_OWNER_HOST,
    LABEL_OWNER_PID,
    LABEL_OWNER_START,
    owner_alive,
    owner_labels,
    process_start_time,
    reap_orphans,
)


def test_parse_size() -> None:
    assert parse_size("512m") == 512 * 2**20
    assert parse_size("1g") == 2**30
    assert parse_size("1048576") == 2**20
    assert parse_size("64MiB") == 64 * 2**20
    with pytest.raises(SandboxError):
        parse_size("lots")


def test_owner_labels_name_this_process(tmp_path: Path) -> None:
    labels = owner_labels("s1", tmp_path)
    assert labels["glassbox.managed"] == "1"
    assert labels[LABEL_OWNER_PID] == str(os.getpid())
    assert labels["glassbox.session"] == "s1"
    assert owner_alive(labels)


def test_owner_dead_or_recycled_pid_is_an_orphan(tmp_path: Path) -> None:
    labels = owner_labels("s1", tmp_path)
    assert not owner_alive({**labels, LABEL_OWNER_PID: "999999999"})
    assert not owner_alive({**labels, LABEL_OWNER_START: "1"})  # same pid, other process
    assert process_start_time(os.getpid()) == labels[LABEL_OWNER_START]
    # Another host's container on a shared engine is never judged from here.
    assert owner_alive({**labels, LABEL_OWNER_HOST: socket.gethostname() + "-other",
                        LABEL_OWNER_PID: "999999999"})


def test_runtime_root_stays_short_enough_for_a_socket(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 120)
    root = runtime_root_for(deep)
    assert len(str(root / "glassbox-0123456789ab" / "kernel.sock")) < 108
    assert runtime_root_for(Path("/w")) == Path("/w/.run")


def test_wheelhouse_complete(tmp_path: Path) -> None:
    assert not wheelhouse_complete(tmp_path)
    for name in PACKAGES:
        (tmp_path / f"{name}-1.0-py3-none-any.whl").write_bytes(b"")
    assert wheelhouse_complete(tmp_path)


@pytest.mark.docker
def test_build_says_when_the_base_is_missing_and_cannot_be_made(docker_client: Any) -> None:
    seen: list[tuple[str, str]] = []
    with pytest.raises(SandboxError, match="neither present nor pullable"):
        build_image(docker_client, "glassbox-test-never:latest", "glassbox-base:no-such-tag",
                    lambda p: seen.append((p.stage, p.status)), allow_debootstrap=False)
    assert ("engine", "done") in seen
    assert seen[-1] == ("base", "fail")


def test_a_workspace_save_that_fails_once_is_tried_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.sandbox import archive

    outcomes: list[Exception | tuple[int, int]] = [SandboxError("exec timed out"), (2, 30)]

    def once(client: Any, container_id: str, target: Path) -> tuple[int, int]:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(archive, "_write_workspace_tar_once", once)
    monkeypatch.setattr(archive, "_RETRY_PAUSE_S", 0.0)
    saved = archive.save_workspace(None, "c1", tmp_path, "to make room")
    assert (saved.saved, saved.files, saved.bytes) == (True, 2, 30)
    assert not outcomes


def test_a_workspace_save_that_keeps_failing_says_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.sandbox import archive

    calls: list[str] = []

    def once(client: Any, container_id: str, target: Path) -> tuple[int, int]:
        calls.append(container_id)
        raise SandboxError("Could not save the session's files: exec timed out")

    monkeypatch.setattr(archive, "_write_workspace_tar_once", once)
    monkeypatch.setattr(archive, "_RETRY_PAUSE_S", 0.0)
    saved = archive.save_workspace(None, "c1", tmp_path, "to make room")
    assert len(calls) == archive.SAVE_ATTEMPTS
    assert not saved.saved and "exec timed out" in saved.reason
    kept = archive.saved_workspace(tmp_path)
    assert kept is not None and not kept.saved and "exec timed out" in kept.reason


class _ListingApi:
    """The Docker API's list and remove calls, with one container gone before it is removed."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.entries = entries
        self.removed: list[str] = []

    def containers(self, all: bool, filters: dict[str, str]) -> list[dict[str, Any]]:
        assert all and filters == {"label": "glassbox.managed=1"}
        return self.entries

    def remove_container(self, container_id: str, force: bool) -> None:
        if container_id == "gone":
            raise docker.errors.NotFound("No such container: gone")
        self.removed.append(container_id)


def test_a_container_removed_meanwhile_by_another_process_is_skipped(tmp_path: Path) -> None:
    """Another Glassbox removes its container between the list and the removal (seen in a CI run
    beside the eval: the whole sandbox start failed with NotFound). The reaper goes on."""
    dead = {**owner_labels("s1", tmp_path), LABEL_OWNER_PID: "999999999"}
    api = _ListingApi([{"Id": "gone", "Names": ["/glassbox-gone"], "Labels": dead},
                       {"Id": "orphan", "Names": ["/glassbox-orphan"], "Labels": dead},
                       {"Id": "alive", "Names": ["/glassbox-alive"], "Labels": owner_labels("s2", tmp_path)}])
    client = type("Client", (), {"api": api})()
    assert reap_orphans(client) == ["glassbox-orphan"]
    assert api.removed == ["orphan"]
