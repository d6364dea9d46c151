"""How an agent run ends: the answer step and MessageDone, or the reason it stopped."""

from __future__ import annotations

from collections.abc import AsyncIterator

from engine.agent.runtime import AgentRuntime
from engine.agent.solve import Solved
from engine.agent.steps import Ending
from engine.events import Event, MessageDone, RunFinished


async def conclude(runtime: AgentRuntime, solved: Solved) -> AsyncIterator[Event]:
    """End the run: the answer step, MessageDone and RunFinished; or the stop reason."""
    if solved.ending is not None:
        async for event in end_run(runtime, solved.ending):
            yield event
        return
    ctx = runtime.ctx
    answer = solved.answer.strip() or runtime.last_output.strip() or "(The model gave no answer.)"
    step, started = runtime.start("answer", "Answer", None)
    yield started
    yield runtime.finish(step, "success", output=answer, reason=solved.cut_reason or None)
    yield MessageDone(run_id=ctx.run_id, message_id=ctx.assistant_message_id, text=answer,
                      incomplete=bool(solved.cut_reason), reason=solved.cut_reason)
    yield RunFinished(run_id=ctx.run_id, status="completed",
                      reason=f"answered; cut: {solved.cut_reason}" if solved.cut_reason else "answered",
                      final_message_id=ctx.assistant_message_id)


async def end_run(runtime: AgentRuntime, ending: Ending) -> AsyncIterator[Event]:
    """End without an answer: cancelled, out of budget, or failed, always with a clear reason."""
    ctx = runtime.ctx
    if ending.status == "cancelled":
        yield MessageDone(run_id=ctx.run_id, message_id=ctx.assistant_message_id, text=ending.partial,
                          incomplete=True, reason=ending.reason)
    else:
        head = (f"Stopped: {ending.reason}." if ending.status == "budget"
                else f"I could not complete the task: {ending.reason}.")
        if ending.partial.strip():
            head += f"\n\n{ending.partial.strip()}"
        elif runtime.last_output.strip():
            head += f"\n\nLast output:\n{runtime.last_output.strip()}"
        # A partial reply (a server that died mid-stream) is kept and marked incomplete.
        cut = ending.status == "failed" and bool(ending.partial.strip())
        yield MessageDone(run_id=ctx.run_id, message_id=ctx.assistant_message_id, text=head,
                          incomplete=cut, reason=ending.reason if cut else "")
    yield RunFinished(run_id=ctx.run_id, status=ending.status, reason=ending.reason,
                      final_message_id=ctx.assistant_message_id)
