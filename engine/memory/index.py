"""MemoryIndex: the SQL over memory_docs, the vec0 tables, memory_fts and memory_cache."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import numpy as np

from engine.memory.embedder import Vectors
from engine.store.migrations import VEC_TABLES
from engine.store.records import ExecutionRecord
from engine.store.repository import Store

T = TypeVar("T")

DocKind = Literal["message", "task", "execution"]
_FTS_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class NewDoc:
    """A text to index; its vector (if any) goes in the vec0 table of its kind."""

    kind: DocKind
    text: str
    session_id: str | None
    run_id: str | None = None
    message_id: str | None = None
    execution_id: str | None = None


@dataclass(frozen=True, slots=True)
class Doc:
    """An indexed text."""

    id: int
    kind: str
    session_id: str | None
    run_id: str | None
    message_id: str | None
    execution_id: str | None
    text: str
    embed_model: str | None
    created_at: float


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """A past task with its answer, and how close it is to the task at hand."""

    run_id: str
    session_id: str
    task: str
    answer: str
    message_id: str | None
    similarity: float


@dataclass(frozen=True, slots=True)
class NewCacheEntry:
    """A completed run to store as a cache entry (its task is the task doc of the same turn)."""

    run_id: str
    session_id: str
    context_key: str
    task: str
    answer: str
    message_id: str | None
    supersedes: tuple[str, ...] = ()


def blob(vector: Vectors) -> bytes:
    """One vector as sqlite-vec's float32 BLOB, at unit length (what the L2 tables need)."""
    array = np.ascontiguousarray(vector, dtype=np.float32)
    if array.ndim != 1:
        raise ValueError(f"blob() takes one vector, not an array of shape {array.shape}")
    # L2 ranks as cosine and converts to it (1 - d^2/2) only between unit vectors. The
    # embedder's rows already are: keep their exact bytes; rescale anything else.
    norm = float(np.linalg.norm(array))
    if norm > 0 and abs(norm - 1.0) > 1e-4:
        array = array / np.float32(norm)
    return array.tobytes()


def l2_to_cosine(distance: float) -> float:
    """The cosine similarity of two unit vectors at L2 distance `distance` (d^2 = 2 - 2 cos)."""
    return 1.0 - distance * distance / 2.0


def fts_query(text: str) -> str:
    """An FTS5 query matching any of the words (quoted, so user text cannot inject syntax)."""
    words = [w for w in _FTS_TOKEN.findall(text.lower()) if len(w) > 1 or w.isdigit()]
    return " OR ".join(f'"{w}"' for w in dict.fromkeys(words))


