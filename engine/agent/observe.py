"""Observations the model sees after an action: formatted, and cut to a token budget."""

from __future__ import annotations

from collections.abc import Sequence

from engine.events import Artifact

# A cheap, tokenizer-free estimate; small-model tokenizers average about 3-4 characters a token.
CHARS_PER_TOKEN = 4


def cut_middle(text: str, max_tokens: int) -> str:
    """Keep the head and the tail of a long text (errors are usually at the end)."""
    limit = max_tokens * CHARS_PER_TOKEN
    if len(text) <= limit:
        return text
    head = limit // 3
    tail = limit - head
    removed = len(text) - head - tail
    return f"{text[:head]}\n[... {removed} characters cut ...]\n{text[-tail:]}"


def exec_observation(
    stdout: str, stderr: str, exit_code: int, *, timed_out: bool, oom_killed: bool,
    truncated: bool, artifacts: Sequence[Artifact], max_tokens: int,
) -> str:
    """What the code printed and how it ended, in a few plain lines."""
    parts: list[str] = []
    if stdout.strip():
        parts.append(f"Output:\n{stdout.strip()}")
    if stderr.strip():
        parts.append(f"Errors:\n{stderr.strip()}")
    if timed_out:
        parts.append("The code was stopped: it ran out of time.")
    elif oom_killed:
        parts.append("The code was stopped: it ran out of memory.")
    elif exit_code != 0:
        parts.append(f"Exit code: {exit_code}")
    elif not stdout.strip() and not stderr.strip():
        parts.append("The code ran but printed nothing. Use print() to show a result.")
    if truncated:
        parts.append("(The output was too long and was cut.)")
    if artifacts:
        parts.append("Files written: " + ", ".join(a.name for a in artifacts))
    return cut_middle("\n".join(parts), max_tokens)


def error_detail(stdout: str, stderr: str, exit_code: int) -> str:
    """The part of a failed run's output that explains the failure."""
    text = stderr.strip() or stdout.strip()
    return text[-1200:] if text else f"exit code {exit_code}"
