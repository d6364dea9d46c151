"""Exact guards for the semantic cache: task signatures, context keys, nondeterministic code."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from engine.tasktext.signature import TaskSignature, task_signature
from engine.tasktext.words import TIME_OR_CHANCE

__all__ = ["TaskSignature", "context_key", "guard_allows", "is_nondeterministic", "task_signature"]


# Longer tasks (pasted code or data) match only when identical: a signature of a whole file
# would cost a lookup tenths of a second, and what to ignore in such a text is anyone's guess.
LONG_TASK = 2000
_TIME_OR_CHANCE = re.compile(
    r"\b(?:" + "|".join(re.escape(w) for w in sorted(TIME_OR_CHANCE)) + r")\b", re.IGNORECASE)


def guard_allows(task: str, candidate: str) -> bool:
    """True when two tasks agree on every operation and on every operand, in order.

    A task with no operation or operand at all ("do it again") never matches: its meaning is
    in the conversation, not the text.
    """
    if _TIME_OR_CHANCE.search(task) or _TIME_OR_CHANCE.search(candidate):
        return False
    if max(len(task), len(candidate)) > LONG_TASK:
        return " ".join(task.split()) == " ".join(candidate.split())
    signature = _signature(task)
    if not signature.clauses:
        return False
    return signature == _signature(candidate)


@functools.lru_cache(maxsize=1024)
def _signature(text: str) -> TaskSignature:
    # Stored tasks come back as candidates lookup after lookup.
    return task_signature(text)


def context_key(
    *, model_identity: str, system_prompt: str, mode: str, sampling: dict[str, Any],
    prefix: Iterable[tuple[str, str]],
) -> str:
    """Hash of everything besides the task that shapes the answer."""
    payload = {
        "model": model_identity, "system": system_prompt, "mode": mode,
        "sampling": sampling, "prefix": [list(m) for m in prefix],
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


_NONDETERMINISTIC = re.compile(
    r"""
    \b(?:import|from)\s+(?:random|secrets|uuid|time)\b       # the modules themselves
    | \bimport\s+[\w.,\s]*\b(?:random|secrets|uuid|time)\b
    | \b(?:random|secrets|uuid)\.\w+
    | \btime\.(?:time|time_ns|perf_counter|monotonic|localtime|gmtime|ctime|strftime)\b
    | \.(?:now|utcnow|today)\s*\(
    | \bos\.urandom\b | \burandom\s*\(
    | \b(?:np|numpy)\.random\b
    | \bfrom\s+numpy\s+import\s+random\b
    | \$RANDOM\b | ^\s*date(?:\s+\+|\s*$) | /dev/u?random     # shell
    """,
    re.VERBOSE | re.MULTILINE,
)


def is_nondeterministic(codes: Sequence[str]) -> bool:
    """True if any code reads the clock or a random source, so its output may differ next time."""
    return any(_NONDETERMINISTIC.search(code) for code in codes)