class MemoryIndex:
    """Async access to the memory tables over the store's connection."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn = store.conn
        self._all = store.fetchall

    async def write_turn(
        self, docs: Sequence[NewDoc], vectors: Vectors | None, embed_model: str | None,
        cache: NewCacheEntry | None = None, task_index: int | None = None,
    ) -> list[int]:
        """Insert a turn's docs, their vectors and its cache entry in ONE transaction."""
        now = time.time()

        def write(conn: Any) -> list[int]:
            ids: list[int] = []
            conn.execute("BEGIN IMMEDIATE")
            try:
                for i, doc in enumerate(docs):
                    cursor = conn.execute(
                        "INSERT INTO memory_docs(kind, session_id, run_id, message_id, execution_id,"
                        " text, embed_model, created_at) VALUES (?,?,?,?,?,?,?,?)",
                        (doc.kind, doc.session_id, doc.run_id, doc.message_id, doc.execution_id,
                         doc.text, embed_model if vectors is not None else None, now),
                    )
                    doc_id = int(cursor.lastrowid or 0)
                    ids.append(doc_id)
                    if vectors is not None:
                        conn.execute(
                            f"INSERT INTO {VEC_TABLES[doc.kind]}(rowid, embedding) VALUES (?, ?)",
                            (doc_id, blob(vectors[i])),
                        )
                if cache is not None and task_index is not None:
                    for old in cache.supersedes:
                        conn.execute("DELETE FROM memory_cache WHERE run_id=?", (old,))
                    conn.execute(
                        "INSERT OR REPLACE INTO memory_cache(run_id, session_id, task_doc_id,"
                        " context_key, task, answer, message_id, created_at)"
                        " VALUES (?,?,?,?,?,?,?,?)",
                        (cache.run_id, cache.session_id, ids[task_index], cache.context_key,
                         cache.task, cache.answer, cache.message_id, now),
                    )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return ids

        return await self.store.call(write)

    async def cache_candidates(
        self, context_key: str, vector: Vectors, embed_model: str, limit: int = 10
    ) -> list[CacheEntry]:
        """Cache entries with this exact context, most similar task first."""
        # Exact distances over the (few) entries sharing the context key: no KNN recall loss.
        rows = await self._all(
            "SELECT c.run_id, c.session_id, c.task, c.answer, c.message_id,"
            " vec_distance_cosine(v.embedding, ?) AS distance"
            " FROM memory_cache c JOIN memory_docs d ON d.id = c.task_doc_id"
            " JOIN vec_tasks v ON v.rowid = c.task_doc_id"
            " WHERE c.context_key = ? AND d.embed_model = ? ORDER BY distance LIMIT ?",
            (blob(vector), context_key, embed_model, limit),
        )
        return [CacheEntry(r[0], r[1], r[2], r[3], r[4], 1.0 - float(r[5])) for r in rows]

    async def answer_vector(self, entry: CacheEntry, embed_model: str) -> Vectors | None:
        """The stored vector of a cache entry's answer, if `embed_model` made it."""
        if entry.message_id is None:
            return None
        rows = await self._all(
            "SELECT v.embedding FROM memory_docs d JOIN vec_messages v ON v.rowid = d.id"
            " WHERE d.run_id = ? AND d.message_id = ? AND d.kind = 'message' AND d.embed_model = ?"
            " LIMIT 1", (entry.run_id, entry.message_id, embed_model),
        )
        if not rows:
            return None
        vector: Vectors = np.frombuffer(rows[0][0], dtype=np.float32)
        return vector

    async def knn(
        self, kind: str, vector: Vectors, k: int, embed_model: str
    ) -> list[tuple[Doc, float]]:
        """The k nearest docs of a kind made by `embed_model`, with cosine similarity."""
        if not np.any(vector):
            return []  # a zero vector has no direction, so nothing is similar to it
        # The vec0 tables use L2 (why: migration v3); on unit vectors it ranks as cosine does.
        rows = await self._all(
            f"SELECT d.*, n.distance AS distance FROM (SELECT rowid, distance FROM"
            f" {VEC_TABLES[kind]} WHERE embedding MATCH ? AND k = ?) n"
            " JOIN memory_docs d ON d.id = n.rowid WHERE d.embed_model = ? ORDER BY n.distance",
            (blob(vector), k, embed_model),
        )
        return [(_doc(r), l2_to_cosine(float(r["distance"]))) for r in rows]

    async def fts(self, text: str, limit: int, kinds: Sequence[str]) -> list[tuple[Doc, float]]:
        """Docs matching the words of `text`, best bm25 first (score: -bm25, higher is better)."""
        query = fts_query(text)
        if not query:
            return []
        marks = ",".join("?" for _ in kinds)
        rows = await self._all(
            "SELECT d.*, bm25(memory_fts) AS score FROM memory_fts JOIN memory_docs d"
            f" ON d.id = memory_fts.rowid WHERE memory_fts MATCH ? AND d.kind IN ({marks})"
            " ORDER BY score LIMIT ?",
            (query, *kinds, limit),
        )
        return [(_doc(r), -float(r["score"])) for r in rows]

    async def solution(self, run_id: str) -> tuple[str, list[ExecutionRecord]]:
        """The final answer and the executions (code, output, exit code) of a past run."""
        rows = await self._all(
            "SELECT m.content FROM runs r JOIN messages m ON m.id = r.assistant_message_id"
            " WHERE r.id = ?", (run_id,),
        )
        return (str(rows[0][0]) if rows else ""), await self.store.executions(run_id)

    async def stale_count(self, embed_model: str) -> int:
        """Docs without a vector from `embed_model` (to re-embed)."""
        rows = await self._all(
            "SELECT COUNT(*) FROM memory_docs WHERE embed_model IS NOT ?", (embed_model,)
        )
        return int(rows[0][0])


def _doc(row: Any) -> Doc:
    return Doc(
        int(row["id"]), row["kind"], row["session_id"], row["run_id"], row["message_id"],
        row["execution_id"], row["text"], row["embed_model"], float(row["created_at"]),
    )
