"""OpenAIChatModel: a chat model on an OpenAI-compatible server, streamed over SSE with httpx2."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx2

from engine.config import ModelEntry
from engine.errors import ModelError
from engine.llm.base import CancelToken, ChatMessage, GenDone, GenItem, GenToken, SamplingParams
from engine.llm.server_api import (
    ServerTokenizer,
    discover_context_size,
    error_detail,
    fetch_models,
    http_error,
    make_client,
    transport_error,
)

SchemaStyle = Literal["json_schema", "json_object"]
_CANCEL_POLL_S = 0.05
"""How often a cancel is noticed while the server is silent (reading the prompt, say)."""
_END = object()


@dataclass
class _Reply:
    """What one streamed reply has brought so far."""

    started: float
    parts: list[str] = field(default_factory=list)
    chunks: int = 0
    first_at: float | None = None
    last_at: float = 0.0
    finish: str | None = None
    done_marker: bool = False
    usage: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, Any] = field(default_factory=dict)


class OpenAIChatModel:
    """A model served over the OpenAI chat API (llama.cpp's server, vLLM, Ollama, LM Studio...)."""

    serves_many = True
    """Runs do not take turns on it: the server takes several requests at once, as far as it allows."""

    def __init__(
        self, entry: ModelEntry, client: httpx2.AsyncClient, model_id: str, context_size: int,
    ) -> None:
        self._entry = entry
        self._client = client
        self._model_id = model_id
        self._context_size = context_size
        self._url = entry.base_url.rstrip("/") + "/chat/completions"
        self.tokenizer = ServerTokenizer(client, entry.base_url, model_id)
        # The OpenAI shape first; llama-cpp-python's server only knows llama.cpp's older one.
        self.schema_style: SchemaStyle = "json_schema"

    @classmethod
    async def connect(cls, name: str, entry: ModelEntry, fallback_context: int) -> OpenAIChatModel:
        """Check the server answers and has the model; raises ModelError with a clear message."""
        client = make_client(entry, name)
        try:
            listed = await fetch_models(client, entry.base_url, entry.api_key_env)
            ids = [str(e["id"]) for e in listed]
            if entry.model and ids and entry.model not in ids:
                raise ModelError(
                    f"The model server at {entry.base_url} has no model '{entry.model}'; "
                    f"it lists: {', '.join(ids[:10])}.",
                    hint=f"Set model in [models.{name}] of config.toml to one of them.",
                )
            if not entry.model and not ids:
                raise ModelError(f"The model server at {entry.base_url} lists no models.")
            model_id = entry.model or ids[0]
            own = next((e for e in listed if e["id"] == model_id), None)
            context = entry.context_size or await discover_context_size(
                client, entry.base_url, own) or fallback_context
        except BaseException:
            await client.aclose()
            raise
        return cls(entry, client, model_id, context)

    @property
    def name(self) -> str:
        return self._model_id

    @property
    def identity(self) -> str:
        return f"openai:{self._entry.base_url.rstrip('/')}:{self._model_id}"

    @property
    def context_size(self) -> int:
        return self._context_size

    async def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return await self.tokenizer.count(messages)

    def request_body(self, messages: Sequence[ChatMessage], params: SamplingParams) -> dict[str, Any]:
        """The /chat/completions request for these messages and sampling settings."""
        body: dict[str, Any] = {
            "model": self._model_id,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": params.temperature,
            "top_p": params.top_p,
            "max_tokens": params.max_tokens,
            "seed": params.seed,
        }
        if self._entry.llama_cpp_extras:
            body.update(top_k=params.top_k, repeat_penalty=params.repeat_penalty, cache_prompt=True)
        if params.json_schema is not None:
            if self.schema_style == "json_schema":
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "reply", "schema": params.json_schema, "strict": True},
                }
            else:
                body["response_format"] = {"type": "json_object", "schema": params.json_schema}
        return body

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        params: SamplingParams,
        cancel: CancelToken | None = None,
    ) -> AsyncIterator[GenItem]:
        cancel = cancel or CancelToken()
        messages = list(messages)
        started = time.perf_counter()
        reply = _Reply(started=started, last_at=started)
        cut: str | None = None
        try:
            async with contextlib.AsyncExitStack() as stack:
                response = await self._open(stack, messages, params)
                lines = response.aiter_lines()
                while True:
                    line = await _next_line(lines, cancel)
                    if line is None:  # cancelled: leaving the block closes the stream
                        reply.finish = "cancelled"
                        break
                    if line is _END:
                        break
                    try:
                        pieces = self._take(str(line), reply)
                    except ModelError as exc:
                        if not reply.parts:
                            raise
                        cut = exc.message
                        break
                    for piece in pieces:
                        yield GenToken(piece)
                    if reply.done_marker:
                        break
                    if cancel.cancelled:
                        reply.finish = "cancelled"
                        break
        except httpx2.HTTPError as exc:
            if not reply.parts:
                raise transport_error(exc, self._entry.base_url) from None
            cut = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if reply.finish is None and not reply.done_marker:
            # No finish reason came: whatever ended the stream cut the reply short. (A drop after
            # the finish reason, before [DONE], loses nothing.)
            cut = cut or "the stream ended without a finish reason"
            if not reply.parts:
                raise ModelError(f"The model server at {self._entry.base_url} closed the reply "
                                 f"before any text ({cut}).", hint="Its own log says why.")
            yield await self._done(messages, reply, error=(
                f"The model server at {self._entry.base_url} cut the reply off after "
                f"{reply.chunks} token(s) ({cut.rstrip('.')}); the partial reply is kept."))
            return
        yield await self._done(messages, reply)

    async def _open(
        self, stack: contextlib.AsyncExitStack, messages: list[ChatMessage], params: SamplingParams
    ) -> httpx2.Response:
        """Send the request; an error answer becomes a ModelError (a schema shape is retried once)."""
        for attempt in range(2):
            request = self._client.build_request("POST", self._url, json=self.request_body(messages, params))
            try:
                response = await self._client.send(request, stream=True)
            except httpx2.HTTPError as exc:
                raise transport_error(exc, self._entry.base_url) from None
            if response.status_code < 400:
                stack.push_async_callback(response.aclose)
                return response
            body = (await response.aread()).decode("utf-8", "replace")
            await response.aclose()
            if (attempt == 0 and params.json_schema is not None and response.status_code in (400, 422, 500)
                    and "response_format" in body):
                # llama-cpp-python's server knows only {"type": "json_object", "schema": ...} (and
                # says so with a 500).
                self.schema_style = "json_object" if self.schema_style == "json_schema" else "json_schema"
                continue
            raise http_error(response.status_code, body, self._entry.base_url, self._model_id, self._url,
                             self._entry.api_key_env)
        raise AssertionError("unreachable")

    def _take(self, line: str, reply: _Reply) -> list[str]:
        """Text pieces of one SSE line; records finish reason, usage and timings."""
        if line.startswith("error:"):
            raise ModelError(f"The model server at {self._entry.base_url} reported an error mid-reply: "
                             f"{error_detail(line[6:].strip())}.")
        if not line.startswith("data:"):
            return []  # blank separators, comments (pings), event names
        payload = line[5:].strip()
        if payload == "[DONE]":
            reply.done_marker = True
            return []
        try:
            chunk = json.loads(payload)
        except ValueError:
            return []
        if not isinstance(chunk, dict):
            return []
        if "error" in chunk:
            raise ModelError(f"The model server at {self._entry.base_url} reported an error mid-reply: "
                             f"{error_detail(payload)}.")
        if isinstance(chunk.get("usage"), dict):
            reply.usage = chunk["usage"]
        if isinstance(chunk.get("timings"), dict):
            reply.timings = chunk["timings"]
        pieces: list[str] = []
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            text = delta.get("content")
            if isinstance(text, str) and text:
                now = time.perf_counter()
                reply.first_at = reply.first_at or now
                reply.last_at = now
                reply.chunks += 1
                reply.parts.append(text)
                pieces.append(text)
            if choice.get("finish_reason"):
                reply.finish = str(choice["finish_reason"])
        return pieces

    async def _done(self, messages: list[ChatMessage], reply: _Reply, error: str = "") -> GenDone:
        usage = reply.usage
        prompt = usage.get("prompt_tokens")
        if not isinstance(prompt, int):
            try:
                prompt = await self.count_tokens(messages)  # cached: fitting counted these already
            except ModelError:
                prompt = 0
        completion = usage.get("completion_tokens")
        if not isinstance(completion, int):
            completion = reply.chunks  # servers stream one token per chunk
        details = usage.get("prompt_tokens_details") or {}
        cached = details.get("cached_tokens") if isinstance(details, dict) else None
        if not isinstance(cached, int):
            cached = reply.timings.get("cache_n") if isinstance(reply.timings.get("cache_n"), int) else 0
        ended = time.perf_counter()
        span = reply.last_at - reply.first_at if reply.first_at is not None else 0.0
        finish: Any
        if error:
            finish = "error"
        elif reply.finish == "cancelled":
            finish = "cancelled"
        elif reply.finish == "length":
            finish = "length"
        else:
            finish = "stop"
        return GenDone(
            text="".join(reply.parts), finish_reason=finish, prompt_tokens=prompt,
            completion_tokens=completion,
            ttft_s=(reply.first_at or ended) - reply.started,
            tokens_per_s=(reply.chunks - 1) / span if reply.chunks > 1 and span > 0 else 0.0,
            duration_s=ended - reply.started, context_used=prompt + completion,
            context_max=self._context_size, cached_prompt_tokens=int(cached or 0), error=error,
        )

    async def close(self) -> None:
        await self._client.aclose()


async def _next_line(lines: AsyncIterator[str], cancel: CancelToken) -> str | object | None:
    """The next line, _END at the end of the stream, or None once `cancel` fires."""
    pending = asyncio.ensure_future(anext(lines))
    try:
        while True:
            done, _ = await asyncio.wait({pending}, timeout=_CANCEL_POLL_S)
            if done:
                break
            if cancel.cancelled:
                return None
    finally:
        if not pending.done():
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
    try:
        return pending.result()
    except StopAsyncIteration:
        return _END
