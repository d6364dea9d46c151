"""LlamaChatModel: llama-cpp-python in-process, one thread per model, streamed as typed items."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import json
import os
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

from engine.config import LLMSettings
from engine.errors import ModelError
from engine.llm.base import CancelToken, ChatMessage, GenDone, GenItem, GenToken, SamplingParams
from engine.llm.gguf import read_gguf_metadata
from engine.llm.prompt_state import PromptStateStore
from engine.paths import app_paths

_CHATML = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
_SENTINEL = object()
_N_BATCH = 512
_MIN_SAVED_PREFIX = 32
"""Shorter constant prefixes are evaluated faster than a state file is read."""
_TOKEN_CACHE_SIZE = 16
_EARLIER_TURNS = 8
"""Earlier user turns whose saved states a new process looks for (a conversation continued)."""
MessagesKey = tuple[tuple[str, str], ...]


class LlamaChatModel:
    """A loaded GGUF chat model. All library calls run on one dedicated thread, in order."""

    def __init__(
        self, llama: Any, path: Path, executor: ThreadPoolExecutor, formatter: Any,
        states: PromptStateStore | None = None,
    ) -> None:
        self._llama = llama
        self._path = path
        self._executor = executor
        self._formatter = formatter
        self._prefix_formatter = _make_formatter(llama, generation_prompt=False)
        self._identity = f"{path.resolve()}:{path.stat().st_size}"
        self.states = states
        # count_tokens (fitting the prompt) and stream then share one tokenisation.
        self._tokens: OrderedDict[MessagesKey, list[int]] = OrderedDict()

    @classmethod
    async def load(
        cls, path: Path, settings: LLMSettings, state_dir: Path | Literal["default"] | None = "default"
    ) -> LlamaChatModel:
        """Load a model file in the model's thread; raises ModelError with a clear message.

        The state after a prompt's constant start is saved in `state_dir` and restored by later
        processes (see PromptStateStore); "default" is the data directory's llm-state folder
        when llm.prompt_state is on, None turns it off."""
        if state_dir == "default":
            state_dir = default_state_dir() if settings.prompt_state else None
        meta = read_gguf_metadata(path)  # fails fast, with a specific message, on a bad file
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llama")
        loop = asyncio.get_running_loop()
        trained = meta.context_length or settings.context_size
        n_ctx = min(settings.context_size, trained)
        threads = settings.threads or os.cpu_count() or 1
        try:
            llama = await loop.run_in_executor(
                executor, lambda: _construct(path, n_ctx, threads, settings.seed)
            )
        except ModelError:
            executor.shutdown(wait=False)
            raise
        formatter = _make_formatter(llama)
        states = None
        if state_dir is not None:
            states = PromptStateStore(state_dir, path, {"n_ctx": int(llama.n_ctx()), "n_batch": _N_BATCH})
        return cls(llama, path, executor, formatter, states)

    @property
    def name(self) -> str:
        return self._path.stem

    @property
    def identity(self) -> str:
        return self._identity

    @property
    def context_size(self) -> int:
        return int(self._llama.n_ctx())

    @property
    def llama(self) -> Any:
        """The underlying llama_cpp.Llama (for benchmarks and tests on the model thread)."""
        return self._llama

    def format_prompt(self, messages: Sequence[ChatMessage]) -> str:
        """The prompt text the chat template makes of these messages."""
        rendered = self._formatter(messages=[{"role": m.role, "content": m.content} for m in messages])
        return str(rendered.prompt)

    def _tokenize_prompt(self, messages: Sequence[ChatMessage]) -> list[int]:
        key = tuple((m.role, m.content) for m in messages)
        cached = self._tokens.get(key)
        if cached is not None:
            self._tokens.move_to_end(key)
            return cached
        tokens = self._tokenize_text(self.format_prompt(messages))
        self._remember_tokens(key, tokens)
        return tokens

    def _remember_tokens(self, key: MessagesKey, tokens: list[int]) -> None:
        # Every entry goes through here so the cache stays at its size: prefixes stored beside
        # it with no eviction grew it by ~2,800 objects a turn (bench/soak.py, 13 MB/100 turns).
        self._tokens[key] = tokens
        while len(self._tokens) > _TOKEN_CACHE_SIZE:
            self._tokens.popitem(last=False)

    def _tokenize_text(self, text: str) -> list[int]:
        # The template writes the BOS text itself when the model wants one.
        tokens: list[int] = self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True)
        return tokens

    def constant_prefix(self, messages: Sequence[ChatMessage], prompt: Sequence[int]) -> int:
        """Tokens of `prompt` before the conversation proper: everything the template renders
        before the last user message (the system prompt and any fixed example turns)."""
        last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=0)
        return self._rendered_prefix(messages[:last_user], prompt)

    def _rendered_prefix(self, head: Sequence[ChatMessage], prompt: Sequence[int]) -> int:
        if not head:
            return 0
        key = (("#prefix", ""), *((m.role, m.content) for m in head))
        tokens = self._tokens.get(key)
        if tokens is not None:
            self._tokens.move_to_end(key)
        else:
            rendered = self._prefix_formatter(messages=[{"role": m.role, "content": m.content} for m in head])
            tokens = self._tokenize_text(str(rendered.prompt))
            self._remember_tokens(key, tokens)
        return int(self._llama.longest_token_prefix(tokens, prompt))

    def _reuse_prefix(self, messages: Sequence[ChatMessage], prompt: list[int]) -> int:
        """Tokens of `prompt` already in the model's cache, after restoring (or saving) the state
        after its constant prefix when this process has not evaluated it yet.

        Two boundaries are saved: after the system message, and before the last user message
        (system plus example turns, which may be chosen per task): a new task with other
        examples still finds the system prompt's state. Restoring also tries the boundaries
        before earlier user messages, where an earlier process left a turn of this conversation."""
        llama = self._llama
        cached = int(llama.longest_token_prefix(llama._input_ids[: llama.n_tokens], prompt))
        if self.states is None:
            return cached
        users = [i for i, m in enumerate(messages) if m.role == "user"]
        has_system = bool(messages) and messages[0].role == "system"
        system = self._rendered_prefix(messages[:1], prompt) if has_system else 0
        constant = self._rendered_prefix(messages[: users[-1]], prompt) if users else 0
        saved_points = sorted({b for b in (system, constant) if _MIN_SAVED_PREFIX <= b < len(prompt)})
        if not saved_points or cached >= saved_points[-1]:
            return cached
        # Only a process (or a prompt) that lacks even the shortest prefix writes states: later
        # calls of a run differ from the cache by their own history, which no new process reuses.
        fresh = cached < saved_points[0]
        earlier = {self._rendered_prefix(messages[:i], prompt) for i in users[-_EARLIER_TURNS - 1:-1] if i}
        for boundary in sorted({*saved_points, *earlier}, reverse=True):
            if boundary <= cached or boundary < _MIN_SAVED_PREFIX or boundary >= len(prompt):
                continue
            if self.states.restore(llama, prompt[:boundary]):
                cached = boundary
                break
        else:
            if not fresh:
                return cached
            llama.n_tokens = cached = min(cached, int(llama.n_tokens))
        if fresh:
            # Evaluate up to each longer boundary and save it; generate() carries on from there.
            for boundary in saved_points:
                if boundary > llama.n_tokens:
                    llama.eval(prompt[llama.n_tokens:boundary])
                    self.states.save(llama, prompt[:boundary])
        return cached

    async def run_in_model_thread(self, fn: Any, *args: Any) -> Any:
        """Run a blocking call on the model's thread (serialised with generation)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        tokens = await self.run_in_model_thread(self._tokenize_prompt, list(messages))
        return len(tokens)

    async def tokenize(self, text: str) -> list[int]:
        """Tokens of plain text (no special tokens, no BOS)."""
        result: list[int] = await self.run_in_model_thread(
            lambda: self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        )
        return result

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams,
        cancel: CancelToken | None = None,
    ) -> AsyncIterator[GenItem]:
        cancel = cancel or CancelToken()
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()

        def push(item: Any) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, item)

        started = time.perf_counter()
        future = loop.run_in_executor(
            self._executor, self._generate, list(messages), params, cancel, push, started
        )
        try:
            while True:
                item = await queue.get()
                if item is _SENTINEL:
                    break
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            # Closing the iterator early (or the consumer being cancelled) stops the thread
            # at its next token, so the model is free for the next request at once.
            if not future.done():
                cancel.cancel()
            with contextlib.suppress(Exception):
                await asyncio.shield(future)

    def _generate(
        self,
        messages: list[ChatMessage],
        params: SamplingParams,
        cancel: CancelToken,
        push: Any,
        started: float,
    ) -> None:
        """Runs on the model thread; every outcome reaches the loop through `push`."""
        try:
            push(self._generate_tokens(messages, params, cancel, push, started))
        except ModelError as exc:
            push(exc)
        except Exception as exc:
            push(ModelError(f"The model failed while generating: {exc}."))
        finally:
            push(_SENTINEL)

    def _generate_tokens(
        self, messages: list[ChatMessage], params: SamplingParams, cancel: CancelToken, push: Any,
        started: float,
    ) -> GenDone:
        import llama_cpp

        llama = self._llama
        prompt = self._tokenize_prompt(messages)
        n_ctx = int(llama.n_ctx())
        if len(prompt) >= n_ctx:
            raise ModelError(
                f"The prompt is {len(prompt)} tokens but the context holds {n_ctx}.",
                hint="The engine should have dropped old turns; please report this.",
            )
        cached = self._reuse_prefix(messages, prompt)
        grammar = None
        if params.json_schema is not None:
            grammar = llama_cpp.LlamaGrammar.from_json_schema(  # type: ignore[attr-defined]
                json.dumps(params.json_schema), verbose=False
            )
        llama.set_seed(params.seed)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        vocab = llama._model.vocab
        max_new = min(params.max_tokens, n_ctx - len(prompt))
        text_parts: list[str] = []
        completion = 0
        first_at: float | None = None
        last_at = started
        finish = "length"
        generator = llama.generate(
            prompt, top_k=params.top_k, top_p=params.top_p, temp=params.temperature,
            repeat_penalty=params.repeat_penalty, grammar=grammar,
        )
        try:
            for token in generator:
                if cancel.cancelled:
                    finish = "cancelled"
                    break
                if llama_cpp.llama_vocab_is_eog(vocab, token):
                    finish = "stop"
                    break
                completion += 1
                now = time.perf_counter()
                first_at = first_at or now
                last_at = now
                piece = decoder.decode(llama.detokenize([token]))
                text_parts.append(piece)
                push(GenToken(piece))
                if completion >= max_new:
                    break
        finally:
            generator.close()
            _free_sampler(llama)
        tail = decoder.decode(b"", final=True)
        if tail:
            push(GenToken(tail))
        text = "".join(text_parts) + tail
        ended = time.perf_counter()
        gen_span = last_at - first_at if first_at is not None else 0.0
        return GenDone(
            text=text,
            finish_reason=finish,  # type: ignore[arg-type]
            prompt_tokens=len(prompt),
            completion_tokens=completion,
            ttft_s=(first_at or ended) - started,
            tokens_per_s=(completion - 1) / gen_span if completion > 1 and gen_span > 0 else 0.0,
            duration_s=ended - started,
            context_used=len(prompt) + completion,
            context_max=n_ctx,
            cached_prompt_tokens=cached,
        )

    async def close(self) -> None:
        def _close() -> None:
            with contextlib.suppress(Exception):
                self._llama.close()

        await self.run_in_model_thread(_close)
        self._executor.shutdown(wait=False)


