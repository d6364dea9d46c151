"""The engine's chat path with a scripted model: events, persistence, context, bad input."""

from __future__ import annotations

from pathlib import Path

from engine.events import MessageDone, Notice, RunFailed, RunFinished, RunStarted, TokenDelta, UsageUpdated
from engine.llm.scripted import ScriptedModel
from engine.service import SubmitOptions
from tests.fakes import Engines

CHAT = SubmitOptions(mode="chat")


async def test_events_are_typed_ordered_and_saved(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    engine = await engines.open(database=tmp_path / "g.db", model=ScriptedModel(["one two three"]))
    session = await engine.new_session()
    events = await engine.submit(session.id, "count", CHAT).wait()
    kinds = [type(e) for e in events]
    assert kinds[0] is RunStarted and kinds[-1] is RunFinished
    assert [e.text for e in events if isinstance(e, TokenDelta)] == ["one", " two", " three"]
    usage = next(e for e in events if isinstance(e, UsageUpdated))
    assert usage.completion_tokens == 3 and usage.context_max == 4096
    history = await engine.history(session.id)
    assert [(m.role, m.content, m.status) for m in history] == [
        ("user", "count", "complete"), ("assistant", "one two three", "complete")]
    assert history[1].parent_id == history[0].id
    run = await engine.store.get_run(events[0].run_id)
    assert run is not None and run.status == "completed"
    assert (await engine.store.usage_totals(session_id=session.id)).completion_tokens == 3


async def test_long_conversation_drops_oldest_turns_with_notice(
    gb_home: Path, tmp_path: Path, engines: Engines
) -> None:
    model = ScriptedModel(["word " * 40], repeat_last=True, context_size=400)
    engine = await engines.open(database=tmp_path / "g.db", model=model)
    engine.settings.llm.max_tokens = 60
    session = await engine.new_session()
    notices: list[Notice] = []
    for turn in range(12):
        events = await engine.submit(session.id, f"turn {turn} " + "filler " * 30, CHAT).wait()
        assert isinstance(events[-1], RunFinished), events[-1]
        notices += [e for e in events if isinstance(e, Notice)]
    assert notices and "oldest" in notices[-1].text
    last_prompt = model.prompts[-1]
    assert last_prompt[-1].content.startswith("turn 11")
    assert not any(m.content.startswith("turn 0 ") for m in last_prompt)
    assert await model.count_tokens(last_prompt) <= 400 - 60
    # Nothing is deleted from the file: only the prompt leaves old turns out.
    assert len(await engine.history(session.id)) == 24


async def test_ten_megabyte_paste_fails_clearly_and_keeps_the_text(
    gb_home: Path, tmp_path: Path, engines: Engines
) -> None:
    engine = await engines.open(database=tmp_path / "g.db", model=ScriptedModel(["never used"]))
    session = await engine.new_session()
    paste = "0123456789" * 1_000_000
    events = await engine.submit(session.id, paste, CHAT).wait()
    failed = events[-1]
    assert isinstance(failed, RunFailed)
    assert "characters" in failed.error and "context" in failed.error
    history = await engine.history(session.id)
    assert history[0].content == paste  # saved in full, nothing lost
    # The session still works afterwards.
    engine._model = ScriptedModel(["fine"])
    events = await engine.submit(session.id, "short one", CHAT).wait()
    assert isinstance(events[-1], RunFinished)


async def test_cancel_marks_reply_incomplete_and_session_stays_usable(
    gb_home: Path, tmp_path: Path, engines: Engines
) -> None:
    model = ScriptedModel(["a " * 500, "next answer"], token_delay_s=0.005)
    engine = await engines.open(database=tmp_path / "g.db", model=model)
    session = await engine.new_session()
    handle = engine.submit(session.id, "long please", CHAT)
    seen = 0
    events = []
    async for event in handle:
        events.append(event)
        if isinstance(event, TokenDelta):
            seen += 1
            if seen == 10:
                handle.cancel()
    done = next(e for e in events if isinstance(e, MessageDone))
    assert done.incomplete and done.text.count("a") <= 11
    assert isinstance(events[-1], RunFinished) and events[-1].status == "cancelled"
    assert (await engine.history(session.id))[-1].incomplete
    events = await engine.submit(session.id, "again", CHAT).wait()
    assert isinstance(events[-1], RunFinished) and events[-1].status == "completed"


async def test_missing_model_fails_the_run_readably(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    engine = await engines.open(database=tmp_path / "g.db")
    engine.settings.llm.model = str(tmp_path / "nope.gguf")
    session = await engine.new_session()
    events = await engine.submit(session.id, "hello", CHAT).wait()
    assert isinstance(events[-1], RunFailed)
    assert "does not exist" in events[-1].error
    assert (await engine.history(session.id))[0].content == "hello"


async def test_session_token_budget_stops_runs(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    engine = await engines.open(database=tmp_path / "g.db", model=ScriptedModel(["x y z"], repeat_last=True))
    session = await engine.new_session()
    await engine.store.set_session_budget(session.id, 5)
    first = await engine.submit(session.id, "a", CHAT).wait()
    assert isinstance(first[-1], RunFinished)
    second = await engine.submit(session.id, "b", CHAT).wait()
    assert isinstance(second[-1], RunFailed) and "budget" in second[-1].error


async def test_switch_model_releases_the_old_one_and_loads_the_new(
    gb_home: Path, tmp_path: Path, engines: Engines
) -> None:
    loaded: list[str] = []

    async def factory(settings):  # type: ignore[no-untyped-def]
        loaded.append(settings.llm.model)
        return ScriptedModel([f"from {settings.llm.model}"], repeat_last=True, name=settings.llm.model)

    engine = await engines.open(database=tmp_path / "g.db", model_factory=factory)
    session = await engine.new_session()
    await engine.submit(session.id, "a", CHAT).wait()
    await engine.switch_model("other")
    events = await engine.submit(session.id, "b", CHAT).wait()
    done = next(e for e in events if isinstance(e, MessageDone))
    assert done.text == "from other" and loaded == ["smollm2", "other"]
