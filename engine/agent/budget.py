"""Per-run limits (actions, wall time, tokens) and a cancel token that also honours them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from engine.config import AgentSettings
from engine.llm.base import CancelToken


@dataclass
class Budget:
    """What one run may still spend; each limit ends the run with a reason, not an error."""

    settings: AgentSettings
    started: float = field(default_factory=time.monotonic)
    actions: int = 0
    tokens: int = 0

    def remaining_wall(self) -> float:
        """Seconds left before max_wall_s."""
        return self.settings.max_wall_s - (time.monotonic() - self.started)

    def remaining_tokens(self) -> int:
        """Tokens left before max_tokens_per_run."""
        return self.settings.max_tokens_per_run - self.tokens

    @property
    def deadline(self) -> float:
        """The monotonic time at which the run is out of time."""
        return self.started + self.settings.max_wall_s

    def exhausted(self) -> str | None:
        """Why the run must stop now (wall time or tokens), or None."""
        if self.remaining_wall() <= 0:
            return (f"max_wall_s: the run reached its {self.settings.max_wall_s:g}-second limit"
                    " (agent.max_wall_s)")
        if self.remaining_tokens() <= 0:
            return (f"max_tokens_per_run: the run used {self.tokens:,} of its "
                    f"{self.settings.max_tokens_per_run:,} tokens (agent.max_tokens_per_run)")
        return None

    def take_action(self) -> str | None:
        """Count one action; the reason if the step limit is already used up."""
        if self.actions >= self.settings.max_steps:
            return f"max_steps: the run used all {self.settings.max_steps} actions (agent.max_steps)"
        self.actions += 1
        return None

    def tokens_reason(self) -> str:
        """The token-limit reason, for a generation cut short by it."""
        return (f"max_tokens_per_run: the run reached its {self.settings.max_tokens_per_run:,}-token "
                "limit (agent.max_tokens_per_run)")


@dataclass
class StopToken(CancelToken):
    """Cancelled when its parent (the user's cancel) is, past a deadline, or by cancel()."""

    parent: CancelToken | None = None
    deadline: float | None = None

    @property
    def cancelled(self) -> bool:
        """Checked by the generation thread before every token."""
        if self._event.is_set():
            return True
        if self.parent is not None and self.parent.cancelled:
            return True
        return self.deadline is not None and time.monotonic() >= self.deadline

    @property
    def past_deadline(self) -> bool:
        """True if the deadline (rather than a cancel) is what stopped it."""
        return self.deadline is not None and time.monotonic() >= self.deadline
