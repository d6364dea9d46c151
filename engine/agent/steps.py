"""Typed step results of an agent run: open steps, how a run ends early, and the step log."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

from engine.events import Event, StepFinished, StepKind, StepStarted, StepStatus
from engine.store.repository import new_id

EndStatus = Literal["cancelled", "budget", "failed"]
CANCELLED_REASON = "cancelled by the user"


@dataclass(frozen=True, slots=True)
class Ending:
    """Why a run stops before an answer."""

    status: EndStatus
    reason: str
    partial: str = ""


@dataclass(frozen=True, slots=True)
class Step:
    """An open step: close it with StepLog.finish."""

    id: str
    kind: StepKind
    parent: str | None
    started: float = field(default_factory=time.monotonic)


@dataclass(frozen=True, slots=True)
class StepLog:
    """Makes the StepStarted / StepFinished events of one run."""

    run_id: str

    def start(self, kind: StepKind, title: str, parent: str | None, input: str = "") -> tuple[Step, Event]:
        """Open a step and the StepStarted event announcing it."""
        step = Step(new_id(), kind, parent)
        return step, StepStarted(run_id=self.run_id, step_id=step.id, parent_step_id=parent, kind=kind,
                                 title=title, input=input)

    def finish(
        self, step: Step, status: StepStatus, *, output: str = "", tokens: int = 0,
        strategy: str | None = None, reason: str | None = None,
    ) -> StepFinished:
        """The StepFinished event closing a step."""
        summary = " ".join(output.split())[:120]
        return StepFinished(
            run_id=self.run_id, step_id=step.id, parent_step_id=step.parent, kind=step.kind,
            status=status, duration_s=time.monotonic() - step.started, tokens=tokens, summary=summary,
            strategy=strategy, reason=reason, output=output,
        )
