"""End to end: the real `glassbox` dashboard in tmux with the real model and Docker sandbox."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GLASSBOX = ROOT / ".venv" / "bin" / "glassbox"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _missing() -> str | None:
    if not shutil.which("tmux"):
        return "tmux is not installed"
    if not GLASSBOX.exists():
        return f"{GLASSBOX} is missing"
    probe = subprocess.run([str(GLASSBOX), "ask", "--help"], capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        return "`glassbox ask` is not available"
    models = subprocess.run([str(GLASSBOX), "models", "list"], capture_output=True, text=True, timeout=60)
    if models.returncode != 0 or ("error" in models.stdout.lower() and "ok" not in models.stdout.lower()):
        return "no usable local model (`glassbox models list`)"
    return None


def _capture(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-t", session, "-p"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.model
@pytest.mark.docker
@pytest.mark.slow
def test_dashboard_runs_a_task_in_tmux(tmp_path: Path, gb_env: dict[str, str]) -> None:
    problem = _missing()
    if problem:
        if IN_CI:
            pytest.fail(f"e2e prerequisites missing in CI: {problem}")
        pytest.skip(problem)
    session = f"gb-e2e-{uuid.uuid4().hex[:8]}"
    # gb_env: an isolated GLASSBOX_HOME, the real default model, greedy sampling.
    env = dict(gb_env)
    # A running tmux server gives new sessions its own environment, not ours: pass it explicitly.
    command = ["env", *(f"{k}={v}" for k, v in env.items() if k.startswith("GLASSBOX_")), str(GLASSBOX)]
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "48",
                    shlex.join(command)], check=True, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while "Chat" not in _capture(session):
            assert time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.5)
        task = "Calculate 12 * 34 with Python."
        subprocess.run(["tmux", "send-keys", "-t", session, task, "Enter"], check=True)
        deadline = time.monotonic() + 150
        screen = ""
        while time.monotonic() < deadline:
            screen = _capture(session)
            if "408" in screen and "exit 0" in screen and "idle" in screen:
                break
            time.sleep(2)
        assert "Assistant" in screen, screen
        assert "408" in screen, screen
        assert "exit 0" in screen, screen
    finally:
        subprocess.run(["tmux", "send-keys", "-t", session, "C-q"], check=False)
        time.sleep(1)
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, capture_output=True)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-v"]))
