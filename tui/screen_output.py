"""private_screen_output(): the streams Textual draws the screen on, kept apart from descriptors 1 and 2."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TextIO

_STREAMS = ("__stdout__", "__stderr__")
"""Textual's terminal driver draws on sys.__stderr__, its web driver on sys.__stdout__."""


@contextlib.contextmanager
def private_screen_output() -> Iterator[None]:
    """While the app runs, sys.__stdout__ and sys.__stderr__ write through duplicates of
    descriptors 1 and 2, to the same terminal or pipe.

    llama-cpp-python, with verbose=False, points descriptors 1 and 2 at /dev/null while it loads
    a model or builds a grammar, in the engine's worker threads. Every frame Textual wrote in that
    time went to /dev/null: a session switched in the first second of a run kept showing the old
    chat until something else changed (tests/e2e/test_multirun_tmux.py failed 1 run in 3)."""
    originals: dict[str, TextIO] = {}
    try:
        for name in _STREAMS:
            stream = getattr(sys, name, None)
            copy = _duplicate(stream) if stream is not None else None
            if copy is not None and stream is not None:
                originals[name] = stream
                setattr(sys, name, copy)
        yield
    finally:
        for name, stream in originals.items():
            copy = getattr(sys, name)
            setattr(sys, name, stream)
            with contextlib.suppress(OSError, ValueError):
                copy.close()


def _duplicate(stream: TextIO) -> TextIO | None:
    """A text stream on a new descriptor for the same file (not inherited by child processes), or
    None when the stream has no descriptor (a test's captured output)."""
    try:
        descriptor = os.dup(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    # Line buffering as a terminal's stderr has; Textual's writer thread flushes after each frame.
    return os.fdopen(descriptor, "w", encoding=stream.encoding or "utf-8",
                     errors=stream.errors or "strict", buffering=1)
