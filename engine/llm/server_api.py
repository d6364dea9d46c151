"""The parts of an OpenAI-compatible server's HTTP API Glassbox uses: models, context size, tokens."""

from __future__ import annotations

import asyncio
import json
import math
import os
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Literal

import httpx2

from engine.config import ModelEntry
from engine.errors import ModelError
from engine.health import HealthCheck
from engine.llm.base import ChatMessage

TokenizerKind = Literal["vllm", "llama.cpp", "llama-cpp-python", "estimate"]
_CHARS_PER_TOKEN_ESTIMATE = 3.0
"""Below the ~4 characters a token of English text: an estimate that over-counts keeps the
prompt inside the context rather than outside."""
_MESSAGE_OVERHEAD_ESTIMATE = 6
_CACHE_SIZE = 32


def api_root(base_url: str) -> str:
    """The server's root URL: base_url without a trailing /v1 (llama.cpp's extras live there)."""
    url = base_url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def api_key(entry: ModelEntry, name: str = "") -> str | None:
    """The API key named by entry.api_key_env; a named but unset variable is a clear error."""
    if not entry.api_key_env:
        return None
    key = os.environ.get(entry.api_key_env, "")
    if not key:
        where = f"models.{name}.api_key_env" if name else "api_key_env"
        raise ModelError(
            f"The environment variable {entry.api_key_env} ({where}) is not set, so there is no "
            f"API key for {entry.base_url}.",
            hint=f"export {entry.api_key_env}=YOUR_KEY, or empty {where} if the server needs none.",
        )
    return key


def make_client(entry: ModelEntry, name: str = "") -> httpx2.AsyncClient:
    """An HTTP client for the server, with the key and the entry's timeouts."""
    key = api_key(entry, name)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    timeout = httpx2.Timeout(entry.timeout_s, connect=entry.connect_timeout_s)
    # trust_env=False: a proxy set for the internet must not capture a server on the LAN.
    return httpx2.AsyncClient(headers=headers, timeout=timeout, trust_env=False)


def transport_error(exc: httpx2.HTTPError, base_url: str) -> ModelError:
    """A clear ModelError for a connection that failed before or while talking to the server."""
    if isinstance(exc, httpx2.ConnectError):
        return ModelError(
            f"Cannot connect to the model server at {base_url}: {_reason(exc)}.",
            hint="Start the server, or fix base_url in config.toml's [models.NAME] entry.",
        )
    if isinstance(exc, httpx2.TimeoutException):
        return ModelError(
            f"The model server at {base_url} did not answer in time ({type(exc).__name__}).",
            hint="The server may be overloaded; raise timeout_s in its [models.NAME] entry.",
        )
    return ModelError(f"The connection to the model server at {base_url} failed: {_reason(exc)}.")


def _reason(exc: httpx2.HTTPError) -> str:
    """The innermost cause in words: "connection refused" rather than a wrapper's text."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError) or "[Errno 111]" in str(cause):
            return "connection refused (nothing is listening there)"
        cause = cause.__cause__ or cause.__context__
    return (str(exc) or type(exc).__name__).rstrip(".")


def http_error(
    status: int, body: str, base_url: str, model: str, path: str, key_env: str = ""
) -> ModelError:
    """A clear ModelError for an HTTP error answer, by status code."""
    detail = error_detail(body)
    said = f"; the server said: {detail}" if detail else ""
    if status in (401, 403):
        return ModelError(
            f"The model server at {base_url} refused the request (HTTP {status}, "
            f"{'no valid API key' if status == 401 else 'not allowed'}{said}).",
            hint=f"Check that ${key_env} holds the server's key." if key_env else
            "Set api_key_env in the model's [models.NAME] entry to a variable holding the key.",
        )
    if status == 404:
        if "model" in detail.lower() or path.endswith("/chat/completions"):
            return ModelError(
                f"The model server at {base_url} has no model '{model}' (HTTP 404{said}).",
                hint="`glassbox models list` shows the server's models; set `model` in the entry.",
            )
        return ModelError(
            f"The model server at {base_url} has no {path} (HTTP 404): is base_url right? "
            "It usually ends in /v1."
        )
    if status >= 500:
        return ModelError(
            f"The model server at {base_url} failed (HTTP {status}{said}).",
            hint="Its own log says why; the request can be retried.",
        )
    return ModelError(f"The model server at {base_url} rejected the request (HTTP {status}{said}).")


def error_detail(body: str) -> str:
    """The message inside an error body (OpenAI, FastAPI and llama.cpp shapes), else the text."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return " ".join(body.split())[:200]
    if isinstance(data, dict):
        err = data.get("error", data.get("detail", data))
        if isinstance(err, dict):
            return str(err.get("message") or err.get("detail") or err)[:300]
        if isinstance(err, list) and err and isinstance(err[0], dict):
            first = err[0]
            return f"{'.'.join(str(p) for p in first.get('loc', []))}: {first.get('msg', '')}"[:300]
        return str(err)[:300]
    return str(data)[:300]


