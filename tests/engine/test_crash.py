"""A SIGKILL mid-reply loses at most the last few tokens; the next start shows the partial reply."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.store.db import connect_sync

pytestmark = pytest.mark.model


def _assistant_rows(db: Path) -> list[tuple[str, str, str]]:
    if not db.exists():
        return []
    conn = connect_sync(db)
    try:
        return [tuple(r) for r in conn.execute(
            "SELECT id, content, status FROM messages WHERE role='assistant'")]
    except Exception:
        return []
    finally:
        conn.close()


def test_sigkill_mid_reply_keeps_partial_reply_marked_incomplete(
    gb_env: dict[str, str], gb_home: Path
) -> None:
    env = dict(gb_env, GLASSBOX_LLM__MAX_TOKENS="3000", GLASSBOX_LLM__REPEAT_PENALTY="1.0")
    db = gb_home / "data" / "glassbox.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "ask", "--new", "--chat", "--json",
         "Write a very long story about a dragon who learns to bake bread. Use many chapters."],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    partial = ""
    while time.monotonic() < deadline and proc.poll() is None:
        rows = _assistant_rows(db)
        if rows and len(rows[0][1]) > 40:
            partial = rows[0][1]
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the reply finished before it could be interrupted"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    streamed = "".join(json.loads(line)["text"] for line in proc.stdout.read().splitlines()  # type: ignore[union-attr]
                       if line.startswith("{") and '"type": "token"' in line)
    (_message_id, saved, status), = _assistant_rows(db)
    assert status == "incomplete"
    assert saved.startswith(partial) and len(saved) >= len(partial)
    # The file and the printed stream agree; either may be a few tokens ahead of the other: the
    # kill can land between a batch reaching the file and its tokens being printed (seen in CI:
    # "...named Elian" saved, "...named El" printed).
    assert streamed.startswith(saved) or saved.startswith(streamed), (saved, streamed)
    # The next start shows it, marked incomplete, and the run as interrupted.
    out = subprocess.run([sys.executable, "-m", "tui.cli", "sessions", "list", "--json"],
                         env=env, capture_output=True, text=True, check=True)
    session_id = json.loads(out.stdout.splitlines()[0])["id"]
    shown = subprocess.run([sys.executable, "-m", "tui.cli", "sessions", "show", session_id],
                           env=env, capture_output=True, text=True, check=True)
    assert "assistant [incomplete]" in shown.stdout
    assert saved[:40] in shown.stdout
    conn = connect_sync(db)
    assert conn.execute("SELECT status FROM runs").fetchone()[0] == "interrupted"
    conn.close()


@pytest.mark.docker
def test_sigkill_mid_execution_keeps_the_output_already_shown(gb_env: dict[str, str]) -> None:
    from engine.config import load_settings
    from tests.conftest import require
    from tests.fakes import docker_ready

    require(docker_ready(load_settings().sandbox.image), "Docker with the sandbox image")
    code = "import time\nfor i in range(60):\n    print('line', i, flush=True)\n    time.sleep(1)"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "ask", "--new", "--json", f"Run this:\n```python\n{code}\n```"],
        env=gb_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    run_id, shown = "", []
    assert proc.stdout is not None
    deadline = time.monotonic() + 180
    try:
        for line in proc.stdout:
            event = json.loads(line)
            run_id = run_id or event.get("run_id", "")
            if event["type"] == "exec_output":
                shown.append(event["text"])
            if "line 2" in "".join(shown) or time.monotonic() > deadline:
                break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert "line 2" in "".join(shown) and run_id
    # The next command that opens the file marks the dead process's run interrupted and shows
    # every line that was already on screen.
    out = subprocess.run([sys.executable, "-m", "tui.cli", "runs", "show", run_id, "--json"],
                         env=gb_env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    text = json.dumps(rows)
    for i in range(3):
        assert f"line {i}" in text
    assert any(r.get("status") == "interrupted" for r in rows if r.get("type") == "run"), rows[:1]
