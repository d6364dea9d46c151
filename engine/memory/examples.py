"""The shipped library of worked examples, searchable by task with sqlite-vec."""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from engine.examples_data import WorkedExample as LibraryExample
from engine.examples_data import load_library
from engine.memory.embedder import Embedder, Vectors
from engine.memory.index import blob, l2_to_cosine
from engine.paths import app_paths
from engine.resources import data_file
from engine.store.db import connect_sync
from engine.store.migrations import vec0_table_sql


class ExampleLibrary:
    """Library examples with their task vectors in an in-memory vec0 table (built once, cached)."""

    def __init__(self, embedder: Embedder, path: Path | None = None) -> None:
        self.embedder = embedder
        self.path = path or data_file("examples", "library.jsonl")
        self.examples: list[LibraryExample] = []
        self._conn: Any = None
        self._lock = threading.Lock()

    def nearest_sync(self, vector: Vectors, k: int) -> list[tuple[LibraryExample, float]]:
        """The k examples whose task is nearest `vector`, with cosine similarity. Blocking."""
        with self._lock:
            if self._conn is None:
                self._build()
            if not self.examples or k <= 0:
                return []
            rows = self._conn.execute(
                "SELECT rowid, distance FROM vec_examples WHERE embedding MATCH ? AND k = ?",
                (blob(vector), min(k, len(self.examples))),
            ).fetchall()
        return [(self.examples[int(r[0]) - 1], l2_to_cosine(float(r[1]))) for r in rows]

    def close(self) -> None:
        """Drop the in-memory table."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _build(self) -> None:
        self._conn = connect_sync(":memory:", check_same_thread=False)
        if not self.path.is_file():
            return
        raw = self.path.read_bytes()
        self.examples = load_library(self.path)
        vectors = self._cached_vectors(hashlib.sha256(raw).hexdigest()[:16])
        self._conn.execute(vec0_table_sql("vec_examples", int(vectors.shape[1])))
        self._conn.executemany("INSERT INTO vec_examples(rowid, embedding) VALUES (?, ?)",
                               [(i + 1, blob(v)) for i, v in enumerate(vectors)])

    def _cached_vectors(self, library_sha: str) -> Vectors:
        shipped = shipped_vectors(self.path, library_sha, self.embedder.identity, len(self.examples))
        if shipped is not None:
            return shipped
        # Embedding the whole library takes seconds; a later start reads the saved array.
        model = hashlib.sha256(self.embedder.identity.encode()).hexdigest()[:12]
        cache = app_paths().data_dir / "cache" / f"examples-{library_sha}-{model}.npy"
        if cache.is_file():
            try:
                vectors: Vectors = np.load(cache)
                if vectors.shape[0] == len(self.examples):
                    return vectors
            except (OSError, ValueError):
                pass
        vectors = self.embedder.embed_sync([e.task for e in self.examples])
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(cache)
        except OSError:
            pass  # a read-only data dir only costs the next start the same second
        return vectors


def _shipped_paths(library: Path) -> tuple[Path, Path]:
    return library.with_name("library-vectors.npy"), library.with_name("library-vectors.json")


def shipped_vectors(library: Path, library_sha: str, model: str, count: int) -> Vectors | None:
    """The library's task vectors shipped beside it, if made from this library by this model."""
    vectors_path, meta_path = _shipped_paths(library)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("library_sha") != library_sha or meta.get("model") != model:
            return None
        vectors: Vectors = np.load(vectors_path)
    except (OSError, ValueError):
        return None
    return vectors if vectors.shape[0] == count else None


def write_shipped_vectors(embedder: Embedder, library: Path | None = None) -> Path:
    """Embed the library's tasks and save them beside it (run after editing the library)."""
    library = library or data_file("examples", "library.jsonl")
    sha = hashlib.sha256(library.read_bytes()).hexdigest()[:16]
    vectors = embedder.embed_sync([e.task for e in load_library(library)])
    vectors_path, meta_path = _shipped_paths(library)
    np.save(vectors_path, vectors.astype(np.float32))
    meta = {"library_sha": sha, "model": embedder.identity}
    meta_path.write_text(json.dumps(meta) + "\n", encoding="utf-8")
    return vectors_path


if __name__ == "__main__":
    from engine.memory.embedder import resolve_embedding_model

    with contextlib.closing(Embedder(resolve_embedding_model(None))) as bundled:
        print(write_shipped_vectors(bundled))