async def get_json(client: httpx2.AsyncClient, url: str, base_url: str, key_env: str = "") -> Any:
    """GET a JSON document; raises ModelError (transport or HTTP) with a clear message."""
    try:
        response = await client.get(url)
    except httpx2.HTTPError as exc:
        raise transport_error(exc, base_url) from None
    if response.status_code >= 400:
        raise http_error(response.status_code, response.text, base_url, "", url, key_env)
    try:
        return response.json()
    except ValueError:
        raise ModelError(f"{url} did not answer with JSON: is base_url an OpenAI-compatible API?") from None


async def fetch_models(
    client: httpx2.AsyncClient, base_url: str, key_env: str = ""
) -> list[dict[str, Any]]:
    """The entries of the server's /v1/models list."""
    data = await get_json(client, base_url.rstrip("/") + "/models", base_url, key_env)
    entries = data.get("data") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ModelError(f"{base_url}/models did not answer with a model list.")
    return [e for e in entries if isinstance(e, dict) and "id" in e]


async def list_server_models(entry: ModelEntry) -> list[str]:
    """The model names the server of this entry lists at /v1/models (raises ModelError)."""
    async with make_client(entry) as client:
        return [str(e["id"]) for e in await fetch_models(client, entry.base_url, entry.api_key_env)]


async def discover_context_size(
    client: httpx2.AsyncClient, base_url: str, listed: dict[str, Any] | None
) -> int | None:
    """The server's context window: llama.cpp's /props, else fields of the /v1/models entry."""
    try:
        response = await client.get(api_root(base_url) + "/props")
        if response.status_code == 200:
            props = response.json()
            settings = props.get("default_generation_settings", {}) if isinstance(props, dict) else {}
            n_ctx = settings.get("n_ctx") or props.get("n_ctx")
            if isinstance(n_ctx, int) and n_ctx > 0:
                return n_ctx
    except (httpx2.HTTPError, ValueError, AttributeError):
        pass
    if listed:
        meta = listed.get("meta") if isinstance(listed.get("meta"), dict) else {}
        for value in (listed.get("max_model_len"), listed.get("context_length"),
                      listed.get("loaded_context_length"), (meta or {}).get("n_ctx")):
            if isinstance(value, int) and value > 0:
                return value
    return None


def chatml(messages: Sequence[ChatMessage]) -> str:
    """Messages in ChatML with the generation prompt: the nearest common template, for counting."""
    body = "".join(f"<|im_start|>{m.role}\n{m.content}<|im_end|>\n" for m in messages)
    return body + "<|im_start|>assistant\n"


def estimate_tokens(messages: Sequence[ChatMessage]) -> int:
    """A deliberately high estimate of the prompt's tokens, for servers with no tokenizer."""
    chars = sum(len(m.content) for m in messages)
    return math.ceil(chars / _CHARS_PER_TOKEN_ESTIMATE) + _MESSAGE_OVERHEAD_ESTIMATE * (len(messages) + 1)


