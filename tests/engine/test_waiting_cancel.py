"""A run cancelled while it waits for the in-process model ends at once, without a model call."""

from __future__ import annotations

import asyncio
from pathlib import Path

from engine.config import load_settings
from engine.events import Event, MessageDone, ModelWait, Notice, RunFinished, TokenDelta
from engine.llm.scripted import ScriptedModel
from engine.service import SubmitOptions
from tests.fakes import Engines

CHAT = SubmitOptions(mode="chat", use_cache=False)


async def test_a_run_cancelled_while_waiting_for_the_model_ends_without_calling_it(
    gb_home: Path, engines: Engines
) -> None:
    model = ScriptedModel(["one " * 200, "never"], token_delay_s=0.01)
    engine = await engines.open(load_settings(), database=gb_home / "gb.db", model=model, memory=False)
    busy, waiting = await engine.new_session(), await engine.new_session()
    first = engine.submit(busy.id, "Write a long essay.", CHAT)
    first_events: list[Event] = []
    generating = asyncio.Event()

    async def follow_first() -> None:
        async for event in first:
            first_events.append(event)
            if isinstance(event, TokenDelta):
                generating.set()

    follower = asyncio.ensure_future(follow_first())
    await asyncio.wait_for(generating.wait(), 10)

    second = engine.submit(waiting.id, "Name three colours.", CHAT)
    events: list[Event] = []
    async for event in second:
        events.append(event)
        if isinstance(event, ModelWait) and event.waiting:
            second.cancel()
    assert not follower.done(), "the second run ended while the first still had the model"
    notices = [e.text for e in events if isinstance(e, Notice)]
    assert any(n.startswith("Waiting for the model: “Write a long essay.” is using it") for n in notices)
    end = events[-1]
    assert isinstance(end, RunFinished) and end.status == "cancelled"
    assert end.reason == "cancelled while waiting for the model"
    done = [e for e in events if isinstance(e, MessageDone)]
    assert len(done) == 1 and done[0].incomplete and done[0].text == ""
    assert not any(isinstance(e, TokenDelta) for e in events)
    assert len(model.prompts) == 1, "only the first run called the model"
    assert [r.status for r in await engine.sessions.runs(waiting.id)] == ["cancelled"]

    first.cancel()
    await asyncio.wait_for(follower, 10)
    assert not any(isinstance(e, ModelWait) for e in first_events), "the first run never waited"


async def test_a_run_that_waited_is_told_when_it_gets_the_model(gb_home: Path, engines: Engines) -> None:
    model = ScriptedModel(["first " * 20, "second reply"], token_delay_s=0.02)
    engine = await engines.open(load_settings(), database=gb_home / "gb.db", model=model, memory=False)
    one, two = await engine.new_session("one"), await engine.new_session("two")
    first = engine.submit(one.id, "a", CHAT)
    await asyncio.sleep(0.05)
    second = engine.submit(two.id, "b", CHAT)
    _, events = await asyncio.wait_for(asyncio.gather(first.wait(), second.wait()), 10)
    waits = [e for e in events if isinstance(e, ModelWait)]
    assert [w.waiting for w in waits] == [True, False]
    assert waits[0].holder == "“one”" and waits[1].waited_s > 0
    assert isinstance(events[-1], RunFinished) and events[-1].status == "completed"


class ServerLikeModel(ScriptedModel):
    """A scripted model that, like a server backend, takes several runs at once."""

    serves_many = True


async def test_runs_on_a_model_that_serves_many_do_not_wait_whatever_the_settings_name(
    gb_home: Path, engines: Engines
) -> None:
    # The settings name the in-process default; the model in use is a server's (as bench/concurrency.py
    # gives one to Engine.open): it decides, and the runs overlap.
    model = ServerLikeModel(["first " * 20, "second " * 20], token_delay_s=0.02)
    engine = await engines.open(load_settings(), database=gb_home / "gb.db", model=model, memory=False)
    one, two = await engine.new_session("one"), await engine.new_session("two")
    first = engine.submit(one.id, "a", CHAT)
    await asyncio.sleep(0.05)
    second = engine.submit(two.id, "b", CHAT)
    firsts, seconds = await asyncio.wait_for(asyncio.gather(first.wait(), second.wait()), 10)
    assert not any(isinstance(e, (ModelWait, Notice)) for e in firsts + seconds)
    assert all(isinstance(events[-1], RunFinished) and events[-1].status == "completed"
               for events in (firsts, seconds))
