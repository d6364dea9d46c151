"""`glassbox --help` names the dashboard and every command on one line; ids share one length."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine.config import database_path, load_settings
from engine.store.repository import Store
from tui.cli import build_parser, main
from tui.commands.common import SHORT_ID_LENGTH, short_id


def _command_names() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def test_help_names_the_dashboard_and_lists_every_command_on_one_line() -> None:
    env = {**os.environ, "COLUMNS": "80"}
    out = subprocess.run([sys.executable, "-m", "tui.cli", "--help"], env=env,
                         capture_output=True, text=True, check=True).stdout
    assert "with no command to open the dashboard" in out
    names = _command_names()
    assert {"ask", "sessions", "models", "runs", "search", "db", "exec", "sandbox"} <= set(names)
    block = out[out.index("commands:"):out.index("`glassbox COMMAND --help`")]
    listed = [line for line in block.splitlines()[1:] if line.strip() and line.strip() != "COMMAND"]
    seen = []
    for line in listed:
        match = re.match(r"^ {4}(\S+) +(\S.*)$", line)
        assert match, f"not a one-line command entry (wrapped help?): {line!r}"
        assert len(line) <= 80, line
        seen.append(match.group(1))
    assert seen == names
    sub_help = subprocess.run([sys.executable, "-m", "tui.cli", "models", "pull", "--help"], env=env,
                              capture_output=True, text=True, check=True).stdout
    assert sub_help.startswith("usage: glassbox models pull ")


def test_short_id_is_one_length() -> None:
    ident = "0123456789abcdef0123456789abcdef"
    assert short_id(ident) == ident[:SHORT_ID_LENGTH] == "01234567"
    assert short_id(None) == "-"


async def _seed() -> tuple[str, str, str]:
    store = await Store.open(database_path(load_settings()))
    try:
        session = await store.create_session("ids")
        record = await store.start_run(session.id, None, None, "test-model")
        step_id = await store.add_step(record.id, "code", title="print one", input="print(1)")
        await store.add_execution("e" * 32, language="python", code="print(1)", run_id=record.id,
                                  step_id=step_id, session_id=session.id)
        await store.finish_execution("e" * 32, exit_code=0, duration_s=0.1, peak_memory_bytes=None,
                                     timed_out=False, oom_killed=False, truncated=False,
                                     rest=[("stdout", "1\n")])
        await store.finish_run(record.id, "completed", reason="answered")
    finally:
        await store.close()
    return session.id, record.id, "e" * 32


def test_every_command_prints_ids_at_the_same_length(
    gb_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session_id, run_id, exec_id = asyncio.run(_seed())
    outputs = []
    for argv in (["runs", "list"], ["runs", "show", run_id[:6]], ["sessions", "show", session_id[:6]],
                 ["sessions", "list"]):
        assert main(argv) == 0, argv
        outputs.append(capsys.readouterr().out)
    text = "\n".join(outputs)
    for full in (session_id, run_id, exec_id):
        assert full not in text  # never the 32-character form in human output
        found = re.findall(rf"\b{full[:4]}[0-9a-f]*\b", text)
        assert found and {len(f) for f in found} == {SHORT_ID_LENGTH}, (full, found)


def test_tables_piped_are_plain_whole_columns(capsys: pytest.CaptureFixture[str]) -> None:
    from tui.commands.common import print_table

    long_name = "a-model-file-with-a-long-name-" + "x" * 90 + ".gguf"
    print_table(["FILE", "SIZE"], [[long_name, "98.4 MB"], ["short.gguf", "1 KB"]])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["FILE", "SIZE"]
    assert lines[1] == f"{long_name}  98.4 MB"  # not cut to 80 columns, no rule, no padding
    assert lines[2].startswith("short.gguf ") and lines[2].endswith("1 KB")
    assert all(line == line.rstrip() for line in lines)