def _free_sampler(llama: Any) -> None:
    """Free the sampler chain `generate` made, now rather than at the next full collection.

    llama-cpp-python's LlamaSampler frees its native chain from a callback that refers back to
    the sampler, a reference cycle, so only Python's cyclic collector frees it; the chain holds
    a candidates buffer of the vocabulary's size (0.6 MB for SmolLM2), and between the rare
    full collections these piled up: 0.55 MB of resident memory per model call (bench/soak.py).
    """
    sampler = getattr(llama, "_sampler", None)
    if sampler is not None:
        sampler.close()
        llama._sampler = None


def default_state_dir() -> Path:
    """Where prompt states live: the data directory's llm-state folder."""
    return app_paths().data_dir / "llm-state"


def _construct(path: Path, n_ctx: int, threads: int, seed: int) -> Any:
    try:
        import llama_cpp
    except ImportError as exc:
        raise ModelError(
            f"llama-cpp-python is not installed ({exc}).", hint="Run `make run` to install it."
        ) from None
    try:
        return llama_cpp.Llama(
            model_path=str(path), n_ctx=n_ctx, n_threads=threads, n_batch=_N_BATCH, seed=seed,
            verbose=False,
        )
    except Exception as exc:
        raise ModelError(
            f"llama.cpp could not load {path}: {exc}.",
            hint="The file may be truncated or of an unsupported architecture; "
            "`glassbox models pull smollm2` fetches a known-good model.",
        ) from None


def _make_formatter(llama: Any, *, generation_prompt: bool = True) -> Any:
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    meta = llama.metadata
    template = meta.get("tokenizer.chat_template") or _CHATML

    def token_text(key: str) -> str:
        token_id = meta.get(key)
        if token_id is None:
            return ""
        return str(llama._model.token_get_text(int(token_id)))

    return Jinja2ChatFormatter(
        template=template,
        eos_token=token_text("tokenizer.ggml.eos_token_id"),
        bos_token=token_text("tokenizer.ggml.bos_token_id"),
        add_generation_prompt=generation_prompt,
    )

