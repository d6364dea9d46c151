"""Several sessions run at once: with the in-process model they take turns and say so."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from engine.cancel import CancelToken
from engine.config import load_settings
from engine.events import Event, MessageDone, Notice, RunFinished, TokenDelta
from engine.llm.turns import ModelTurns
from engine.service import Engine, SubmitOptions

CHAT = SubmitOptions(mode="chat", use_cache=False)


async def test_a_waiting_run_leaves_the_queue_when_cancelled() -> None:
    turns = ModelTurns()
    assert await turns.acquire("first", CancelToken())
    cancel = CancelToken()
    waiter = asyncio.ensure_future(turns.acquire("second", cancel))
    await asyncio.sleep(0.1)
    assert not waiter.done() and turns.holder == "first"
    cancel.cancel()
    assert await asyncio.wait_for(waiter, 2) is False
    turns.release()
    assert not turns.busy
    assert await turns.acquire("third", CancelToken()) and turns.holder == "third"


@pytest.mark.model
async def test_two_sessions_at_once_take_turns_on_the_real_model(
    gb_home: Path, model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLASSBOX_LLM__MODEL", str(model_path))
    monkeypatch.setenv("GLASSBOX_LLM__TEMPERATURE", "0")
    monkeypatch.setenv("GLASSBOX_LLM__MAX_TOKENS", "24")
    engine = await Engine.open(load_settings(), memory=False)
    try:
        first, second = await engine.new_session("bread essay"), await engine.new_session()
        timeline: list[tuple[str, Event]] = []
        generating = asyncio.Event()

        async def follow(label: str, session_id: str, text: str) -> None:
            async for event in engine.submit(session_id, text, CHAT):
                timeline.append((label, event))
                if isinstance(event, TokenDelta):
                    generating.set()

        one = asyncio.ensure_future(follow("one", first.id, "Write a short poem about bread."))
        await asyncio.wait_for(generating.wait(), 60)
        await asyncio.wait_for(asyncio.gather(one, follow("two", second.id, "Name three colours.")), 120)
    finally:
        await engine.close()
    waits = [e for label, e in timeline if label == "two" and isinstance(e, Notice)]
    assert len(waits) == 1 and "Waiting for the model: “bread essay” is using it" in waits[0].text
    assert not any(label == "one" and isinstance(e, Notice) for label, e in timeline)
    # The second run's tokens start only after the first run ended; both answered.
    first_end = next(i for i, (lab, e) in enumerate(timeline) if lab == "one" and isinstance(e, RunFinished))
    second_tokens = [i for i, (lab, e) in enumerate(timeline) if lab == "two" and isinstance(e, TokenDelta)]
    assert second_tokens and min(second_tokens) > first_end
    for label in ("one", "two"):
        done = [e for lab, e in timeline if lab == label and isinstance(e, MessageDone)]
        ends = [e for lab, e in timeline if lab == label and isinstance(e, RunFinished)]
        assert len(done) == 1 and done[0].text.strip() and ends[0].status == "completed"
