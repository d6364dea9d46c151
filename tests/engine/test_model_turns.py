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


async def test_taking_a_free_model_is_immediate_and_a_held_one_is_refused() -> None:
    turns = ModelTurns()
    assert await turns.take_if_free("first") and turns.holder == "first"
    assert not await turns.take_if_free("second") and turns.holder == "first"
    turns.release()
    assert await turns.take_if_free("third") and turns.holder == "third"


async def test_runs_that_start_together_while_the_model_loads_say_which_one_waits(tmp_path: Path) -> None:
    """Both runs wait for the model's first load; the one that gets the model second says it waited
    (it used to find the model free, then wait behind the other with nothing said)."""
    from engine.llm.scripted import ScriptedModel

    async def slow_load(settings: object) -> ScriptedModel:
        await asyncio.sleep(0.3)
        return ScriptedModel(["one two three four five six"], repeat_last=True, token_delay_s=0.02)

    engine = await Engine.open(load_settings(), database=tmp_path / "gb.db", model_factory=slow_load,
                               memory=False)
    try:
        sessions = [await engine.new_session(f"s{n}") for n in range(2)]

        async def follow(session_id: str) -> list[Event]:
            return [event async for event in engine.submit(session_id, "hello", CHAT)]

        runs = await asyncio.wait_for(asyncio.gather(*(follow(s.id) for s in sessions)), 30)
    finally:
        await engine.close()
    waited = [[e for e in events if isinstance(e, Notice) and "Waiting for the model" in e.text]
              for events in runs]
    assert sorted(len(w) for w in waited) == [0, 1], waited
    for events in runs:
        assert isinstance(events[-1], RunFinished) and events[-1].status == "completed"


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
