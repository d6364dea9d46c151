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
    # At most the last flush interval of text is missing from the file.
    assert streamed.startswith(saved)
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
