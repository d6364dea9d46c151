"""Benchmark: engine streaming vs llama-cpp-python's own stream, and prefix-cache TTFT.

Prints, from one run on the same model, prompt and settings:
  1. engine tokens/s (Engine.submit, measured where the events arrive) divided by
     create_completion(stream=True) tokens/s on the same Llama object (goal >= 0.97);
  2. time to first token of a new turn on a ~1,500-token history divided by the same turn
     cold, with the cache cleared (goal <= 0.2);
  3. time to first token of `glassbox ask` (agent mode) in a fresh process with the prompt state
     saved by an earlier process, divided by the same without it (llm.prompt_state off), with
     example retrieval off (goal <= 0.2) and on, and the size of the state files.
Runs alternate between the two sides so machine noise hits both alike.
`--only ask` runs part 3 alone; `--only stream` parts 1 and 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.config import load_settings
from engine.events import TokenDelta
from engine.llm.base import ChatMessage
from engine.llm.llama_backend import LlamaChatModel
from engine.llm.registry import KNOWN_MODELS
from engine.paths import default_models_dir
from engine.service import Engine, SubmitOptions

PROMPT = "Write a detailed essay about the history of bread, from ancient Egypt to today."
MAX_TOKENS = 200
ROUNDS = 9


def rate(stamps: list[float]) -> float:
    """Tokens per second between the first and last token (the prompt is excluded)."""
    return (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0


def library_rate(model: LlamaChatModel, prompt_text: str) -> tuple[float, int]:
    llama = model.llama
    llama.reset()
    stamps: list[float] = []
    for _chunk in llama.create_completion(prompt_text, max_tokens=MAX_TOKENS, temperature=0.0,
                                          top_k=40, top_p=0.95, repeat_penalty=1.1, stream=True):
        stamps.append(time.perf_counter())
    return rate(stamps), len(stamps)


async def engine_rate(engine: Engine, session_id: str) -> tuple[float, int]:
    model = await engine.model()
    assert isinstance(model, LlamaChatModel)
    await model.run_in_model_thread(model.llama.reset)
    stamps: list[float] = []
    # parent_id="-" matches no message, so every round starts a fresh conversation.
    options = SubmitOptions(mode="chat", parent_id="-", use_cache=False)
    async for event in engine.submit(session_id, PROMPT, options):
        if isinstance(event, TokenDelta):
            stamps.append(time.perf_counter())
    return rate(stamps), len(stamps)


async def ttft(model: LlamaChatModel, messages: list[ChatMessage]) -> float:
    from engine.llm.base import GenDone, SamplingParams

    async for item in model.stream(messages, SamplingParams(temperature=0.0, max_tokens=8)):
        if isinstance(item, GenDone):
            return item.ttft_s
    raise RuntimeError("no generation")


def history_of(tokens_wanted: int) -> list[ChatMessage]:
    facts = [
        "Rivers carry water from mountains to the sea and shape valleys over millions of years.",
        "Bread rises because yeast ferments sugars and releases carbon dioxide into the dough.",
        "The Moon's gravity pulls on the oceans, which is why the tides rise and fall.",
        "Honeybees communicate the direction of flowers to each other with a waggle dance.",
    ]
    history: list[ChatMessage] = []
    i = 0
    while sum(len(m.content) for m in history) / 4 < tokens_wanted:
        history.append(ChatMessage("user", f"Tell me fact number {i}. " + facts[i % 4] * 2))
        history.append(ChatMessage("assistant", facts[(i + 1) % 4] + " " + facts[(i + 2) % 4]))
        i += 1
    return history


ASK_TASK = "What is 17*23? Use Python."
ASK_ROUNDS = 5


def ask_once(env: dict[str, str]) -> tuple[float, float]:
    """One `glassbox ask --new --json` in a fresh process: (the first model call's time to first
    token as the engine measured it, seconds from spawning the process to its first token)."""
    root = Path(__file__).resolve().parents[1]
    command = [sys.executable, "-m", "tui.cli", "ask", "--new", "--json", "--no-cache", "--yes", ASK_TASK]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env=env, cwd=root)
    first_token: float | None = None
    ttft: float | None = None
    assert process.stdout is not None
    try:
        for line in process.stdout:
            event = json.loads(line)
            if event.get("type") == "token" and first_token is None:
                first_token = time.perf_counter() - started
            if event.get("type") == "usage":
                ttft = float(event["ttft_s"])
                break
    finally:
        process.kill()
        process.wait()
    if ttft is None or first_token is None:
        raise RuntimeError("`glassbox ask` ended before its first model call finished")
    return ttft, first_token


def ask_first_token(model_path: Path, retrieval: bool) -> None:
    """Part 3: fresh-process first token with and without the saved prompt state."""
    with tempfile.TemporaryDirectory() as home:
        base = {k: v for k, v in os.environ.items() if not k.startswith("GLASSBOX_")}
        base.update(GLASSBOX_HOME=home, GLASSBOX_LLM__MODEL=str(model_path), GLASSBOX_LLM__TEMPERATURE="0",
                    PYTHONPATH=str(Path(__file__).resolve().parents[1]))
        if not retrieval:
            base["GLASSBOX_MEMORY__RECALL_TOP_K"] = "0"
        with_state = dict(base, GLASSBOX_LLM__PROMPT_STATE="true")
        without = dict(base, GLASSBOX_LLM__PROMPT_STATE="false")
        ask_once(with_state)  # the first process saves the state
        saved, cold, saved_wall, cold_wall = [], [], [], []
        for _ in range(ASK_ROUNDS):
            ttft, wall = ask_once(with_state)
            saved.append(ttft)
            saved_wall.append(wall)
            ttft, wall = ask_once(without)
            cold.append(ttft)
            cold_wall.append(wall)
        files = sorted((Path(home) / "data" / "llm-state").glob("*.gbstate"))
        label = "on" if retrieval else "off"
        med_saved, med_cold = statistics.median(saved), statistics.median(cold)
        print(f"`glassbox ask` agent mode, fresh process, example retrieval {label}, "
              f"{ASK_ROUNDS} rounds each:")
        print(f"  TTFT of the first model call, state restored (median): {med_saved * 1000:8.1f} ms")
        print(f"  TTFT of the first model call, no saved state (median): {med_cold * 1000:8.1f} ms")
        print(f"  process start to first token, state / no state:   "
              f"{statistics.median(saved_wall):6.2f} s / {statistics.median(cold_wall):6.2f} s")
        print(f"  state files: {len(files)}, "
              + ", ".join(f"{f.stat().st_size / 1e6:.1f} MB" for f in files))
        goal = "  (goal <= 0.2)" if not retrieval else ""
        print(f"RATIO saved / unsaved first-token time (retrieval {label}): "
              f"{med_saved / med_cold:8.3f}{goal}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", choices=["stream", "ask"])
    args = parser.parse_args()
    model_path = Path(os.environ.get("GLASSBOX_TEST_MODEL", default_models_dir()
                                     / KNOWN_MODELS["smollm2"].filename))
    if args.only != "ask":
        await stream_parts(model_path)
    if args.only != "stream":
        ask_first_token(model_path, retrieval=False)
        ask_first_token(model_path, retrieval=True)


async def stream_parts(model_path: Path) -> None:
    with tempfile.TemporaryDirectory() as home:
        os.environ["GLASSBOX_HOME"] = home
        settings = load_settings()
        settings.llm.model = str(model_path)
        settings.llm.temperature = 0.0
        settings.llm.max_tokens = MAX_TOKENS
        settings.llm.prompt_state = False  # "cold" must mean cold: no state restored from disk
        engine = await Engine.open(settings)
        session = await engine.new_session()
        model = await engine.model()
        assert isinstance(model, LlamaChatModel)
        prompt_text = model.format_prompt([ChatMessage("system", settings.llm.system_prompt),
                                           ChatMessage("user", PROMPT)])
        ours, theirs, counts = [], [], []
        for _ in range(ROUNDS):
            lib, lib_n = await model.run_in_model_thread(library_rate, model, prompt_text)
            eng, eng_n = await engine_rate(engine, session.id)
            theirs.append(lib)
            ours.append(eng)
            counts.append((eng_n, lib_n))
        eng_med, lib_med = statistics.median(ours), statistics.median(theirs)
        # Each engine run sits next to its library run, so their ratio shares the machine's
        # momentary speed; the median of those pairs is steadier than a ratio of medians.
        paired = statistics.median(e / t for e, t in zip(ours, theirs, strict=True))
        print(f"model: {model_path.name}, {ROUNDS} alternating rounds, max_tokens={MAX_TOKENS}, greedy")
        print(f"tokens per run (engine, library): {counts}")
        print(f"engine streamed tokens/s (median):           {eng_med:8.1f}")
        print(f"create_completion(stream=True) tokens/s:     {lib_med:8.1f}")
        print(f"ratio of the medians:                        {eng_med / lib_med:8.3f}")
        print(f"RATIO engine / library tokens/s (paired):    {paired:8.3f}  (goal >= 0.97)")

        history = [ChatMessage("system", settings.llm.system_prompt), *history_of(1500)]
        history_tokens = await model.count_tokens(history)
        new_turn = [*history, ChatMessage("user", "Which of these facts is about bees?")]
        warm_runs, cold_runs = [], []
        for _ in range(ROUNDS):
            await model.run_in_model_thread(model.llama.reset)
            await ttft(model, [*history, ChatMessage("user", "Summarise.")])  # the earlier turn
            warm_runs.append(await ttft(model, new_turn))
            await model.run_in_model_thread(model.llama.reset)
            cold_runs.append(await ttft(model, new_turn))
        warm, cold = statistics.median(warm_runs), statistics.median(cold_runs)
        print(f"history: {history_tokens} tokens")
        print(f"TTFT new turn, prefix cached (median):       {warm * 1000:8.1f} ms")
        print(f"TTFT same turn cold (median):                {cold * 1000:8.1f} ms")
        print(f"RATIO cached / cold TTFT:                    {warm / cold:8.3f}  (goal <= 0.2)")
        await engine.close()


if __name__ == "__main__":
    asyncio.run(main())
