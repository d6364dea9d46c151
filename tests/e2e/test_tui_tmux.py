"""End to end: the real `glassbox` dashboard in tmux with the real model and Docker sandbox."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
GLASSBOX = ROOT / ".venv" / "bin" / "glassbox"


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
    require(problem is None, f"e2e prerequisites: {problem}")
    session = f"gb-e2e-{uuid.uuid4().hex[:8]}"
    # gb_env: an isolated GLASSBOX_HOME, the real default model, greedy sampling.
    env = dict(gb_env)
    # The two tasks are independent: the second is not shown the first's run as a worked example
    # (the 135M model would copy its answer).
    env["GLASSBOX_MEMORY__RECALL_ENABLED"] = "false"
    # A running tmux server gives new sessions its own environment, not ours: pass it explicitly.
    # PYTHONPATH too, so a git worktree sharing the venv runs its own code.
    passed = {k: v for k, v in env.items() if k.startswith("GLASSBOX_") or k == "PYTHONPATH"}
    command = ["env", *(f"{k}={v}" for k, v in passed.items()), str(GLASSBOX)]
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "48",
                    shlex.join(command)], check=True, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        # "idle" in the top bar: started and the session shown (keys typed before that are kept
        # for the prompt, but this test is about the queue, not start-up).
        while "Chat" not in (screen := _capture(session)) or "idle" not in screen:
            assert time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.5)
        task = "Calculate 12 * 34 with Python."
        second = "Use Python to print 21 * 43."
        # The second prompt is typed right behind the first: the app takes keys in order, so it
        # arrives while the first runs and waits in the queue (visible above the input).
        subprocess.run(["tmux", "send-keys", "-t", session, task, "Enter", second, "Enter"], check=True)

        def queued(screen: str) -> bool:
            return "1 queued" in screen and "Queued" in screen and f"1. {second}" in screen

        deadline = time.monotonic() + 60
        while not queued(screen := _capture(session)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert queued(screen), screen
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            screen = _capture(session)
            # Both runs over: the top bar is idle, nothing waits and each prompt has its reply.
            if "idle" in screen and "queued" not in screen and screen.count("Assistant") >= 2:
                break
            time.sleep(2)
        assert "Assistant" in screen, screen
        assert "408" in screen and "903" in screen, screen
        chat = "\n".join(line[:95] for line in screen.splitlines()[1:])  # the Chat pane's columns
        assert chat.index("408") < chat.index(second) < chat.index("903"), "the queued prompt ran second"
        assert "exit 0" in screen, screen
        assert "queued" not in screen, screen
    finally:
        subprocess.run(["tmux", "send-keys", "-t", session, "C-q"], check=False)
        time.sleep(1)
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, capture_output=True)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-v"]))
