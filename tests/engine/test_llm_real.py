"""The llama.cpp backend with the real default model: streaming, counts, cancel, cache, recall."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from engine.config import LLMSettings
from engine.events import Notice, RunFinished, TokenDelta, UsageUpdated
from engine.llm.base import CancelToken, ChatMessage, GenDone, GenToken, SamplingParams
from engine.llm.llama_backend import LlamaChatModel
from engine.service import SubmitOptions
from tests.fakes import Engines

pytestmark = pytest.mark.model
GREEDY = SamplingParams(temperature=0.0, max_tokens=64)
QUESTION = [ChatMessage("system", "You are helpful."), ChatMessage("user", "Name three fruits.")]


async def _collect(model: LlamaChatModel, messages: list[ChatMessage], params: SamplingParams,
                   cancel: CancelToken | None = None) -> tuple[list[str], GenDone]:
    pieces: list[str] = []
    done = None
    async for item in model.stream(messages, params, cancel):
        if isinstance(item, GenToken):
            pieces.append(item.text)
        else:
            done = item
    assert done is not None
    return pieces, done


async def test_streams_tokens_and_counts_match_the_tokenizer(model_path: Path) -> None:
    model = await LlamaChatModel.load(model_path, LLMSettings())
    pieces, done = await _collect(model, QUESTION, GREEDY)
    assert len(pieces) > 3 and "".join(pieces) == done.text
    prompt_ids = await model.run_in_model_thread(
        lambda: model.llama.tokenize(model.format_prompt(QUESTION).encode(), add_bos=False, special=True))
    assert done.prompt_tokens == len(prompt_ids)
    assert done.completion_tokens == len(await model.tokenize(done.text))
    assert done.ttft_s > 0 and done.tokens_per_s > 0
    assert done.context_used == done.prompt_tokens + done.completion_tokens
    await model.close()


async def test_cancel_stops_within_one_token_and_model_answers_at_once(model_path: Path) -> None:
    model = await LlamaChatModel.load(model_path, LLMSettings())
    cancel = CancelToken()
    count = 0
    done = None
    long_task = [ChatMessage("user", "Write a long essay about the history of bread.")]
    async for item in model.stream(long_task, SamplingParams(temperature=0, max_tokens=400), cancel):
        if isinstance(item, GenToken):
            count += 1
            if count == 3:
                cancel.cancel()
        else:
            done = item
    assert done is not None and done.finish_reason == "cancelled"
    assert done.completion_tokens <= 4
    started = time.perf_counter()
    _, after = await _collect(model, QUESTION, SamplingParams(temperature=0, max_tokens=4))
    assert after.finish_reason in ("length", "stop") and after.completion_tokens >= 1
    assert time.perf_counter() - started < 5
    await model.close()


async def test_next_turn_reuses_the_shared_prompt_prefix(model_path: Path) -> None:
    model = await LlamaChatModel.load(model_path, LLMSettings())
    _, first = await _collect(model, QUESTION, GREEDY)
    follow = [*QUESTION, ChatMessage("assistant", first.text), ChatMessage("user", "One more?")]
    _, second = await _collect(model, follow, GREEDY)
    assert second.cached_prompt_tokens >= first.prompt_tokens - 1
    await model.close()


async def test_generation_never_blocks_the_event_loop(model_path: Path) -> None:
    model = await LlamaChatModel.load(model_path, LLMSettings())
    lags: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            lags.append(time.perf_counter() - before - 0.005)

    task = asyncio.create_task(ticker())
    await _collect(model, [ChatMessage("user", "Tell me about rivers. " * 40)],
                   SamplingParams(temperature=0, max_tokens=80))
    stop.set()
    await task
    assert len(lags) > 20
    lags.sort()
    # The median tick is on time; even the worst is far from a blocking generation (seconds).
    assert lags[len(lags) // 2] < 0.01
    assert lags[-1] < 0.25
    await model.close()


async def test_engine_recalls_an_earlier_turn(
    gb_home: Path, model_path: Path, tmp_path: Path, engines: Engines
) -> None:
    engine = await engines.open(database=tmp_path / "g.db")
    engine.settings.llm.model = str(model_path)
    engine.settings.llm.temperature = 0.0
    chat = SubmitOptions(mode="chat")
    session = await engine.new_session()
    await engine.submit(session.id, "My name is Zorblax. Please remember my name.", chat).wait()
    events = await engine.submit(session.id, "What is my name?", chat).wait()
    reply = "".join(e.text for e in events if isinstance(e, TokenDelta))
    assert "Zorblax" in reply
    usage = next(e for e in events if isinstance(e, UsageUpdated))
    assert usage.cached_prompt_tokens > 0
    # Control: without the earlier turn the model does not know the name.
    other = await engine.new_session()
    events = await engine.submit(other.id, "What is my name?", chat).wait()
    assert "Zorblax" not in "".join(e.text for e in events if isinstance(e, TokenDelta))


async def test_conversation_longer_than_context_drops_old_turns(
    gb_home: Path, model_path: Path, tmp_path: Path, engines: Engines
) -> None:
    engine = await engines.open(database=tmp_path / "g.db")
    engine.settings.llm.model = str(model_path)
    engine.settings.llm.context_size = 512
    engine.settings.llm.max_tokens = 48
    session = await engine.new_session()
    notices = []
    for turn in range(8):
        events = await engine.submit(
            session.id, f"Fact {turn}: " + "the sky is blue and grass is green. " * 8,
            SubmitOptions(mode="chat")).wait()
        assert isinstance(events[-1], RunFinished), events[-1]
        notices += [e for e in events if isinstance(e, Notice) and "oldest" in e.text]
    assert notices


async def test_each_reply_frees_its_sampler_without_waiting_for_the_collector(
    model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sampler chain sits in a reference cycle inside llama-cpp-python; left to the cyclic
    # collector its native buffers piled up at 0.55 MB per model call (bench/soak.py).
    import gc

    import llama_cpp.llama_cpp as native

    freed: list[object] = []
    real_free = native.llama_sampler_free

    def counting_free(sampler: object) -> None:
        freed.append(sampler)
        real_free(sampler)

    monkeypatch.setattr(native, "llama_sampler_free", counting_free)
    model = await LlamaChatModel.load(model_path, LLMSettings())
    gc.disable()
    try:
        for _ in range(3):
            await _collect(model, QUESTION, SamplingParams(temperature=0.0, max_tokens=8))
        assert len(freed) == 3
    finally:
        gc.enable()
        await model.close()


async def test_the_token_cache_keeps_its_size_over_many_conversations(
    model_path: Path, tmp_path: Path
) -> None:
    # Prompt prefixes (system, examples, earlier turns) share the cache with whole prompts;
    # stored without eviction they grew it by thousands of objects a turn (bench/soak.py).
    from engine.llm import llama_backend

    model = await LlamaChatModel.load(model_path, LLMSettings(), state_dir=tmp_path / "states")
    try:
        for n in range(12):
            conversation = [ChatMessage("system", f"You are helpful, number {n}.")]
            for turn in range(3):
                conversation += [ChatMessage("user", f"Task {n}.{turn}: what is {n} + {turn}?"),
                                 ChatMessage("assistant", str(n + turn))]
            conversation.append(ChatMessage("user", f"And {n} * 2?"))
            await _collect(model, conversation, SamplingParams(temperature=0.0, max_tokens=2))
        assert len(model._tokens) <= llama_backend._TOKEN_CACHE_SIZE
    finally:
        await model.close()
