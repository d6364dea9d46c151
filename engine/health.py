"""HealthCheck: one line of `glassbox doctor`, with the fix when it fails."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HealthCheck:
    """The outcome of one check."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
