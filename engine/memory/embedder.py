"""Embedder: a GGUF embedding model through llama.cpp, loaded lazily, run in a worker thread."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.errors import GlassboxError
from engine.resources import bundled_embedding_model

Vectors = npt.NDArray[np.float32]


class EmbeddingError(GlassboxError):
    """The embedding model cannot be loaded or run."""


def resolve_embedding_model(configured: Path | str | None) -> Path:
    """The configured embedding GGUF, or the bundled all-MiniLM-L6-v2 when none is set."""
    if configured is None or str(configured) == "":
        return bundled_embedding_model()
    return Path(configured).expanduser()


def model_identity(path: Path) -> str:
    """Names the weights that made a vector: file name and size (a moved copy still matches)."""
    try:
        size = path.stat().st_size
    except OSError:
        size = -1
    return f"{path.name}:{size}"


def normalise(vectors: npt.ArrayLike) -> Vectors:
    """Rows scaled to unit length, so a dot product is the cosine similarity."""
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: Vectors = array / norms
    return result


def _pooled(row: Any) -> Vectors:
    # A model without a pooling type in its metadata returns one vector per token: average them.
    array = np.asarray(row, dtype=np.float32)
    pooled: Vectors = array.mean(axis=0) if array.ndim == 2 else array
    return pooled


class Embedder:
    """Turns texts into unit vectors. Thread-safe; the async API never blocks the event loop."""

    def __init__(self, path: Path, *, batch_size: int = 32, threads: int | None = None) -> None:
        self.path = path
        self.identity = model_identity(path)
        self.batch_size = batch_size
        # Half the cores: the event loop and the chat model keep a core to themselves.
        self.threads = threads or max(1, min(4, (os.cpu_count() or 2) // 2))
        self._llama: Any = None
        self._error: EmbeddingError | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """True once the model is in memory."""
        return self._llama is not None

    @property
    def failed(self) -> EmbeddingError | None:
        """The load error, if loading failed (it is not retried)."""
        return self._error

    @property
    def dim(self) -> int:
        """Vector size (loads the model)."""
        return int(self._load().n_embd())

    def _load(self) -> Any:
        if self._llama is not None:
            return self._llama
        if self._error is not None:
            raise self._error
        if not self.path.is_file():
            self._error = EmbeddingError(
                f"The embedding model {self.path} does not exist.",
                hint="Set memory.embedding_model to a GGUF embedding model, or leave it empty.",
            )
            raise self._error
        try:
            from llama_cpp import Llama

            # n_batch = n_ubatch = n_ctx lets one call pack many short texts into one batch.
            self._llama = Llama(
                model_path=str(self.path), embedding=True, verbose=False, n_ctx=512,
                n_batch=512, n_ubatch=512, n_threads=self.threads,
            )
        except Exception as exc:
            self._error = EmbeddingError(f"The embedding model {self.path} cannot load: {exc}.")
            raise self._error from None
        return self._llama

    def load_sync(self) -> None:
        """Load the model now (blocking)."""
        with self._lock:
            self._load()

    def embed_sync(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors of `texts`, shape (len(texts), dim). Blocking: call from a thread."""
        with self._lock:
            llama = self._load()
            dim = int(llama.n_embd())
            if not texts:
                return np.zeros((0, dim), dtype=np.float32)
            # Empty input makes llama.cpp fail; a blank still gets a (meaningless) vector.
            clean = [t if t.strip() else " " for t in texts]
            rows: list[Any] = []
            for start in range(0, len(clean), self.batch_size):
                try:
                    batch = llama.embed(clean[start:start + self.batch_size], truncate=True)
                except Exception as exc:
                    raise EmbeddingError(f"Embedding failed: {exc}.") from None
                rows.extend(_pooled(row) for row in batch)
            return normalise(rows)

    async def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors of `texts`, computed in a worker thread."""
        return await asyncio.to_thread(self.embed_sync, list(texts))

    async def embed_one(self, text: str) -> Vectors:
        """The unit vector of one text, shape (dim,)."""
        vectors = await self.embed([text])
        row: Vectors = vectors[0]
        return row

    def close(self) -> None:
        """Release the model."""
        with self._lock:
            llama, self._llama = self._llama, None
        if llama is not None:
            close = getattr(llama, "close", None)
            if close is not None:
                close()
