"""The headless CLI with the real model: JSON lines, sessions, model files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.errors import ModelError
from engine.llm.gguf import read_gguf_metadata

ASK_TYPES = {"run_started", "token", "message_done", "usage", "run_finished", "run_failed", "notice"}


def glassbox(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
             check: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], env=env, input=stdin,
                          capture_output=True, text=True, check=check)


@pytest.mark.model
def test_ask_json_is_json_lines_with_usage(gb_env: dict[str, str]) -> None:
    out = glassbox("ask", "--new", "--chat", "--json", "Say hello.", env=gb_env)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert lines and all(line["type"] in ASK_TYPES for line in lines)
    assert lines[0]["type"] == "run_started" and lines[-1]["type"] == "run_finished"
    assert len({line["run_id"] for line in lines}) == 1
    usage = next(line for line in lines if line["type"] == "usage")
    for field in ("prompt_tokens", "completion_tokens", "ttft_s", "tokens_per_s", "context_used",
                  "context_max"):
        assert isinstance(usage[field], int | float), field
    tokens = "".join(line["text"] for line in lines if line["type"] == "token")
    done = next(line for line in lines if line["type"] == "message_done")
    assert done["text"] == tokens and usage["completion_tokens"] > 0


@pytest.mark.model
def test_ask_session_continues_and_sessions_export(gb_env: dict[str, str]) -> None:
    first = glassbox("ask", "--new", "--chat", "--json", "My name is Zorblax.", env=gb_env, check=True)
    session_id = json.loads(first.stdout.splitlines()[0])["session_id"]
    glassbox("ask", "--session", session_id[:8], "--chat", "What is my name?", env=gb_env, check=True)
    listed = [json.loads(line) for line in glassbox("sessions", "list", "--json", env=gb_env,
                                                     check=True).stdout.splitlines()]
    assert [s["id"] for s in listed] == [session_id] and listed[0]["messages"] == 4
    exported = json.loads(glassbox("sessions", "export", session_id, "--format", "json",
                                   env=gb_env, check=True).stdout)
    assert [m["role"] for m in exported["messages"]] == ["user", "assistant", "user", "assistant"]
    markdown = glassbox("sessions", "export", session_id, "--format", "md", env=gb_env, check=True).stdout
    assert "### You (#3)" in markdown and "What is my name?" in markdown


def test_missing_model_is_a_clear_error_not_a_traceback(gb_home: Path) -> None:
    out = glassbox("ask", "--new", "--chat", "hello")
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert "glassbox models pull smollm2" in out.stderr
    doctor = glassbox("doctor", "--json")
    checks = {c["name"]: c for c in map(json.loads, doctor.stdout.splitlines())}
    assert doctor.returncode == 1 and not checks["model"]["ok"] and checks["model"]["fix"]
    assert checks["sqlite-vec"]["ok"]


def test_corrupt_and_truncated_gguf_files(gb_home: Path, model_path: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(ModelError, match="not a GGUF"):
        read_gguf_metadata(junk)
    truncated = tmp_path / "cut.gguf"
    truncated.write_bytes(model_path.read_bytes()[:5000])
    with pytest.raises(ModelError, match="corrupt or truncated"):
        read_gguf_metadata(truncated)
    models = gb_home / "models"
    models.mkdir(parents=True)
    (models / "cut.gguf").write_bytes(truncated.read_bytes())
    (models / "good.gguf").symlink_to(model_path)
    listed = {m["path"].rsplit("/", 1)[-1]: m for m in map(json.loads, glassbox(
        "models", "list", "--json", check=True).stdout.splitlines())}
    assert listed["good.gguf"]["architecture"] == "llama"
    assert listed["good.gguf"]["quantization"] == "Q4_1"
    assert listed["good.gguf"]["context_length"] == 8192
    assert "corrupt" in listed["cut.gguf"]["error"]
    # A run with the broken file fails readably; the question is still saved.
    broken = {**_env(), "GLASSBOX_LLM__MODEL": str(models / "cut.gguf")}
    out = glassbox("ask", "--new", "--chat", "hi", env=broken)
    assert out.returncode == 1 and "corrupt or truncated" in out.stderr and "Traceback" not in out.stderr


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)
