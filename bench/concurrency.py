"""Benchmark: Glassbox sessions against a local OpenAI-compatible server vs plain clients of it.

Starts llama-cpp-python's server on 127.0.0.1 with the default model, then prints the aggregate
streamed tokens/s of N simultaneous Glassbox sessions (Engine.submit in chat mode through the
OpenAI backend) divided by that of N simultaneous plain httpx2 streaming clients of the same
server, same prompt and sampling, for N = 4 and N = 1 (goal >= 0.95: Glassbox adds no waiting of
its own). Rounds alternate between the two sides so machine noise hits both alike.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.config import ModelEntry, load_settings
from engine.events import RunFailed, TokenDelta
from engine.llm.openai_backend import OpenAIChatModel
from engine.llm.registry import KNOWN_MODELS
from engine.paths import default_models_dir
from engine.service import Engine, SubmitOptions

PROMPT = "Write a detailed essay about the history of bread, from ancient Egypt to today."
MAX_TOKENS = 64
ROUNDS = 3


def start_server(model: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
               "--port", str(port), "--interrupt_requests", "False", "--n_ctx", "4096", "--verbose", "False"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx2.get(url + "/models", timeout=1, trust_env=False).status_code == 200:
                return process, url
        except httpx2.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


async def plain_client(client: httpx2.AsyncClient, url: str) -> int:
    body = {"messages": [{"role": "system", "content": "You are helpful."},
                         {"role": "user", "content": PROMPT}],
            "stream": True, "max_tokens": MAX_TOKENS, "temperature": 0.0}
    tokens = 0
    async with client.stream("POST", url + "/chat/completions", json=body) as response:
        async for line in response.aiter_lines():
            if line.startswith("data:") and '"content":"' in line.replace(" ", ""):
                tokens += 1
    return tokens


async def plain_rate(url: str, n: int) -> float:
    async with httpx2.AsyncClient(timeout=600, trust_env=False) as client:
        started = time.perf_counter()
        counts = await asyncio.gather(*(plain_client(client, url) for _ in range(n)))
        return sum(counts) / (time.perf_counter() - started)


async def glassbox_rate(engine: Engine, n: int) -> float:
    sessions = [await engine.new_session() for _ in range(n)]
    options = SubmitOptions(mode="chat", use_cache=False)

    async def one(session_id: str) -> int:
        tokens = 0
        async for event in engine.submit(session_id, PROMPT, options):
            if isinstance(event, TokenDelta):
                tokens += 1
            elif isinstance(event, RunFailed):
                raise RuntimeError(event.error)
        return tokens

    started = time.perf_counter()
    counts = await asyncio.gather(*(one(s.id) for s in sessions))
    return sum(counts) / (time.perf_counter() - started)


async def main() -> None:
    model = Path(os.environ.get("GLASSBOX_TEST_MODEL", default_models_dir()
                                / KNOWN_MODELS["smollm2"].filename))
    process, url = start_server(model)
    try:
        with tempfile.TemporaryDirectory() as home:
            os.environ["GLASSBOX_HOME"] = home
            settings = load_settings()
            settings.llm.system_prompt = "You are helpful."
            settings.llm.temperature = 0.0
            settings.llm.max_tokens = MAX_TOKENS
            backend = await OpenAIChatModel.connect("local", ModelEntry(base_url=url), 4096)
            engine = await Engine.open(settings, model=backend, memory=False)
            for n in (4, 1):
                ours, theirs = [], []
                for _ in range(ROUNDS):
                    theirs.append(await plain_rate(url, n))
                    ours.append(await glassbox_rate(engine, n))
                print(f"{n} at once: Glassbox {statistics.median(ours):7.1f} tok/s, "
                      f"plain clients {statistics.median(theirs):7.1f} tok/s")
                print(f"RATIO Glassbox / plain aggregate tokens/s, {n} session(s): "
                      f"{statistics.median(ours) / statistics.median(theirs):6.3f}  (goal >= 0.95)")
            await engine.close()
    finally:
        process.kill()
        process.wait()


if __name__ == "__main__":
    asyncio.run(main())
