"""`glassbox ask` to a file (stdout not a terminal): the answer once on stdout, progress on stderr."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import require


def glassbox(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], env=env, capture_output=True,
                          text=True, timeout=300)


def _stored_answer(env: dict[str, str]) -> str:
    sessions = glassbox("sessions", "list", "--json", env=env)
    session_id = json.loads(sessions.stdout.splitlines()[0])["id"]
    shown = glassbox("sessions", "show", session_id, "--json", env=env)
    replies = [json.loads(line) for line in shown.stdout.splitlines()]
    return str([m for m in replies if m["role"] == "assistant"][-1]["content"])


@pytest.mark.model
def test_a_chat_reply_is_printed_once(gb_env: dict[str, str]) -> None:
    out = glassbox("ask", "--new", "--chat", "Say hello in one short sentence.", env=gb_env)
    assert out.returncode == 0, out.stderr
    answer = _stored_answer(gb_env).strip()
    assert answer and out.stdout == answer + "\n"


def _docker_ready() -> bool:
    from engine.config import SandboxSettings
    from engine.errors import SandboxError
    from engine.sandbox.dockerapi import connect
    from engine.sandbox.image import image_status

    try:
        client = connect(timeout=5.0, settings=SandboxSettings())
    except SandboxError:
        return False
    status = image_status(client, SandboxSettings().image)
    return bool(status.present and not status.stale)


@pytest.mark.model
@pytest.mark.docker
def test_a_code_answer_is_printed_once_with_progress_on_stderr(gb_env: dict[str, str]) -> None:
    require(_docker_ready(), "a Docker engine with the sandbox image (glassbox sandbox build)")
    task = "Run this:\n```python\nprint(12345.6789 * 3.47)\n```"
    out = glassbox("ask", "--new", "--no-cache", task, env=gb_env)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "42839.50578300001\n"
    assert "[running python]" in out.stderr and "42839.50578300001" in out.stderr
