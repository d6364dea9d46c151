"""Memory: real local embeddings, recall of past solutions, one-transaction indexing, degrading."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest

from engine.agent.loop import UNCHECKED_NOTICE
from engine.events import MemoryUsed, Notice, StepFinished, StepStarted
from engine.memory.embedder import Embedder, EmbeddingError, Vectors, model_identity, normalise
from engine.memory.index import MemoryIndex, NewDoc, blob
from engine.memory.service import MemoryService
from engine.resources import bundled_embedding_model
from engine.run import RunContext
from engine.store.db import connect_sync
from engine.store.repository import Store
from tests.conftest import real_model_path
from tests.engine.test_memory_support import agent_answer, ask, count, model_answers, types
from tests.fakes import Engines
from tui.cli import main as cli


async def test_embeddings_are_unit_vectors_that_separate_meaning() -> None:
    embedder = Embedder(bundled_embedding_model())
    try:
        assert not embedder.loaded  # nothing loads until the first use
        texts = ["sum of squares 1 to 10", "add up the squares of the numbers from 1 to 10",
                 "what is the capital of France", ""]
        vectors = await embedder.embed(texts)
        assert vectors.shape == (4, 384) and vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        assert vectors[0] @ vectors[1] > 0.8 > 0.3 > vectors[0] @ vectors[2]
        single = await embedder.embed_one(texts[1])
        assert float(single @ vectors[1]) > 0.999  # batching does not change a vector
    finally:
        embedder.close()


async def test_embedding_never_blocks_the_event_loop() -> None:
    embedder = Embedder(bundled_embedding_model())
    gaps: list[float] = []

    async def ticker(stop: asyncio.Event) -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.002)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    stop = asyncio.Event()
    task = asyncio.create_task(ticker(stop))
    started = time.perf_counter()
    await embedder.embed([f"sentence number {i} about topic {i % 7}" for i in range(300)])
    took = time.perf_counter() - started
    stop.set()
    await task
    embedder.close()
    # Blocking would show as one gap as long as the whole call; scheduler noise on a busy
    # 2-core machine is tens of milliseconds, so the bounds leave room for that only.
    assert took > 0.3 and len(gaps) > took / 0.05
    assert max(gaps) < min(0.25, took / 3) and float(np.percentile(gaps, 95)) < 0.03


async def test_engine_memory_hook_is_lazy_and_can_be_off(gb_home: Path, engines: Engines) -> None:
    engine = await engines.chat(gb_home)
    assert isinstance(engine.memory, MemoryService) and not engine.memory.embedder.loaded
    engine = await engines.chat(gb_home, memory=False)
    assert engine.memory is None
    session = await engine.new_session()
    assert types(await ask(engine, session.id, "hi"))[-1] == "run_finished"


async def test_a_turn_is_indexed_in_one_transaction(
    gb_home: Path, monkeypatch: pytest.MonkeyPatch, engines: Engines
) -> None:
    engine = await engines.chat(gb_home)
    monkeypatch.setattr(engine, "answer", agent_answer("print(385)", "385\n", "It is 385."))
    events = await ask(engine, (await engine.new_session()).id, "sum of squares 1 to 10")
    run_id = events[0].run_id
    assert await count(engine, "memory_docs", "run_id=?", (run_id,)) == 4
    assert await count(engine, "memory_docs", "kind='task'") == 1
    assert await count(engine, "vec_messages") == 2
    assert await count(engine, "vec_tasks") == 1 and await count(engine, "vec_executions") == 1
    assert await count(engine, "memory_cache") == 1
    identity = model_identity(bundled_embedding_model())
    assert await count(engine, "memory_docs", "embed_model=?", (identity,)) == 4

    # A failure half-way through leaves nothing half-written, and the run still succeeds.
    import engine.memory.index as index_module

    real_blob, calls = index_module.blob, []

    def failing_blob(vector: Vectors) -> bytes:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return real_blob(vector)

    monkeypatch.setattr(index_module, "blob", failing_blob)
    events = await ask(engine, (await engine.new_session()).id, "sum of cubes 1 to 5")
    assert types(events)[-1] == "run_finished"
    assert await count(engine, "memory_docs", "run_id=?", (events[0].run_id,)) == 0
    assert await count(engine, "memory_docs") == 4 and await count(engine, "vec_messages") == 2


async def test_verified_past_runs_become_worked_examples(
    gb_home: Path, monkeypatch: pytest.MonkeyPatch, engines: Engines
) -> None:
    engine = await engines.chat(gb_home)
    seen: list[RunContext] = []
    code = "print(sum(i ** 2 for i in range(1, 11)))"
    monkeypatch.setattr(engine, "answer", agent_answer(code, "385\n", "385", seen=seen))
    first = await ask(engine, (await engine.new_session()).id, "sum of squares 1 to 10")
    await ask(engine, (await engine.new_session()).id, "what is the capital of France")
    events = await ask(engine, (await engine.new_session()).id, "sum of cubes 1 to 10")
    assert "cache_hit" not in types(events)
    assert types(events)[:4] == ["run_started", "step_started", "memory_used", "step_finished"]
    started, used, finished = events[1], events[2], events[3]
    assert isinstance(started, StepStarted) and started.kind == "memory"
    assert isinstance(finished, StepFinished) and finished.status == "success"
    assert isinstance(used, MemoryUsed) and used.step_id == started.step_id
    own = [item for item in used.items if item.run_id.startswith("run:")]
    assert [item.run_id for item in own] == [f"run:{first[0].run_id}"]  # France is unrelated
    assert own[0].task == "sum of squares 1 to 10" and own[0].similarity > 0.55
    example = next(e for e in seen[-1].examples if e.source.startswith("run:"))
    assert (example.code, example.output, example.answer) == (code, "385", "385")
    assert "sum of squares" not in seen[-1].history[-1].content  # never pasted into the task
    steps = await engine.store.steps(events[0].run_id)
    assert steps[0].kind == "memory"

    # Marked wrong, it never comes back as an example; recall off offers no own runs.
    assert await engine.store.mark_run_wrong(first[0].run_id)
    await ask(engine, (await engine.new_session()).id, "sum of cubes 1 to 12")
    assert not [e for e in seen[-1].examples if e.source == f"run:{first[0].run_id}"]


async def test_unverified_runs_are_not_examples(
    gb_home: Path, monkeypatch: pytest.MonkeyPatch, engines: Engines
) -> None:
    engine = await engines.chat(gb_home)
    seen: list[RunContext] = []
    # The answer does not quote what the code printed: not grounded, so not an example.
    monkeypatch.setattr(engine, "answer", agent_answer("print(385)", "385\n", "It is 400.", seen=seen))
    await ask(engine, (await engine.new_session()).id, "sum of squares 1 to 10")
    await ask(engine, (await engine.new_session()).id, "sum of cubes 1 to 10")
    assert not [e for e in seen[-1].examples if e.source.startswith("run:")]
    # Grounded, but doubted by the engine itself (a split vote, a similar question's program).
    doubted = "385\n\n(2 of 3 candidate programs agree: check it.)"
    monkeypatch.setattr(engine, "answer", agent_answer("print(385)", "385\n", doubted, seen=seen))
    await ask(engine, (await engine.new_session()).id, "sum of cubes 1 to 30")
    before = len(seen)
    await ask(engine, (await engine.new_session()).id, "sum of cubes 1 to 31")
    assert len(seen) == before + 1  # a fresh run, not a cache hit
    assert not [e for e in seen[-1].examples if e.source.startswith("run:")]
    engine.apply_settings(engine.settings.model_copy(update={
        "memory": engine.settings.memory.model_copy(update={"recall_enabled": False})}))
    monkeypatch.setattr(engine, "answer", agent_answer("print(385)", "385\n", "385", seen=seen))
    await ask(engine, (await engine.new_session()).id, "sum of squares 1 to 10, please")
    await ask(engine, (await engine.new_session()).id, "sum of cubes 1 to 10")
    assert not [e for e in seen[-1].examples if e.source.startswith("run:")]


async def test_plain_chat_is_not_offered_recall(gb_home: Path, engines: Engines) -> None:
    engine = await engines.chat(gb_home)
    await ask(engine, (await engine.new_session()).id, "sum of squares 1 to 10")
    events = await ask(engine, (await engine.new_session()).id, "sum of cubes 1 to 10",
                       mode="chat")
    assert "memory_used" not in types(events)


@pytest.mark.parametrize("bad", ["missing.gguf", "garbage.gguf"])
async def test_broken_embedding_model_degrades_to_text_search(
    gb_home: Path, bad: str, engines: Engines
) -> None:
    path = gb_home / bad
    if bad == "garbage.gguf":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"GGUF" + b"\0" * 64)
    engine = await engines.chat(gb_home, ["The sum is 385."])
    engine.settings.memory.embedding_model = path
    engine.memory.embedder = Embedder(path)
    first = await ask(engine, (await engine.new_session()).id, "sum of squares 1 to 10")
    notices = [e for e in first if isinstance(e, Notice) and e.text != UNCHECKED_NOTICE]
    assert len(notices) == 1 and "full text only" in notices[0].text
    assert types(first)[-1] == "run_finished"
    again = await ask(engine, (await engine.new_session()).id, "sum of squares 1 to 10")
    assert "cache_hit" not in types(again)
    assert [e.text for e in again if isinstance(e, Notice)] == [UNCHECKED_NOTICE]  # said once
    hits = await engine.search("squares")
    assert hits and hits[0].text in ("sum of squares 1 to 10", "The sum is 385.")
    assert await count(engine, "memory_docs", "embed_model IS NULL") >= 2


async def test_changed_model_is_reembedded_in_the_background(gb_home: Path, engines: Engines) -> None:
    engine = await engines.chat(gb_home, ["An answer."], settings=model_answers())
    for text in ("sum of squares 1 to 10", "capital of France", "reverse a string"):
        await ask(engine, (await engine.new_session()).id, text)
    await engine.close()
    database = gb_home / "glassbox.db"
    conn = connect_sync(database)
    conn.execute("UPDATE memory_docs SET embed_model='old-model.gguf:1'")
    conn.commit()
    conn.close()

    engine = await engines.chat(gb_home, ["An answer."], settings=model_answers())
    memory = engine.memory
    assert isinstance(memory, MemoryService) and memory.reembed_task is not None
    assert await memory.reembed_task == 9
    assert memory.progress == (9, 9)
    assert await count(engine, "memory_docs", "embed_model=?", (memory.embedder.identity,)) == 9
    hits = await engine.search("summing squared integers")
    assert hits[0].text == "sum of squares 1 to 10"


def test_cli_reembed_prints_progress(gb_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async def seed() -> None:
        async with Engines(gb_home) as engines:
            engine = await engines.chat(gb_home / "data", ["An answer."], settings=model_answers())
            await ask(engine, (await engine.new_session()).id, "sum of squares 1 to 10")

    asyncio.run(seed())
    conn = connect_sync(gb_home / "data" / "glassbox.db")
    conn.execute("UPDATE memory_docs SET embed_model=NULL")
    conn.commit()
    conn.close()
    assert cli(["db", "reembed", "--json"]) == 0
    import json

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == {"type": "progress", "done": 0, "total": 3}
    assert lines[-2] == {"type": "progress", "done": 3, "total": 3}
    assert lines[-1]["type"] == "reembed_done" and lines[-1]["docs"] == 3


@pytest.mark.model
async def test_model_with_another_vector_size_rebuilds_the_tables(gb_home: Path, engines: Engines) -> None:
    other = real_model_path()  # the chat model doubles as a 576-dim embedding model
    if other is None:
        pytest.skip("the default chat model is not downloaded")
    engine = await engines.chat(gb_home, ["An answer."])
    try:
        await ask(engine, (await engine.new_session()).id, "sum of squares 1 to 10")
        engine.settings.memory.embedding_model = other
        engine.memory.embedder = Embedder(other)
        await engine.memory.start_reembed()
        assert await count(engine, "memory_meta", "key='dim' AND value='576'") == 1
        assert await count(engine, "sqlite_master", "sql LIKE '%float[576] distance_metric=l2)'") == 3
        assert await count(engine, "vec_messages") == 2
        assert (await engine.search("squares"))[0].session_id
    except EmbeddingError as exc:
        pytest.skip(f"this model cannot embed: {exc}")
    finally:
        await engine.close()


async def test_memory_shares_the_store_connection_without_joining_its_transactions(
    gb_home: Path, engines: Engines
) -> None:
    from engine.errors import StoreError
    from engine.memory.index import NewDoc

    engine = await engines.chat(gb_home)
    memory = engine.memory
    assert isinstance(memory, MemoryService) and memory.index.conn is engine.store.conn
    session = await engine.new_session()
    write: asyncio.Task[list[int]] | None = None
    with pytest.raises(StoreError):
        async with engine.store.transaction() as conn:
            await conn.execute("UPDATE sessions SET title='held' WHERE id=?", (session.id,))
            write = asyncio.create_task(memory.index.write_turn(
                [NewDoc("message", "indexed meanwhile", session.id)], None, None))
            await asyncio.sleep(0.05)
            assert not write.done()  # it waits for the other coroutine's transaction
            raise RuntimeError("roll the other transaction back")
    assert write is not None and len(await write) == 1
    # The turn's write was not part of the rolled-back transaction, nor the reverse.
    assert await count(engine, "memory_docs", "text='indexed meanwhile'") == 1
    assert await count(engine, "sessions", "title='held'") == 0


def at_cosines(query: Vectors, cosines: list[float], seed: int = 3) -> Vectors:
    """Unit vectors whose dot products with the unit vector `query` are `cosines`."""
    rng = np.random.default_rng(seed)
    rows = []
    for cosine in cosines:
        other = rng.standard_normal(query.shape[0]).astype(np.float32)
        other -= (other @ query) * query
        other /= np.linalg.norm(other)
        rows.append(cosine * query + np.sqrt(1.0 - cosine * cosine) * other)
    return normalise(rows)


async def test_vector_similarity_is_the_cosine_of_unit_vectors(tmp_path: Path) -> None:
    # The vec0 tables rank by L2 and the index turns d into 1 - d^2/2. Reading d as a cosine
    # distance (1 - d), or a table still on the cosine metric, would miss these by 0.1 or more.
    store = await Store.open(tmp_path / "g.db")
    try:
        index = MemoryIndex(store)
        session = await store.create_session()
        query = normalise(np.random.default_rng(1).standard_normal(384))[0]
        vectors = at_cosines(query, [0.97, 0.8, 0.5, 0.0, -0.6])
        # Stored at three times, and asked at half, unit length: the index scales both back.
        ids = await index.write_turn(
            [NewDoc("task", f"doc {i}", session.id) for i in range(5)], vectors * 3, "m")
        found = await index.knn("task", query * 0.5, 5, "m")
        assert [doc.id for doc, _ in found] == ids  # nearest first is most similar first
        assert [s for _, s in found] == pytest.approx([float(v @ query) for v in vectors], abs=1e-5)
        for row in await store.fetchall("SELECT embedding FROM vec_tasks"):
            assert np.linalg.norm(np.frombuffer(row[0], dtype=np.float32)) == pytest.approx(1.0, abs=1e-6)
        assert blob(vectors[0]) == vectors[0].tobytes()  # unit vectors are stored bit for bit
        assert await index.knn("task", np.zeros(384, dtype=np.float32), 5, "m") == []
        for table in ("vec_messages", "vec_tasks", "vec_executions"):
            sql = (await store.fetchone("SELECT sql FROM sqlite_master WHERE name=?", (table,)))[0]
            assert "distance_metric=l2" in sql
    finally:
        await store.close()
