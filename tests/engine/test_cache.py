"""Semantic cache: paraphrases hit, near misses and changed contexts do not, replay is instant."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.events import Artifact, CacheHit, MessageDone
from engine.llm.scripted import ScriptedModel
from engine.memory.guard import guard_allows, is_nondeterministic
from tests.engine.test_memory_support import agent_answer, ask, count, model_answers, types
from tests.fakes import Engines

SEED = "sum of squares 1 to 10"

PARAPHRASES = [
    "Compute the sum of the squares of the numbers from 1 to 10",
    "what is the sum of squares from 1 to 10?",
    "Calculate the sum of the squares of 1 through 10.",
]

NEAR_MISSES = [
    "sum of cubes 1 to 10",                   # another operation
    "sum of squares 1 to 20",                 # another number
    "sum of squares 2 to 10",
    "product of squares 1 to 10",
    "sum of squares of even numbers 1 to 10",  # an extra qualifier
    "sum of squares not including 1 to 10",
]


@pytest.mark.parametrize(("a", "b", "allowed"), [
    (SEED, "sum of cubes 1 to 10", False),
    (SEED, "sum of squares 1 to 20", False),
    (SEED, "Add up the squares of the numbers from 1 to 10", True),
    (SEED, "Add up the squares of the numbers between 1 and 10", False),  # may exclude the ends
    ("read data.csv and print the mean", "read data.json and print the mean", False),
    ("read data.csv and print the mean", "print the average of data.csv", True),
    ("plot results.csv as a line chart", "plot results.csv as a bar chart", False),
    ("print the first ten primes", "list the first 10 prime numbers", True),
    ("print the first ten primes", "print the first 11 primes", False),
    ("sort [3, 1, 2] ascending", "sort [3, 1, 2] descending", False),
    ("count words in notes.txt", "count lines in notes.txt", False),
    ("convert 100 usd to eur", "convert 100 eur to usd", False),  # the reported wrong hit
    ("Write a Python program to reverse the string hello", "reverse the string hello", True),
    ("average of 1.5 and 2.50", "mean of 1.50 and 2.5", True),
    ("files over 1,000 bytes", "files over 1000 bytes", True),
])
def test_exact_guard(a: str, b: str, allowed: bool) -> None:
    assert guard_allows(a, b) is allowed
    assert guard_allows(b, a) is allowed


@pytest.mark.parametrize(("code", "expected"), [
    ("import random\nprint(random.randint(1, 6))", True),
    ("from datetime import datetime\nprint(datetime.now())", True),
    ("import time\nprint(time.time())", True),
    ("import uuid\nprint(uuid.uuid4())", True),
    ("import os\nprint(os.urandom(4))", True),
    ("import secrets\nprint(secrets.token_hex())", True),
    ("import numpy as np\nprint(np.random.rand(3))", True),
    ("print(sum(i * i for i in range(1, 11)))", False),
    ("from datetime import date\nprint(date(2024, 1, 1).isoformat())", False),
])
def test_nondeterministic_code_detection(code: str, expected: bool) -> None:
    assert is_nondeterministic([code]) is expected


async def test_paraphrase_in_new_session_replays_at_once(gb_home: Path, engines: Engines) -> None:
    model = ScriptedModel(["The sum is 385."], repeat_last=True)
    engine = await engines.chat(gb_home, model=model, settings=model_answers())
    first = await engine.new_session()
    seeded = await ask(engine, first.id, SEED)
    for text in PARAPHRASES:
        session = await engine.new_session()
        events = await ask(engine, session.id, text)
        assert types(events) == ["run_started", "cache_hit", "token", "message_done",
                                 "run_finished"], text
        hit = events[1]
        assert isinstance(hit, CacheHit)
        assert hit.source_session_id == first.id and hit.source_run_id == seeded[0].run_id
        assert engine.settings.memory.cache_threshold <= hit.similarity <= 1.0
        done = events[3]
        assert isinstance(done, MessageDone) and done.cached and done.text == "The sum is 385."
        stored = await engine.store.get_message(done.message_id)
        assert stored is not None and stored.cached and stored.content == "The sum is 385."
    assert len(model.prompts) == 1  # the model answered only the first time


async def test_near_misses_do_not_hit(gb_home: Path, engines: Engines) -> None:
    model = ScriptedModel(["An answer."], repeat_last=True)
    engine = await engines.chat(gb_home, model=model, settings=model_answers())
    await ask(engine, (await engine.new_session()).id, SEED)
    for text in NEAR_MISSES:
        events = await ask(engine, (await engine.new_session()).id, text)
        assert "cache_hit" not in types(events), text
    assert len(model.prompts) == 1 + len(NEAR_MISSES)


async def test_changed_context_does_not_hit(gb_home: Path, engines: Engines) -> None:
    engine = await engines.chat(gb_home, ["An answer."], settings=model_answers())
    await ask(engine, (await engine.new_session()).id, SEED)
    # Same task, but after other messages: the conversation prefix differs.
    session = await engine.new_session()
    await ask(engine, session.id, "hello there")
    assert "cache_hit" not in types(await ask(engine, session.id, SEED))
    engine.settings.llm.temperature = 0.9
    assert "cache_hit" not in types(await ask(engine, (await engine.new_session()).id, SEED))
    engine.settings.llm.temperature = 0.2
    engine.settings.llm.system_prompt = "You are a pirate."
    assert "cache_hit" not in types(await ask(engine, (await engine.new_session()).id, SEED))
    engine.settings.llm.system_prompt = "You are Glassbox, a helpful assistant running locally." \
        " Answer concisely."
    assert "cache_hit" in types(await ask(engine, (await engine.new_session()).id, SEED))
    engine._model = ScriptedModel(["Other weights."], name="other")  # another model file
    assert "cache_hit" not in types(await ask(engine, (await engine.new_session()).id, SEED))


async def test_no_cache_bypasses_and_refreshes(gb_home: Path, engines: Engines) -> None:
    model = ScriptedModel(["Old answer.", "New answer."], repeat_last=True)
    engine = await engines.chat(gb_home, model=model, settings=model_answers())
    await ask(engine, (await engine.new_session()).id, SEED)
    fresh = await ask(engine, (await engine.new_session()).id, SEED, use_cache=False)
    assert "cache_hit" not in types(fresh) and len(model.prompts) == 2
    again = await ask(engine, (await engine.new_session()).id, SEED)
    hit = next(e for e in again if isinstance(e, CacheHit))
    assert hit.source_run_id == fresh[0].run_id
    assert next(e for e in again if isinstance(e, MessageDone)).text == "New answer."
    assert await count(engine, "memory_cache") == 1  # the old entry was replaced


async def test_cache_disabled_setting(gb_home: Path, engines: Engines) -> None:
    engine = await engines.chat(gb_home, ["An answer."], settings=model_answers())
    await ask(engine, (await engine.new_session()).id, SEED)
    engine.settings.memory.cache_enabled = False
    assert "cache_hit" not in types(await ask(engine, (await engine.new_session()).id, SEED))


async def test_hit_replays_code_output_and_artifacts(
    gb_home: Path, monkeypatch: pytest.MonkeyPatch, engines: Engines
) -> None:
    engine = await engines.chat(gb_home, settings=model_answers())
    plot = Artifact(name="plot.png", path=str(gb_home / "plot.png"), size=10, mime="image/png")
    code = "print(sum(i * i for i in range(1, 11)))"
    monkeypatch.setattr(engine, "answer", agent_answer(code, "385\n", "It is 385.",
                                                        artifacts=(plot,)))
    await ask(engine, (await engine.new_session()).id, SEED)
    events = await ask(engine, (await engine.new_session()).id, PARAPHRASES[0])
    assert types(events) == ["run_started", "cache_hit", "exec_started", "exec_output",
                             "exec_finished", "token", "message_done", "run_finished"]
    assert events[2].code == code and events[3].text == "385\n"  # type: ignore[attr-defined]
    assert events[4].artifacts == (plot,)  # type: ignore[attr-defined]


@pytest.mark.parametrize("code", [
    "import random\nprint(random.randint(1, 6))",
    "from datetime import datetime\nprint(datetime.now())",
])
async def test_time_or_random_results_are_not_cached(
    gb_home: Path, monkeypatch: pytest.MonkeyPatch, code: str, engines: Engines
) -> None:
    engine = await engines.chat(gb_home, settings=model_answers())
    monkeypatch.setattr(engine, "answer", agent_answer(code, "4\n", "You rolled 4."))
    await ask(engine, (await engine.new_session()).id, "roll a die")
    assert await count(engine, "memory_cache") == 0
    events = await ask(engine, (await engine.new_session()).id, "roll a die")
    assert "cache_hit" not in types(events)


@pytest.mark.parametrize(("status", "incomplete"), [("cancelled", True), ("budget", False)])
async def test_only_completed_runs_are_cached(
    gb_home: Path, monkeypatch: pytest.MonkeyPatch, status: str, incomplete: bool, engines: Engines
) -> None:
    engine = await engines.chat(gb_home, settings=model_answers())
    monkeypatch.setattr(engine, "answer", agent_answer(
        "print(385)", "385\n", "It is", status=status, incomplete=incomplete))
    await ask(engine, (await engine.new_session()).id, SEED)
    assert await count(engine, "memory_cache") == 0
    assert await count(engine, "memory_docs", "kind='task'") == 0
    assert await count(engine, "memory_docs", "kind='message'") >= 1  # still searchable


async def test_hit_embeds_only_the_task(
    gb_home: Path, monkeypatch: pytest.MonkeyPatch, engines: Engines
) -> None:
    engine = await engines.chat(gb_home, ["The sum is 385."], settings=model_answers())
    await ask(engine, (await engine.new_session()).id, SEED)
    embedded: list[str] = []
    real = engine.memory.embedder.embed_sync

    def recording(texts: list[str]) -> object:
        embedded.extend(texts)
        return real(texts)

    monkeypatch.setattr(engine.memory.embedder, "embed_sync", recording)
    events = await ask(engine, (await engine.new_session()).id, PARAPHRASES[0])
    assert "cache_hit" in types(events)
    # The replayed answer reuses the stored answer's vector: only the new task is embedded.
    assert embedded == [PARAPHRASES[0]]
    assert await count(engine, "vec_messages") == 4
    rows = await engine.store.fetchall(
        "SELECT v.embedding FROM memory_docs d JOIN vec_messages v ON v.rowid = d.id"
        " WHERE d.text = 'The sum is 385.'")
    assert len(rows) == 2 and rows[0][0] == rows[1][0]


async def test_hit_survives_a_failed_index(
    gb_home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, engines: Engines
) -> None:
    engine = await engines.chat(gb_home, ["The sum is 385."], settings=model_answers())
    await ask(engine, (await engine.new_session()).id, SEED)

    async def failing(*args: object, **kwargs: object) -> list[int]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(engine.memory.index, "write_turn", failing)
    events = await ask(engine, (await engine.new_session()).id, PARAPHRASES[0])
    assert types(events)[-1] == "run_finished" and "cache_hit" in types(events)
    assert "disk on fire" in caplog.text
