"""The recovery policy: what to do when an action fails, with a bounded number of tries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Strategy = Literal["retry", "retry_with_fix", "alternative", "skip", "fail"]
FailureKind = Literal[
    "error", "timeout", "oom", "bad_arguments", "unknown_tool", "bad_call", "unavailable", "infra"
]


@dataclass(frozen=True, slots=True)
class Failure:
    """Why an action failed, in a category the policy understands."""

    kind: FailureKind
    detail: str

    @property
    def signature(self) -> str:
        """The last line of the detail: the same error twice means a fix did not help."""
        lines = [line.strip() for line in self.detail.strip().splitlines() if line.strip()]
        return f"{self.kind}:{lines[-1] if lines else ''}"

    @property
    def last_line(self) -> str:
        """The error itself (a traceback's last line)."""
        return self.signature.partition(":")[2]

    def echoed_by(self, reply: str) -> bool:
        """Whether a reply without code repeats this failure instead of fixing it (a small model
        often copies the traceback it was shown, and that is no answer)."""
        if self.kind == "unavailable":  # then the model was told to answer in words
            return False
        if "Traceback (most recent call last)" in reply:
            return True
        return bool(self.last_line) and self.last_line in reply


@dataclass(frozen=True, slots=True)
class Decision:
    """The chosen strategy and a sentence saying why (recorded on the step)."""

    strategy: Strategy
    reason: str


_GUIDANCE: dict[Strategy, str] = {
    "retry": "",
    "retry_with_fix": "Fix the error and reply with the corrected code in one block.",
    "alternative": "That approach did not work. Try a different, simpler approach.",
    "skip": "Do not try this again. Answer with what you know.",
    "fail": "",
}


def guidance(strategy: Strategy) -> str:
    """The instruction the model gets after the observation for this strategy."""
    return _GUIDANCE[strategy]


@dataclass(frozen=True, slots=True)
class RecoveryPolicy:
    """Picks retry, retry with a fix, an alternative, skip or fail; tries are bounded."""

    max_retries: int

    def decide(
        self, failure: Failure, attempt: int, *, previous: Failure | None = None, optional: bool = False
    ) -> Decision:
        """Decide after the `attempt`-th consecutive failure of the same action chain."""
        if failure.kind == "unavailable":
            return Decision("skip", f"code cannot run here ({_short(failure.detail)}); answer without it")
        if attempt > self.max_retries:
            if optional:
                return Decision("skip", f"still failing after {attempt} tries (agent.max_retries="
                                f"{self.max_retries}); the step is not needed by later steps")
            return Decision("fail", f"still failing after {attempt} tries (agent.max_retries="
                            f"{self.max_retries}): {_short(failure.detail)}")
        if failure.kind == "infra":
            if attempt == 1:
                return Decision("retry", f"the sandbox failed ({_short(failure.detail)}); running it again")
            return Decision("alternative", "the sandbox failed again")
        if failure.kind in ("timeout", "oom"):
            what = "ran out of time" if failure.kind == "timeout" else "ran out of memory"
            return Decision("alternative", f"the code {what}; a lighter approach is needed")
        if failure.kind == "unknown_tool":
            return Decision("alternative", f"no such tool: {_short(failure.detail)}")
        if previous is not None and previous.signature == failure.signature:
            return Decision("alternative", f"the same error twice: {_short(failure.detail)}")
        if failure.kind in ("bad_arguments", "bad_call"):
            return Decision("retry_with_fix", f"invalid tool call: {_short(failure.detail)}")
        return Decision("retry_with_fix", f"the code failed: {_short(failure.detail)}")


def _short(text: str, limit: int = 160) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else text.strip()
    return last if len(last) <= limit else last[: limit - 3] + "..."
