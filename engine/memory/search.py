"""Hybrid search: FTS5 bm25 and vector KNN results fused by reciprocal rank."""

from __future__ import annotations

from engine.memory.embedder import Vectors
from engine.memory.index import Doc, MemoryIndex
from engine.run import SearchHit
from engine.store.db import sqlite_module

RRF_K = 60
"""The usual reciprocal-rank-fusion constant: damps the weight of the very top ranks."""
MIN_VECTOR_SIMILARITY = 0.3
"""Vector hits below this are noise (unrelated sentences score under about 0.25)."""
SEARCH_KINDS = ("message", "execution")


async def hybrid_search(
    index: MemoryIndex, text: str, vector: Vectors | None, embed_model: str, limit: int
) -> list[SearchHit]:
    """Messages and executions of every session matching `text`, best first."""
    pool = max(limit * 3, 30)
    scores: dict[int, float] = {}
    docs: dict[int, Doc] = {}
    for rank, (doc, _) in enumerate(await index.fts(text, pool, SEARCH_KINDS)):
        docs[doc.id] = doc
        scores[doc.id] = scores.get(doc.id, 0.0) + 1.0 / (RRF_K + rank + 1)
    if vector is not None:
        nearest: list[tuple[Doc, float]] = []
        for kind in SEARCH_KINDS:
            try:
                nearest.extend(await index.knn(kind, vector, pool, embed_model))
            except sqlite_module().Error:
                # A re-embed with a new vector size is rebuilding the tables: text still works.
                # Only SQL errors: anything else is a bug and must not look like "no hits".
                continue
        nearest = [n for n in nearest if n[1] >= MIN_VECTOR_SIMILARITY]
        nearest.sort(key=lambda n: n[1], reverse=True)
        for rank, (doc, _) in enumerate(nearest):
            docs[doc.id] = doc
            scores[doc.id] = scores.get(doc.id, 0.0) + 1.0 / (RRF_K + rank + 1)
    ranked = sorted(scores, key=lambda i: (-scores[i], -docs[i].created_at))
    hits: list[SearchHit] = []
    for doc_id in ranked[:limit]:
        doc = docs[doc_id]
        hits.append(SearchHit(
            session_id=doc.session_id or "", message_id=doc.message_id, run_id=doc.run_id,
            kind=doc.kind, text=doc.text, score=round(scores[doc_id], 6),
        ))
    return hits
