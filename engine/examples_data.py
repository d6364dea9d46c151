"""The shipped library of worked examples (task, code, output, answer) and its validating loader."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal, cast, get_args

from engine.resources import data_file

Language = Literal["python", "bash"]

KINDS: tuple[str, ...] = (
    "arithmetic", "number_theory", "sequences", "strings", "text_counting", "dates_times",
    "lists_sorting", "statistics", "conversion", "dicts_json", "files", "pandas", "plots", "bash",
)


@dataclass(frozen=True, slots=True)
class WorkedExample:
    """One solved task: what the user asked, the code that answers it, what it printed."""

    id: str
    kind: str
    task: str
    language: Language
    code: str
    output: str
    answer: str


_FIELDS = tuple(f.name for f in fields(WorkedExample))


def default_library_path() -> Path:
    """Where the shipped library lives (data/examples/library.jsonl)."""
    return data_file("examples", "library.jsonl")


def load_library(path: Path | None = None) -> list[WorkedExample]:
    """Read and validate every example; a bad line raises ValueError naming its line number."""
    source = path or default_library_path()
    examples: list[WorkedExample] = []
    seen: dict[str, int] = {}
    with source.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            example = _parse_line(line, number, source)
            if example.id in seen:
                raise ValueError(f"{source}:{number}: duplicate id {example.id!r} "
                                 f"(first on line {seen[example.id]})")
            seen[example.id] = number
            examples.append(example)
    return examples


def answer_shows_output(output: str, answer: str) -> bool:
    """Whether the answer carries what the code printed, verbatim.

    A one-line output must appear in the answer; for a multi-line output every non-blank
    line of the answer must be one of the printed lines (the answer may quote a subset).
    """
    printed = output.strip()
    if not printed:
        return False
    if "\n" not in printed:
        return printed in answer
    lines = {line.rstrip() for line in printed.splitlines()}
    answer_lines = [line.rstrip() for line in answer.strip().splitlines() if line.strip()]
    return bool(answer_lines) and all(line in lines for line in answer_lines)


def _parse_line(line: str, number: int, source: Path) -> WorkedExample:
    where = f"{source}:{number}"
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a JSON object, got {type(raw).__name__}")
    missing = [name for name in _FIELDS if name not in raw]
    extra = sorted(set(raw) - set(_FIELDS))
    if missing or extra:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unknown {', '.join(extra)}"] if extra else [])
        raise ValueError(f"{where}: wrong fields: {'; '.join(parts)}")
    for name in _FIELDS:
        value = raw[name]
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{where}: field {name!r} must be a non-empty string")
    if raw["kind"] not in KINDS:
        raise ValueError(f"{where}: unknown kind {raw['kind']!r} (expected one of {', '.join(KINDS)})")
    if raw["language"] not in get_args(Language):
        raise ValueError(f"{where}: language must be python or bash, not {raw['language']!r}")
    values = cast(dict[str, str], raw)
    return WorkedExample(id=values["id"], kind=values["kind"], task=values["task"],
                         language=cast(Language, values["language"]), code=values["code"],
                         output=values["output"], answer=values["answer"])
