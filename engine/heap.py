"""release_free_heap: hand freed native memory back to the OS after a run (glibc's malloc_trim)."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from typing import Any


@functools.cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        return libc if hasattr(libc, "malloc_trim") else None  # glibc only (not musl, not macOS)
    except OSError:
        return None


def release_free_heap() -> bool:
    """Return free pages of every malloc arena to the OS; True if anything was released. Blocking
    (a few ms): call it in a thread. Why: llama.cpp, the embedder and the SQLite and Docker threads
    allocate and free megabytes per turn in their own arenas, and glibc keeps the freed pages, so
    resident memory crept up run after run (bench/soak.py) though nothing leaked."""
    libc = _libc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