class ServerTokenizer:
    """Counts prompt tokens with whatever the server offers, probed once, cached per prompt.

    vLLM: /tokenize with the messages (exact, its own template). llama.cpp's server:
    /apply-template then /tokenize (exact). llama-cpp-python's server: /extras/tokenize of the
    prompt in ChatML (exact for ChatML models, close for others). Anything else: an estimate.
    """

    def __init__(self, client: httpx2.AsyncClient, base_url: str, model: str) -> None:
        self._client = client
        self._base_url = base_url
        self._root = api_root(base_url)
        self._model = model
        self.kind: TokenizerKind | None = None
        self._cache: OrderedDict[tuple[tuple[str, str], ...], int] = OrderedDict()

    async def count(self, messages: Sequence[ChatMessage]) -> int:
        """Tokens of the formatted prompt (with the generation prompt)."""
        key = tuple((m.role, m.content) for m in messages)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        count = await self._count(messages)
        self._cache[key] = count
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return count

    async def _count(self, messages: Sequence[ChatMessage]) -> int:
        if self.kind is None:
            probes: tuple[TokenizerKind, ...] = ("vllm", "llama.cpp", "llama-cpp-python")
            for kind in probes:
                counted = await self._try(kind, messages)
                if counted is not None:
                    self.kind = kind
                    return counted
            self.kind = "estimate"
        if self.kind != "estimate":
            counted = await self._try(self.kind, messages)
            if counted is not None:
                return counted
        return estimate_tokens(messages)

    async def _try(self, kind: TokenizerKind, messages: Sequence[ChatMessage]) -> int | None:
        dicts = [{"role": m.role, "content": m.content} for m in messages]
        try:
            if kind == "vllm":
                data = await self._post("/tokenize", {"model": self._model, "messages": dicts,
                                                      "add_generation_prompt": True})
                return int(data["count"]) if isinstance(data, dict) and "count" in data else None
            if kind == "llama.cpp":
                data = await self._post("/apply-template", {"messages": dicts})
                if not isinstance(data, dict) or not isinstance(data.get("prompt"), str):
                    return None
                tokens = await self._post("/tokenize", {"content": data["prompt"], "parse_special": True})
                return len(tokens["tokens"]) if isinstance(tokens, dict) and "tokens" in tokens else None
            data = await self._post("/extras/tokenize", {"input": chatml(messages), "model": self._model})
            return len(data["tokens"]) if isinstance(data, dict) and "tokens" in data else None
        except httpx2.TransportError as exc:
            raise transport_error(exc, self._base_url) from None
        except (httpx2.HTTPError, ValueError, KeyError, TypeError):
            return None

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        response = await self._client.post(self._root + path, json=body)
        if response.status_code != 200:
            return None
        return response.json()


async def server_health(name: str, entry: ModelEntry) -> HealthCheck:
    """`glassbox doctor`'s line for a server model: reachable, and the model is listed."""
    label = f"model server {name}"
    try:
        names = await list_server_models(entry)
    except ModelError as exc:
        return HealthCheck(label, False, exc.message, exc.hint or "")
    if entry.model and entry.model not in names:
        return HealthCheck(label, False, f"{entry.base_url} answers but does not list '{entry.model}' "
                           f"(it lists: {', '.join(names[:10]) or 'nothing'})",
                           f"Set model in [models.{name}] to one of those.")
    if not names:
        return HealthCheck(label, False, f"{entry.base_url} answers but lists no models",
                           "Load a model on the server.")
    using = entry.model or names[0]
    return HealthCheck(label, True, f"{entry.base_url} answers; serves {using}"
                       + (f" (+{len(names) - 1} more)" if len(names) > 1 else ""))


async def list_all_server_models(entries: dict[str, ModelEntry]) -> dict[str, list[str] | ModelError]:
    """The models of every server entry at once (an unreachable server gives its ModelError)."""
    servers = {name: e for name, e in entries.items() if e.backend == "openai"}

    async def one(entry: ModelEntry) -> list[str] | ModelError:
        try:
            return await list_server_models(entry)
        except ModelError as exc:
            return exc

    results = await asyncio.gather(*(one(e) for e in servers.values()))
    return dict(zip(servers, results, strict=True))
