"""The prompt state saved after the constant prefix: restored by a new model, stale or corrupt
files ignored and rebuilt, and replies identical to a model that evaluated everything."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from engine.config import LLMSettings, Settings
from engine.llm.base import ChatMessage, GenDone, SamplingParams
from engine.llm.llama_backend import LlamaChatModel
from engine.paths import app_paths

pytestmark = pytest.mark.model
GREEDY = SamplingParams(temperature=0.0, max_tokens=8)
SYSTEM = ChatMessage("system", "You are Glassbox, a careful assistant. " * 8 + "Answer in one sentence.")
EXAMPLES = [ChatMessage("user", "What is 2+2?"), ChatMessage("assistant", "2+2 is 4.")]


def prompt(question: str) -> list[ChatMessage]:
    return [SYSTEM, *EXAMPLES, ChatMessage("user", question)]


async def reply(model: LlamaChatModel, messages: list[ChatMessage]) -> GenDone:
    async for item in model.stream(messages, GREEDY):
        if isinstance(item, GenDone):
            return item
    raise AssertionError("no GenDone")


@pytest.fixture
async def fresh(model_path: Path, tmp_path: Path) -> AsyncIterator[list[LlamaChatModel]]:
    """Models loaded on demand (each like a new process); all closed at the end."""
    loaded: list[LlamaChatModel] = []
    yield loaded
    for model in loaded:
        await model.close()


async def load(loaded: list[LlamaChatModel], path: Path, state_dir: Path | None) -> LlamaChatModel:
    model = await LlamaChatModel.load(path, LLMSettings(), state_dir)
    loaded.append(model)
    return model


def state_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.gbstate"))


async def test_a_new_model_restores_the_saved_prefix_and_answers_the_same(
    model_path: Path, tmp_path: Path, fresh: list[LlamaChatModel]
) -> None:
    states = tmp_path / "states"
    first = await load(fresh, model_path, states)
    await reply(first, prompt("Name a fruit."))
    # Two prefixes: the system message, and the system message with the example turns.
    assert first.states is not None and first.states.saved == 2 and len(state_files(states)) == 2
    boundary = first.constant_prefix(prompt("x"), await first.run_in_model_thread(
        first._tokenize_prompt, prompt("x")))
    assert boundary > 32

    second = await load(fresh, model_path, states)
    restored = await reply(second, prompt("Name a colour."))
    assert second.states is not None and second.states.restored == 1 and second.states.saved == 0
    assert restored.cached_prompt_tokens == boundary

    plain = await load(fresh, model_path, None)
    evaluated = await reply(plain, prompt("Name a colour."))
    assert evaluated.cached_prompt_tokens == 0
    assert restored.text == evaluated.text and restored.prompt_tokens == evaluated.prompt_tokens


async def test_later_calls_of_a_process_write_no_session_states(
    model_path: Path, tmp_path: Path, fresh: list[LlamaChatModel]
) -> None:
    states = tmp_path / "states"
    model = await load(fresh, model_path, states)
    first = await reply(model, prompt("Name a fruit."))
    follow = [*prompt("Name a fruit."), ChatMessage("assistant", first.text + " Also a pear."),
              ChatMessage("user", "And a colour?")]
    await reply(model, follow)
    assert model.states is not None and model.states.saved == 2 and len(state_files(states)) == 2


async def test_a_conversation_continued_in_a_new_process_restores_its_last_turn(
    model_path: Path, tmp_path: Path, fresh: list[LlamaChatModel]
) -> None:
    states = tmp_path / "states"
    turn_one = prompt("Name a fruit.")
    first = await reply(await load(fresh, model_path, states), turn_one)
    turn_two = [*turn_one, ChatMessage("assistant", first.text), ChatMessage("user", "And a colour?")]
    second = await reply(await load(fresh, model_path, states), turn_two)
    turn_three = [*turn_two, ChatMessage("assistant", second.text), ChatMessage("user", "And a tree?")]
    third_model = await load(fresh, model_path, states)
    third = await reply(third_model, turn_three)
    tokens = await third_model.run_in_model_thread(third_model._tokenize_prompt, turn_three)
    # The second process saved everything before "And a colour?"; the third starts from there.
    assert third.cached_prompt_tokens == third_model.constant_prefix(turn_two, tokens) > 0
    plain = await reply(await load(fresh, model_path, None), turn_three)
    assert third.text == plain.text


async def test_a_different_system_prompt_gets_its_own_state(
    model_path: Path, tmp_path: Path, fresh: list[LlamaChatModel]
) -> None:
    states = tmp_path / "states"
    model = await load(fresh, model_path, states)
    await reply(model, prompt("Name a fruit."))
    other = [ChatMessage("system", "You are terse. " * 12), ChatMessage("user", "Name a fruit.")]
    later = await load(fresh, model_path, states)
    await reply(later, other)
    assert later.states is not None and later.states.restored == 0 and later.states.saved == 1
    assert len(state_files(states)) == 3


@pytest.mark.parametrize("damage", ["flip_payload", "truncate", "stale_header", "garbage"])
async def test_a_damaged_or_stale_state_is_ignored_and_rebuilt(
    model_path: Path, tmp_path: Path, fresh: list[LlamaChatModel], damage: str
) -> None:
    states = tmp_path / "states"
    await reply(await load(fresh, model_path, states), prompt("Name a fruit."))
    damaged = {}
    for saved in state_files(states):
        damaged[saved] = data = spoil(saved.read_bytes(), damage)
        saved.write_bytes(data)

    again = await load(fresh, model_path, states)
    done = await reply(again, prompt("Name a colour."))
    assert again.states is not None and again.states.restored == 0 and again.states.saved == 2
    assert all(saved.read_bytes() != data for saved, data in damaged.items())  # rewritten whole
    plain = await reply(await load(fresh, model_path, None), prompt("Name a colour."))
    assert done.text == plain.text

    restored = await load(fresh, model_path, states)
    await reply(restored, prompt("Name a colour."))
    assert restored.states is not None and restored.states.restored == 1


def spoil(data: bytes, damage: str) -> bytes:
    if damage == "flip_payload":
        return data[:-100] + bytes(b ^ 0xFF for b in data[-100:])
    if damage == "truncate":
        return data[: len(data) // 2]
    if damage == "stale_header":
        magic, header, rest = data.split(b"\n", 2)
        fields = json.loads(header)
        fields["model_mtime_ns"] -= 1  # the model file changed since the state was saved
        return magic + b"\n" + json.dumps(fields, sort_keys=True).encode() + b"\n" + rest
    return b"not a state file"


async def test_a_prompt_without_a_constant_prefix_saves_nothing(
    model_path: Path, tmp_path: Path, fresh: list[LlamaChatModel]
) -> None:
    states = tmp_path / "states"
    model = await load(fresh, model_path, states)
    await reply(model, [ChatMessage("user", "Name a fruit.")])
    assert not states.exists() or state_files(states) == []


async def test_each_model_call_tokenises_the_prompt_once(
    model_path: Path, fresh: list[LlamaChatModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = await load(fresh, model_path, None)
    calls: list[str] = []
    original = model._tokenize_text
    monkeypatch.setattr(model, "_tokenize_text", lambda text: calls.append(text) or original(text))
    messages = prompt("Name a fruit.")
    count = await model.count_tokens(messages)
    done = await reply(model, messages)
    assert len(calls) == 1 and done.prompt_tokens == count


async def test_the_state_directory_follows_the_setting(
    model_path: Path, gb_home: Path, fresh: list[LlamaChatModel]
) -> None:
    on = await LlamaChatModel.load(model_path, Settings().llm)
    fresh.append(on)
    assert on.states is not None and on.states.directory == app_paths().data_dir / "llm-state"
    off = await LlamaChatModel.load(model_path, LLMSettings(prompt_state=False))
    fresh.append(off)
    assert off.states is None
