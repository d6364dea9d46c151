"""The OpenAI-compatible backend against a real server on loopback (llama-cpp-python's, with the
default model) and a stdlib stub that fails the ways servers fail."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx2
import pytest

from engine.agent.planner import PlanModel, grammar_schema, parse_plan
from engine.config import ModelEntry, Settings
from engine.errors import ModelError
from engine.events import MessageDone, RunFailed, RunFinished
from engine.llm.base import CancelToken, ChatMessage, GenDone, GenToken, SamplingParams
from engine.llm.factory import load_chat_model
from engine.llm.openai_backend import OpenAIChatModel
from engine.llm.server_api import list_server_models
from engine.service import Engine, SubmitOptions
from tests.conftest import real_model_path, require
from tests.openai_stub_server import CUT_PIECES, MODEL_ID, stub_server

GREEDY = SamplingParams(temperature=0.0, max_tokens=48)
QUESTION = [ChatMessage("system", "You are helpful."), ChatMessage("user", "Name three fruits.")]


def free_port() -> int:
    """A loopback port nothing listens on (free now; the OS does not hand it out again at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real llama-cpp-python OpenAI server with the default model; its /v1 URL."""
    path = real_model_path()
    require(path is not None, "the default model is not downloaded (run `make test`)")
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError as exc:
        require(False, f"llama-cpp-python's server extra is not installed ({exc})")
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--host", "127.0.0.1",
               "--port", str(port), "--interrupt_requests", "False", "--n_ctx", "4096",
               "--n_threads", "2", "--verbose", "False"]
    # A file, not a pipe: a pipe nobody reads fills up and stalls the server.
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 180
    try:
        while True:
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:]
                pytest.fail(f"llama_cpp.server exited with {process.returncode}: {tail}")
            try:
                if httpx2.get(url + "/models", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx2.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not answer /v1/models within 180 s: "
                            f"{log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        process.kill()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def stub_url() -> Iterator[str]:
    with stub_server() as root:
        yield root


@pytest.fixture
async def served(server_url: str) -> AsyncIterator[OpenAIChatModel]:
    model = await OpenAIChatModel.connect("local", ModelEntry(base_url=server_url), 4096)
    try:
        yield model
    finally:
        await model.close()


async def collect(model: OpenAIChatModel, messages: list[ChatMessage], params: SamplingParams,
                  cancel: CancelToken | None = None, stop_after: int = 0) -> tuple[list[str], GenDone]:
    pieces: list[str] = []
    done = None
    async for item in model.stream(messages, params, cancel):
        if isinstance(item, GenToken):
            pieces.append(item.text)
            if stop_after and len(pieces) == stop_after and cancel is not None:
                cancel.cancel()
        else:
            done = item
    assert done is not None
    return pieces, done


@pytest.mark.server
@pytest.mark.model
async def test_streams_with_counted_usage_and_ttft(served: OpenAIChatModel) -> None:
    pieces, done = await collect(served, QUESTION, GREEDY)
    assert len(pieces) > 3 and "".join(pieces) == done.text
    assert done.finish_reason in ("stop", "length")
    # llama-cpp-python's server sends no usage while streaming: the prompt is counted through its
    # /extras/tokenize, the completion by chunks (one token each).
    assert served.tokenizer.kind == "llama-cpp-python"
    assert done.prompt_tokens == await served.count_tokens(QUESTION) > 10
    assert done.completion_tokens == len(pieces)
    assert 0 < done.ttft_s < done.duration_s and done.tokens_per_s > 0
    assert done.context_used == done.prompt_tokens + done.completion_tokens
    assert done.context_max == served.context_size == 4096


@pytest.mark.server
@pytest.mark.model
async def test_counted_prompt_matches_the_servers_own_count(
    served: OpenAIChatModel, server_url: str
) -> None:
    async with httpx2.AsyncClient(trust_env=False, timeout=60) as client:
        response = await client.post(server_url + "/chat/completions",
                                     json={"messages": [{"role": m.role, "content": m.content}
                                                        for m in QUESTION], "max_tokens": 1})
    assert response.json()["usage"]["prompt_tokens"] == await served.count_tokens(QUESTION)


@pytest.mark.server
@pytest.mark.model
async def test_cancel_closes_the_stream_and_the_server_answers_next(served: OpenAIChatModel) -> None:
    cancel = CancelToken()
    essay = [ChatMessage("user", "Write a long essay about the history of bread.")]
    pieces, done = await collect(served, essay, SamplingParams(temperature=0, max_tokens=400), cancel,
                                 stop_after=3)
    assert done.finish_reason == "cancelled" and len(pieces) == 3 and done.text == "".join(pieces)
    _, after = await collect(served, QUESTION, SamplingParams(temperature=0, max_tokens=4))
    assert after.finish_reason in ("stop", "length") and after.completion_tokens >= 1


@pytest.mark.server
@pytest.mark.model
async def test_cancel_before_the_first_token_ends_the_request(served: OpenAIChatModel) -> None:
    cancel = CancelToken()
    cancel.cancel()
    pieces, done = await collect(served, QUESTION, GREEDY, cancel)
    assert done.finish_reason == "cancelled" and pieces == []


@pytest.mark.server
@pytest.mark.model
async def test_json_schema_constrains_a_plan(served: OpenAIChatModel) -> None:
    params = SamplingParams(temperature=0.0, max_tokens=320, json_schema=grammar_schema(PlanModel))
    text = "Compute 17*23 with Python, then explain the result."
    task = [ChatMessage("system", "Plan the task as JSON steps."), ChatMessage("user", text)]
    _, done = await collect(served, task, params)
    PlanModel.model_validate(json.loads(done.text))
    steps, fallback = parse_plan(done.text, text)
    assert steps and fallback is None
    # llama-cpp-python's server refuses OpenAI's json_schema shape; the backend switched once.
    assert served.schema_style == "json_object"


@pytest.mark.server
@pytest.mark.model
async def test_factory_lists_and_loads_the_server_model(server_url: str) -> None:
    entry = ModelEntry(base_url=server_url)
    names = await list_server_models(entry)
    assert len(names) == 1 and names[0].endswith(".gguf")
    settings = Settings(llm={"model": "box"}, models={"box": entry})
    model = await load_chat_model(settings)
    try:
        assert isinstance(model, OpenAIChatModel) and model.name == names[0]
    finally:
        await model.close()


@pytest.mark.server
@pytest.mark.model
async def test_a_model_the_server_does_not_list_is_named(server_url: str) -> None:
    with pytest.raises(ModelError, match="has no model 'nope'; it lists: .*gguf"):
        await OpenAIChatModel.connect("box", ModelEntry(base_url=server_url, model="nope"), 4096)


@pytest.mark.server
@pytest.mark.model
async def test_agent_end_to_end_through_the_server(served: OpenAIChatModel, gb_home: Path) -> None:
    from engine.sandbox.health import sandbox_checks

    docker = all(check.ok for check in await asyncio.to_thread(sandbox_checks, Settings().sandbox))
    engine = await Engine.open(model=served, memory=False, database=gb_home / "g.db")
    try:
        engine.settings.llm.temperature = 0.0
        session = await engine.new_session()
        mode = "agent" if docker else "chat"
        events = await engine.submit(session.id, "What is 17*23? Use Python.",
                                     SubmitOptions(mode=mode, use_cache=False)).wait()
    finally:
        await engine.close()
    assert not [e for e in events if isinstance(e, RunFailed)], events[-1]
    done = [e for e in events if isinstance(e, MessageDone)]
    assert done and done[-1].text.strip() and not done[-1].incomplete
    assert isinstance(events[-1], RunFinished)


async def test_refused_connection_is_clear() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(ModelError, match="Cannot connect to the model server at .*connection refused"):
        await OpenAIChatModel.connect("box", ModelEntry(base_url=url), 4096)


async def test_unauthorized_names_the_key_variable(stub_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOX_KEY", "wrong")
    entry = ModelEntry(base_url=f"{stub_url}/unauthorized/v1", api_key_env="BOX_KEY")
    with pytest.raises(ModelError, match=r"HTTP 401, no valid API key.*Invalid API key.*\$BOX_KEY"):
        await OpenAIChatModel.connect("box", entry, 4096)


async def test_unset_key_variable_is_named(stub_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOX_KEY", raising=False)
    with pytest.raises(ModelError, match="BOX_KEY .*models.box.api_key_env.* is not set"):
        await OpenAIChatModel.connect("box", ModelEntry(base_url=f"{stub_url}/ok/v1", api_key_env="BOX_KEY"),
                                      4096)


@pytest.mark.parametrize(("mode", "message"), [
    ("nomodel", f"has no model '{MODEL_ID}' \\(HTTP 404; the server said: model .* not found"),
    ("broken", "failed \\(HTTP 500; the server said: CUDA out of memory"),
])
async def test_error_answers_are_clear(stub_url: str, mode: str, message: str) -> None:
    model = await OpenAIChatModel.connect("box", ModelEntry(base_url=f"{stub_url}/{mode}/v1"), 4096)
    try:
        with pytest.raises(ModelError, match=message):
            await collect(model, QUESTION, GREEDY)
    finally:
        await model.close()


async def test_usage_from_the_server_is_used(stub_url: str) -> None:
    model = await OpenAIChatModel.connect("box", ModelEntry(base_url=f"{stub_url}/ok/v1"), 4096)
    try:
        pieces, done = await collect(model, QUESTION, GREEDY)
    finally:
        await model.close()
    assert pieces == CUT_PIECES and done.finish_reason == "stop"
    assert (done.prompt_tokens, done.completion_tokens) == (11, 3)


async def test_a_drop_after_the_finish_reason_loses_nothing(stub_url: str) -> None:
    model = await OpenAIChatModel.connect("box", ModelEntry(base_url=f"{stub_url}/nodone/v1"), 4096)
    try:
        _, done = await collect(model, QUESTION, GREEDY)
    finally:
        await model.close()
    assert done.finish_reason == "stop" and done.text == "".join(CUT_PIECES) and not done.error


async def test_a_cut_stream_keeps_the_partial_reply_marked_as_an_error(stub_url: str) -> None:
    model = await OpenAIChatModel.connect("box", ModelEntry(base_url=f"{stub_url}/cut/v1"), 4096)
    try:
        pieces, done = await collect(model, QUESTION, GREEDY)
    finally:
        await model.close()
    assert pieces == CUT_PIECES and done.text == "".join(CUT_PIECES)
    assert done.finish_reason == "error" and done.completion_tokens == 3
    assert "cut the reply off after 3 token(s)" in done.error and "partial reply is kept" in done.error


async def test_a_base_url_without_the_api_says_so(stub_url: str) -> None:
    with pytest.raises(ModelError, match="has no .*/ok/models \\(HTTP 404\\): is base_url right"):
        await OpenAIChatModel.connect("box", ModelEntry(base_url=f"{stub_url}/ok"), 4096)


def test_doctor_checks_each_server(stub_url: str, gb_home: Path) -> None:
    config = gb_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[llm]\nmodel = "box"\n\n[models.box]\nbase_url = "{stub_url}/ok/v1"\n\n'
                      f'[models.other]\nbase_url = "{stub_url}/ok/v1"\nmodel = "missing"\n\n'
                      f'[models.down]\nbase_url = "http://127.0.0.1:{free_port()}/v1"\n')
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "tui.cli", "doctor", "--json"], capture_output=True,
                          text=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, timeout=120)
    checks = {c["name"]: c for c in map(json.loads, done.stdout.splitlines())}
    assert checks["model server box"]["ok"] and MODEL_ID in checks["model server box"]["detail"]
    assert not checks["model server other"]["ok"] and "'missing'" in checks["model server other"]["detail"]
    assert not checks["model server down"]["ok"]
    assert "connection refused" in checks["model server down"]["detail"]
    assert done.returncode == 1
