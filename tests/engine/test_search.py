"""Hybrid search: words (FTS5 bm25) and meaning (vec0) fused by reciprocal rank."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.llm.scripted import ScriptedModel
from engine.memory.index import fts_query
from tests.engine.test_memory_support import agent_answer, ask
from tests.fakes import Engines
from tui.cli import main as cli


async def seed(home: Path) -> dict[str, str]:
    """Three sessions; returns text -> session id."""
    model = ScriptedModel(["Paris is the capital of France.", "Use a dict comprehension.",
                           "Bring an umbrella tomorrow."], repeat_last=True)
    sessions: dict[str, str] = {}
    async with Engines(home) as engines:
        engine = await engines.chat(home, model=model)
        for text in ("what is the capital of France", "invert a python dictionary",
                     "will it rain tomorrow"):
            session = await engine.new_session()
            await ask(engine, session.id, text, mode="chat")
            sessions[text] = session.id
    return sessions


async def test_search_by_words_and_by_meaning(gb_home: Path, engines: Engines) -> None:
    sessions = await seed(gb_home)
    engine = await engines.chat(gb_home)
    hits = await engine.search("dictionary")
    assert hits[0].session_id == sessions["invert a python dictionary"]
    assert hits[0].kind == "message" and hits[0].text == "invert a python dictionary"
    message = await engine.store.get_message(hits[0].message_id or "")
    assert message is not None and message.session_id == hits[0].session_id
    assert message.content == hits[0].text

    # No word in common: only the vectors can find it.
    hits = await engine.search("forecast of showers")
    assert hits and hits[0].session_id == sessions["will it rain tomorrow"]
    hits = await engine.search("French capital city")
    assert hits[0].session_id == sessions["what is the capital of France"]
    assert {h.session_id for h in hits[:2]} == {sessions["what is the capital of France"]}
    assert all(h.score > 0 for h in hits)
    assert hits == sorted(hits, key=lambda h: -h.score)


async def test_search_finds_executions_and_opens_their_reply(
    gb_home: Path, monkeypatch: pytest.MonkeyPatch, engines: Engines
) -> None:
    engine = await engines.chat(gb_home)
    code = "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.savefig('out/plot.png')"
    monkeypatch.setattr(engine, "answer", agent_answer(code, "saved\n", "Here is the chart."))
    events = await ask(engine, (await engine.new_session()).id, "draw a line chart")
    hits = await engine.search("matplotlib savefig")
    execution = next(h for h in hits if h.kind == "execution")
    assert "plt.savefig" in execution.text and execution.run_id == events[0].run_id
    run = await engine.store.get_run(events[0].run_id)
    assert run is not None and execution.message_id == run.assistant_message_id


async def test_a_result_in_both_lists_ranks_first(gb_home: Path, engines: Engines) -> None:
    engine = await engines.chat(gb_home, ["ok"])
    for text in ("sort a list of numbers in python", "quicksort explained",
                 "numbers of the beast"):
        await ask(engine, (await engine.new_session()).id, text, mode="chat")
    hits = await engine.search("sort numbers")
    assert hits[0].text == "sort a list of numbers in python"


@pytest.mark.parametrize("text", ['"unbalanced', "AND OR NOT", "col:umn*", "(", "", "   ", "ü ß 中文"])
async def test_odd_queries_do_not_break_search(gb_home: Path, text: str, engines: Engines) -> None:
    await seed(gb_home)
    engine = await engines.chat(gb_home)
    hits = await engine.search(text)
    assert isinstance(hits, list)


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('sum "of" squares OR x') == '"sum" OR "of" OR "squares" OR "or"'
    assert fts_query("  ") == ""


def test_cli_search_json_is_json_lines(gb_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    sessions = asyncio.run(seed(gb_home / "data"))
    assert cli(["search", "python dictionary", "--json", "--limit", "3"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert 1 <= len(lines) <= 3 and all(line["type"] == "search_hit" for line in lines)
    assert lines[0]["session_id"] == sessions["invert a python dictionary"]
    assert {"session_id", "message_id", "run_id", "kind", "score", "text"} <= set(lines[0])
    assert cli(["search", "python dictionary"]) == 0
    assert "invert a python dictionary" in capsys.readouterr().out


async def test_vector_search_degrades_only_on_sql_errors(gb_home: Path, engines: Engines) -> None:
    import numpy as np

    from engine.memory.index import MemoryIndex
    from engine.memory.search import hybrid_search

    await seed(gb_home)
    engine = await engines.chat(gb_home)
    index = MemoryIndex(engine.store)
    # A query vector of another size (a re-embed to a new model is under way): words still work.
    wrong_size = np.ones(576, dtype=np.float32)
    hits = await hybrid_search(index, "dictionary", wrong_size, "any", 5)
    assert hits and hits[0].text == "invert a python dictionary"

    async def broken(*args: object) -> list[object]:
        raise ZeroDivisionError("a bug, not a rebuilding table")

    index.knn = broken  # type: ignore[method-assign, assignment]
    with pytest.raises(ZeroDivisionError):
        await hybrid_search(index, "dictionary", wrong_size, "any", 5)
