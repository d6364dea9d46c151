"""@path attachments: which mentions are files, the errors for bad ones, the note and completion."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.attachments import AttachmentError, attached_note, complete_path, find_attachments


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.md").write_text("- x\n")
    (tmp_path / "my file.txt").write_text("spaces")
    (tmp_path / ".hidden").write_text("h")
    return tmp_path


def test_mentions_of_files_are_found_and_others_stay_text(root: Path) -> None:
    found = find_attachments("sum @data.csv, then read @notes/todo.md. Use @property and a@b.c", root, 10**6)
    assert [(a.name, a.size, a.mention) for a in found] == [("data.csv", 8, "data.csv"),
                                                            ("todo.md", 4, "notes/todo.md")]
    assert found[0].source == (root / "data.csv").resolve()
    assert found[1].workspace_path == "/workspace/todo.md"
    quoted = find_attachments('look at @"my file.txt"', root, 10**6)
    assert [a.name for a in quoted] == ["my file.txt"]
    assert find_attachments("same @data.csv twice @data.csv", root, 10**6)[0].name == "data.csv"


def test_bad_mentions_raise_a_clear_error(root: Path) -> None:
    with pytest.raises(AttachmentError, match=r"@data.csv is 8 bytes; an attached file may be at most 5 byt"):
        find_attachments("@data.csv", root, 5)
    with pytest.raises(AttachmentError, match="@notes is a folder"):
        find_attachments("see @notes", root, 10**6)
    with pytest.raises(AttachmentError, match=r"@notes/missing.md: no such file \(looked in"):
        find_attachments("see @notes/missing.md", root, 10**6)
    (root / "other").mkdir()
    (root / "other" / "data.csv").write_text("different")
    with pytest.raises(AttachmentError, match="would both be /workspace/data.csv"):
        find_attachments("@data.csv @other/data.csv", root, 10**6)


def test_the_note_names_path_and_size() -> None:
    from engine.attachments import Attachment

    note = attached_note([Attachment(Path("/x/data.csv"), "data.csv", 1234, "data.csv")])
    assert note == "Attached: /workspace/data.csv (1,234 bytes)"


def test_completion_lists_folders_first_and_hides_dot_files(root: Path) -> None:
    assert complete_path("", root) == ["notes/", "data.csv", "my file.txt"]
    assert complete_path("no", root) == ["notes/"]
    assert complete_path("notes/", root) == ["notes/todo.md"]
    assert complete_path(".h", root) == [".hidden"]
    assert complete_path("zzz", root) == []


def test_ask_refuses_a_file_over_the_limit_before_the_turn(root: Path, gb_home: Path) -> None:
    import os
    import subprocess
    import sys

    repo = str(Path(__file__).resolve().parents[2])  # run from another folder: this tree's code
    env = {**os.environ, "GLASSBOX_SANDBOX__ATTACH_MAX_BYTES": "5",
           "PYTHONPATH": os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-m", "tui.cli", "ask", "--new", "sum @data.csv"], cwd=root,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    assert "@data.csv is 8 bytes; an attached file may be at most 5 bytes" in out.stderr
    assert "sandbox.attach_max_bytes" in out.stderr and out.stdout == ""
