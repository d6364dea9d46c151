"""Resumable model downloads: URL or Hugging Face references, sha256 and GGUF header checks."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import quote, unquote, urlsplit

import httpx2

from engine.errors import ModelError
from engine.llm.gguf import read_gguf_metadata
from engine.llm.registry import KNOWN_MODELS, models_dir, pull_model, sha256_of

PART_SUFFIX = ".part"
HF_BASE = "https://huggingface.co"
_CHUNK = 1 << 20
_HASH_RE = re.compile(r"^[0-9a-fA-F]{64}$")
# Errors after which the bytes already on disk are good and a ranged request can go on.
_RESUMABLE = (httpx2.TransportError, httpx2.RemoteProtocolError)


@dataclass(frozen=True, slots=True)
class ModelSource:
    """Where a model comes from and the file name it gets in the models directory."""

    url: str
    filename: str


@dataclass(frozen=True, slots=True)
class DownloadProgress:
    """Bytes on disk so far (resumed bytes included) out of the total, when the server says."""

    filename: str
    received: int
    total: int | None
    resumed_from: int
    attempt: int


ProgressCallback = Callable[[DownloadProgress], None]


def resolve_source(reference: str) -> ModelSource:
    """An http(s) URL or a Hugging Face file reference `owner/repo/[dir/]file.gguf` as a source.

    Nothing is contacted here: this only spells out the URL the download will use.
    """
    ref = reference.strip()
    if ref.startswith(("http://", "https://")):
        name = unquote(urlsplit(ref).path.rsplit("/", 1)[-1])
        if not name:
            raise ModelError(f"The URL {ref} does not end in a file name.",
                             hint="Give the URL of the .gguf file itself.")
        return ModelSource(ref, name)
    parts = ref.removeprefix("hf://").strip("/").split("/")
    if len(parts) >= 3 and all(parts) and parts[-1].endswith(".gguf"):
        owner, repo, *path = parts
        url = f"{HF_BASE}/{quote(owner)}/{quote(repo)}/resolve/main/{quote('/'.join(path))}"
        return ModelSource(url, path[-1])
    raise ModelError(
        f"'{reference}' is neither a known model, a URL nor a Hugging Face file reference.",
        hint="Use e.g. `glassbox models pull owner/repo/model.Q4_K_M.gguf`, an https:// URL "
        "to a .gguf file, or `smollm2`.",
    )


async def pull_reference(
    reference: str,
    *,
    sha256: str | None = None,
    save_as: str | None = None,
    directory: Path | None = None,
    progress: ProgressCallback | None = None,
    say: Callable[[str], None] | None = None,
) -> Path:
    """Fetch a model named by the user (built-in name, URL, or owner/repo/file.gguf); its path.

    The one entry point for the CLI and the model picker. A file already present (with a
    matching sha256, when one is given) is not fetched again. `say` gets one-line notes;
    `progress` gets byte counts (URL and Hugging Face downloads only).
    """
    note = say or (lambda _text: None)
    directory = directory or models_dir()
    if reference in KNOWN_MODELS:
        return await asyncio.to_thread(pull_model, reference, directory, note)
    source = resolve_source(reference)
    name = save_as or source.filename
    if Path(name).name != name or not name.endswith(".gguf"):
        raise ModelError(f"'{name}' is not a plain .gguf file name.",
                         hint="Name the file like my-model.Q4_K_M.gguf.")
    target = directory / name
    if await asyncio.to_thread(target.exists):
        if sha256 is None:
            note(f"{target} is already present (give a sha256 to check it).")
            return target
        if await asyncio.to_thread(sha256_of, target) == sha256.lower():
            note(f"{target} is already present and its sha256 matches.")
            return target
    resumed = await asyncio.to_thread(_size_of, part_path(target))
    if resumed:
        note(f"Resuming {name} from {resumed:,} bytes.")
    note(f"Downloading {source.url}")
    await download_model(source.url, target, sha256=sha256, progress=progress)
    note(f"Saved {target} ({'sha256 verified, ' if sha256 else ''}GGUF header checked).")
    return target


def part_path(target: Path) -> Path:
    """Where the unfinished download of `target` is kept (beside it, never under its name)."""
    return target.with_name(target.name + PART_SUFFIX)


async def download_model(
    url: str,
    target: Path,
    *,
    sha256: str | None = None,
    progress: ProgressCallback | None = None,
    retries: int = 3,
    timeout_s: float = 30.0,
    client: httpx2.AsyncClient | None = None,
) -> Path:
    """Fetch `url` to `target`, resuming a `.part` file with HTTP Range requests.

    The file is renamed to `target` only after its size, sha256 (when given) and GGUF header
    check out; on any failure `target` is untouched. An interrupted transfer is resumed up to
    `retries` times; what arrived stays in the `.part` file for a later call.
    """
    if sha256 is not None and not _HASH_RE.match(sha256):
        raise ModelError(f"'{sha256}' is not a sha256 (64 hex digits).")
    target.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(target)
    owned = client is None
    http = client or httpx2.AsyncClient(follow_redirects=True, timeout=timeout_s)
    try:
        attempt = 0
        while True:
            attempt += 1
            try:
                await _fetch_into(http, url, part, attempt, progress)
                break
            except _RESUMABLE as exc:
                have = _size_of(part)
                if attempt > retries:
                    raise ModelError(
                        f"The download of {target.name} was interrupted at {have:,} bytes "
                        f"({type(exc).__name__}: {exc or 'connection lost'}).",
                        hint="Run the same pull again: it resumes from there.",
                    ) from None
    finally:
        if owned:
            await http.aclose()
    await asyncio.to_thread(_verify, part, target.name, sha256)
    os.replace(part, target)
    return target


async def _fetch_into(
    http: httpx2.AsyncClient, url: str, part: Path, attempt: int, progress: ProgressCallback | None
) -> None:
    offset = await asyncio.to_thread(_size_of, part)
    # Byte ranges count the bytes as sent: ask for them unencoded so offsets mean file offsets.
    headers = {"Accept-Encoding": "identity"} | ({"Range": f"bytes={offset}-"} if offset else {})
    async with http.stream("GET", url, headers=headers) as response:
        if response.status_code == 416 and offset:
            # The part may already be whole; if not, it is not a prefix of this file.
            total = _content_range_total(response.headers.get("content-range", ""))
            if total == offset:
                return
            await asyncio.to_thread(part.unlink)
            raise httpx2.RemoteProtocolError("the server refused to resume; starting over")
        if response.status_code >= 400:
            raise ModelError(f"Downloading {url} failed: HTTP {response.status_code} "
                             f"{response.reason_phrase}.",
                             hint="Check the URL or reference (and that the file is public).")
        start = offset if response.status_code == 206 else 0
        if response.status_code == 206 and _content_range_start(response) != offset:
            raise ModelError(f"The server answered a resume of {url} with the wrong byte range.")
        length = response.headers.get("content-length")
        total = start + int(length) if length and length.isdigit() else None
        mode = "ab" if start else "wb"
        handle: IO[bytes] = await asyncio.to_thread(part.open, mode)
        received = start
        pending = bytearray()
        try:
            _report(progress, part, received, total, offset, attempt)
            # Chunks are yielded as they arrive (no chunk size: a buffered chunk would be lost
            # with the connection) and written a megabyte at a time, off the event loop.
            async for chunk in response.aiter_bytes():
                pending += chunk
                received += len(chunk)
                if len(pending) >= _CHUNK:
                    await asyncio.to_thread(handle.write, bytes(pending))
                    pending.clear()
                _report(progress, part, received, total, offset, attempt)
        finally:
            # Whatever arrived before a drop is kept: the next request resumes after it.
            await asyncio.to_thread(_write_and_close, handle, bytes(pending))
        if total is not None and received != total:
            raise httpx2.RemoteProtocolError(f"got {received:,} of {total:,} bytes")


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _write_and_close(handle: IO[bytes], data: bytes) -> None:
    try:
        handle.write(data)
    finally:
        handle.close()


def _report(progress: ProgressCallback | None, part: Path, received: int, total: int | None,
            resumed_from: int, attempt: int) -> None:
    if progress is not None:
        name = part.name.removesuffix(PART_SUFFIX)
        progress(DownloadProgress(name, received, total, resumed_from, attempt))


def _content_range_start(response: httpx2.Response) -> int | None:
    match = re.match(r"bytes (\d+)-", response.headers.get("content-range", ""))
    return int(match.group(1)) if match else None


def _content_range_total(header: str) -> int | None:
    match = re.search(r"/(\d+)$", header)
    return int(match.group(1)) if match else None


def _verify(part: Path, name: str, sha256: str | None) -> None:
    if sha256 is not None:
        digest = hashlib.sha256()
        with part.open("rb") as handle:
            for block in iter(lambda: handle.read(_CHUNK), b""):
                digest.update(block)
        if digest.hexdigest() != sha256.lower():
            # Resuming bad bytes cannot fix them: the next pull starts from zero.
            part.unlink()
            raise ModelError(
                f"sha256 mismatch for {name}: got {digest.hexdigest()}, expected {sha256.lower()}. "
                "The file was not installed.",
                hint="Check the checksum you gave, or the source of the file.",
            )
    try:
        read_gguf_metadata(part)
    except ModelError as exc:
        with contextlib.suppress(OSError):
            part.unlink()
        raise ModelError(f"{name} is not a usable GGUF model: {exc.message} It was not installed.",
                         hint="Check that the URL points at a .gguf file.") from None
