"""PromptStateStore: llama.cpp's state after a constant prompt prefix, saved to disk for new processes.

A file holds one prefix: a header line of JSON (what the state belongs to), the prefix's token
ids, then llama.cpp's state bytes (its KV cache). Nothing is unpickled: a file whose header,
length or checksum does not match is deleted and the prefix is evaluated (and saved) again.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import logging
import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_MAGIC = b"GLASSBOX-LLAMA-STATE\n"
_VERSION = 1
_SUFFIX = ".gbstate"
_KEEP_PER_MODEL = 8
"""Prefixes kept per model (chat, agent, planner, validator... and a few sessions' histories)."""
_BYTES_PER_MODEL = 1 << 30
"""And at most this much disk per model (a 7B model's state is ~0.5 MB a token); least
recently used files go first."""
log = logging.getLogger(__name__)


class PromptStateStore:
    """Saves and restores the state of one loaded Llama after a token prefix, keyed by what
    makes the state valid: the model file (path, size, mtime), the context settings, the
    llama-cpp-python version and the prefix's tokens."""

    def __init__(self, directory: Path, model_path: Path, settings: dict[str, Any]) -> None:
        import llama_cpp

        stat = model_path.stat()
        self.directory = directory
        self._stem = model_path.stem
        self._identity: dict[str, Any] = {
            "version": _VERSION, "model": str(model_path.resolve()), "model_size": stat.st_size,
            "model_mtime_ns": stat.st_mtime_ns, "llama_cpp": llama_cpp.__version__, **settings,
        }
        self.restored = 0
        self.saved = 0

    def path_for(self, tokens: Sequence[int]) -> Path:
        """The file that holds (or would hold) the state after exactly these tokens."""
        digest = hashlib.sha256(json.dumps(self._identity, sort_keys=True).encode())
        digest.update(_pack_tokens(tokens))
        return self.directory / f"{self._stem}-{digest.hexdigest()[:24]}{_SUFFIX}"

    def restore(self, llama: Any, tokens: Sequence[int]) -> bool:
        """Load the state after `tokens` into llama; False (and the file removed) if unusable."""
        path = self.path_for(tokens)
        try:
            data = path.read_bytes()
        except OSError:
            return False
        payload = self._check(data, tokens)
        if payload is None:
            log.info("ignoring stale or corrupt prompt state %s", path)
            path.unlink(missing_ok=True)
            return False
        import llama_cpp

        buffer = (ctypes.c_uint8 * len(payload)).from_buffer_copy(payload)
        if llama_cpp.llama_state_set_data(llama._ctx.ctx, buffer, len(payload)) != len(payload):
            log.warning("llama.cpp refused the prompt state %s; rebuilding it", path)
            path.unlink(missing_ok=True)
            llama.reset()
            return False
        count = len(tokens)
        llama.input_ids[:count] = tokens
        llama.n_tokens = count
        llama._requires_eval = True  # the logits are not live: always decode at least one token
        self.restored += 1
        os.utime(path)  # most recently used: kept longest
        return True

    def save(self, llama: Any, tokens: Sequence[int]) -> Path | None:
        """Write llama's state, which must hold exactly `tokens`; None if it cannot be written."""
        import llama_cpp

        if llama.n_tokens != len(tokens):
            return None
        ctx = llama._ctx.ctx
        size = int(llama_cpp.llama_state_get_size(ctx))
        buffer = (ctypes.c_uint8 * size)()
        written = int(llama_cpp.llama_state_get_data(ctx, buffer, size))
        payload = bytes(memoryview(buffer)[:written])
        header = {**self._identity, "n_tokens": len(tokens), "payload_bytes": len(payload),
                  "payload_sha256": hashlib.sha256(payload).hexdigest()}
        path = self.path_for(tokens)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.part")  # two processes may save at once
            with partial.open("wb") as handle:
                handle.write(_MAGIC)
                handle.write(json.dumps(header, sort_keys=True).encode() + b"\n")
                handle.write(_pack_tokens(tokens))
                handle.write(payload)
            partial.replace(path)
        except OSError as exc:
            log.warning("could not save the prompt state to %s: %s", path, exc)
            return None
        self.saved += 1
        self._prune()
        return path

    def _check(self, data: bytes, tokens: Sequence[int]) -> bytes | None:
        """The state bytes if the file is whole and belongs to this model, settings and prefix."""
        if not data.startswith(_MAGIC):
            return None
        end = data.find(b"\n", len(_MAGIC))
        if end < 0:
            return None
        try:
            header = json.loads(data[len(_MAGIC):end])
        except ValueError:
            return None
        if not isinstance(header, dict) or any(header.get(k) != v for k, v in self._identity.items()):
            return None
        packed = _pack_tokens(tokens)
        start = end + 1
        if header.get("n_tokens") != len(tokens) or data[start:start + len(packed)] != packed:
            return None
        payload = data[start + len(packed):]
        if len(payload) != header.get("payload_bytes"):
            return None
        if hashlib.sha256(payload).hexdigest() != header.get("payload_sha256"):
            return None
        return payload

    def _prune(self) -> None:
        files = sorted(self.directory.glob(f"{self._stem}-*{_SUFFIX}"), key=_mtime, reverse=True)
        total = 0
        for rank, path in enumerate(files):
            try:
                total += path.stat().st_size
            except OSError:
                continue
            if rank >= _KEEP_PER_MODEL or (rank > 0 and total > _BYTES_PER_MODEL):
                path.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _pack_tokens(tokens: Sequence[int]) -> bytes:
    return struct.pack(f"<{len(tokens)}i", *tokens)
