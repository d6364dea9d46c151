"""CancelToken: the thread-safe stop flag shared by model calls, executions and runs."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class CancelToken:
    """Thread-safe cancel flag checked by the generation thread before every token."""

    _event: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        """Ask the generation (and anything else holding this token) to stop."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """True once cancel() was called."""
        return self._event.is_set()
