"""Glassbox engine: the async core (models, agent, sandbox, store) with no UI imports."""

from __future__ import annotations

__version__ = "0.1.0"
