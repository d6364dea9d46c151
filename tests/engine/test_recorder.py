"""EventRecorder: what reaches the UI is what lands in the file."""

from __future__ import annotations

from pathlib import Path

from engine.events import PlanCreated, PlanStep, StepFinished, StepStarted
from engine.recorder import EventRecorder
from engine.store.repository import Store


async def test_plan_is_saved_on_its_step_for_a_restart(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "g.db")
    session = await store.create_session()
    run = await store.start_run(session.id, None, None, "m")
    recorder = EventRecorder(store, session.id)
    await recorder.record(StepStarted(run_id=run.id, step_id="p", kind="plan", input="task"))
    await recorder.record(StepFinished(run_id=run.id, step_id="p", kind="plan", status="success",
                                       output='{"steps": "raw model json"}'))
    steps = (PlanStep(id="1", title="load data", role="coder"),
             PlanStep(id="2", title="explain", role="writer", depends_on=("1",)))
    await recorder.record(PlanCreated(run_id=run.id, step_id="p", steps=steps, revision=1))
    (saved,) = await store.steps(run.id)
    assert saved.output == {"revision": 1, "plan": [
        {"id": "1", "title": "load data", "role": "coder", "depends_on": []},
        {"id": "2", "title": "explain", "role": "writer", "depends_on": ["1"]}]}
    await store.close()
