"""End to end: the real `glassbox` dashboard in tmux with the real model and Docker sandbox."""

from __future__ import annotations

import os
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
def test_dashboard_runs_a_task_in_tmux(tmp_path: Path) -> None:
    problem = _missing()
    if problem:
        if IN_CI:
            pytest.fail(f"e2e prerequisites missing in CI: {problem}")
        pytest.skip(problem)
    session = f"gb-e2e-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "GLASSBOX_HOME": str(tmp_path / "home")}
    models_dir = Path(os.environ.get("GLASSBOX_E2E_MODELS", ""))
    if models_dir.is_dir():
        (tmp_path / "home").mkdir()
        (tmp_path / "home" / "models").symlink_to(models_dir)
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "48", str(GLASSBOX)],
                   check=True, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while "Chat" not in _capture(session):
            assert time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.5)
        task = "Use Python to print the sum of the numbers from 1 to 100."
        subprocess.run(["tmux", "send-keys", "-t", session, task, "Enter"], check=True)
        deadline = time.monotonic() + 300
        screen = ""
        while time.monotonic() < deadline:
            screen = _capture(session)
            if "5050" in screen and "exit 0" in screen and "idle" in screen:
                break
            time.sleep(2)
        assert "Assistant" in screen, screen
        assert "5050" in screen, screen
        assert "exit 0" in screen, screen
    finally:
        subprocess.run(["tmux", "send-keys", "-t", session, "C-q"], check=False)
        time.sleep(1)
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, capture_output=True)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-v"]))
