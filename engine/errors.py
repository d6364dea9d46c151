"""Error types the engine raises, each carrying a message fit to show a user."""

from __future__ import annotations


class GlassboxError(Exception):
    """Base class: str(error) is a complete, user-facing sentence, with the fix when known."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class ConfigError(GlassboxError):
    """A setting has a bad value; names the field and where it came from."""


class ModelError(GlassboxError):
    """A model file is missing, unreadable or not a valid GGUF."""


class ContextOverflowError(GlassboxError):
    """A single message does not fit in the model's context window."""


class StoreError(GlassboxError):
    """The SQLite file cannot be opened, migrated or written (e.g. the disk is full)."""


class SandboxError(GlassboxError):
    """Docker is unavailable, the image is missing, or an execution could not start."""


class BudgetExceededError(GlassboxError):
    """A run would exceed a configured token budget."""
