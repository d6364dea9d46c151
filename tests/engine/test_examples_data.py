"""The shipped worked-example library: coverage, uniqueness, grounded answers, and the loader's errors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from engine.examples_data import KINDS, WorkedExample, answer_shows_output, load_library


@pytest.fixture(scope="module")
def library() -> list[WorkedExample]:
    return load_library()


def test_library_is_large_and_covers_every_kind(library: list[WorkedExample]) -> None:
    assert len(library) >= 200
    counts = Counter(example.kind for example in library)
    assert set(counts) == set(KINDS)
    thin = {kind: n for kind, n in counts.items() if n < 12}
    assert not thin, f"kinds with fewer than 12 examples: {thin}"


def test_ids_and_tasks_are_unique(library: list[WorkedExample]) -> None:
    for attribute in ("id", "task"):
        repeated = [v for v, n in Counter(getattr(e, attribute) for e in library).items() if n > 1]
        assert not repeated, f"repeated {attribute}s: {repeated}"


def test_every_field_is_filled_and_languages_fit(library: list[WorkedExample]) -> None:
    for example in library:
        assert all(getattr(example, name).strip() for name in WorkedExample.__slots__), example.id
        assert example.language == ("bash" if example.kind == "bash" else "python"), example.id


def test_every_answer_carries_the_printed_value(library: list[WorkedExample]) -> None:
    ungrounded = [e.id for e in library if not answer_shows_output(e.output, e.answer)]
    assert not ungrounded


def test_python_examples_print_their_result(library: list[WorkedExample]) -> None:
    silent = [e.id for e in library if e.language == "python" and "print(" not in e.code]
    assert not silent


def test_plots_save_a_png_under_workspace_out(library: list[WorkedExample]) -> None:
    for example in (e for e in library if e.kind == "plots"):
        assert "/workspace/out/" in example.code and ".png" in example.code, example.id
        assert "os.makedirs(" in example.code and "exist_ok=True" in example.code, example.id


def test_answer_shows_output_rules() -> None:
    assert answer_shows_output("391\n", "17 * 23 = 391")
    assert not answer_shows_output("391\n", "17 * 23 = 39l")
    assert not answer_shows_output("\n", "anything")
    assert answer_shows_output("a 1\nb 2\n", "b 2")
    assert not answer_shows_output("a 1\nb 2\n", "b 3")


def _write(tmp_path: Path, rows: list[object]) -> Path:
    path = tmp_path / "library.jsonl"
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


GOOD = {"id": "x-001", "kind": "arithmetic", "task": "What is 1+1?", "language": "python",
        "code": "print(1 + 1)", "output": "2\n", "answer": "2"}


def test_loader_reads_a_good_file(tmp_path: Path) -> None:
    second = dict(GOOD, id="x-002", language="bash", kind="bash", code="echo 2")
    loaded = load_library(_write(tmp_path, [GOOD, "", second]))
    assert [e.id for e in loaded] == ["x-001", "x-002"]
    assert loaded[1].language == "bash"


@pytest.mark.parametrize(("bad", "message"), [
    ("{not json", "not valid JSON"),
    ([1, 2], "expected a JSON object"),
    ({k: v for k, v in GOOD.items() if k != "answer"}, "missing answer"),
    (dict(GOOD, extra="x"), "unknown extra"),
    (dict(GOOD, task="   "), "'task' must be a non-empty string"),
    (dict(GOOD, output=2), "'output' must be a non-empty string"),
    (dict(GOOD, kind="poetry"), "unknown kind 'poetry'"),
    (dict(GOOD, language="ruby"), "language must be python or bash"),
    (GOOD, "duplicate id 'x-001' (first on line 1)"),
])
def test_loader_names_the_bad_line(tmp_path: Path, bad: object, message: str) -> None:
    path = _write(tmp_path, [GOOD, bad])
    with pytest.raises(ValueError, match="library.jsonl:2: ") as caught:
        load_library(path)
    assert message in str(caught.value)
