"""Benchmark: sqlite-vec vec0 k=10 search and bulk insert against numpy and plain BLOB rows."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.store.db import connect_sync

Matrix = npt.NDArray[np.float32]
K = 10


def p50(queries: Matrix, search: Callable[[Matrix], Any]) -> float:
    """Median seconds of one search over the query set (after one warm-up)."""
    search(queries[0])
    times = []
    for query in queries:
        started = time.perf_counter()
        search(query)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def insert_rate(conn: Any, sql: str, rows: list[tuple[int, bytes]]) -> float:
    """Rows per second for one bulk insert in one transaction."""
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(sql, rows)
    conn.execute("COMMIT")
    return len(rows) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    data = rng.standard_normal((args.n, args.dim), dtype=np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    queries = rng.standard_normal((args.queries, args.dim), dtype=np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)

    def numpy_knn(query: Matrix) -> set[int]:
        scores = data @ query
        top = np.argpartition(-scores, K)[:K]
        return {int(i) + 1 for i in top}

    truth = [numpy_knn(q) for q in queries]
    numpy_p50 = p50(queries, numpy_knn)

    conn = connect_sync(":memory:")
    rows = [(i + 1, data[i].tobytes()) for i in range(args.n)]
    conn.execute("CREATE TABLE blobs(id INTEGER PRIMARY KEY, v BLOB NOT NULL)")
    blob_rate = insert_rate(conn, "INSERT INTO blobs(id, v) VALUES (?, ?)", rows)
    conn.execute(f"CREATE VIRTUAL TABLE vf USING vec0(embedding float[{args.dim}] distance_metric=cosine)")
    vec_rate = insert_rate(conn, "INSERT INTO vf(rowid, embedding) VALUES (?, ?)", rows)
    conn.execute(f"CREATE VIRTUAL TABLE vl2 USING vec0(embedding float[{args.dim}])")
    insert_rate(conn, "INSERT INTO vl2(rowid, embedding) VALUES (?, ?)", rows)
    bits = np.packbits(data > 0, axis=1)
    conn.execute(f"CREATE VIRTUAL TABLE vb USING vec0(embedding bit[{args.dim}])")
    insert_rate(conn, "INSERT INTO vb(rowid, embedding) VALUES (?, vec_bit(?))",
                [(i + 1, bits[i].tobytes()) for i in range(args.n)])
    scale = 127.0 / float(np.abs(data).max())
    int8 = np.clip(np.round(data * scale), -127, 127).astype(np.int8)
    conn.execute(f"CREATE VIRTUAL TABLE vi USING vec0(embedding int8[{args.dim}] distance_metric=cosine)")
    insert_rate(conn, "INSERT INTO vi(rowid, embedding) VALUES (?, vec_int8(?))",
                [(i + 1, int8[i].tobytes()) for i in range(args.n)])

    def knn(table: str, wrap: str = "?") -> Callable[[Matrix], set[int]]:
        def search(query: Matrix) -> set[int]:
            sql = f"SELECT rowid FROM {table} WHERE embedding MATCH {wrap} AND k = ?"
            return {r[0] for r in conn.execute(sql, (query.tobytes(), K)).fetchall()}
        return search

    def rescored(table: str, wrap: str, encode: Callable[[Matrix], bytes], pool: int
                 ) -> Callable[[Matrix], set[int]]:
        # Candidates from the quantised table, exact cosine on their float rows to re-rank.
        def search(query: Matrix) -> set[int]:
            ids = [r[0] for r in conn.execute(
                f"SELECT rowid FROM {table} WHERE embedding MATCH {wrap} AND k = ?",
                (encode(query), pool)).fetchall()]
            marks = ",".join("?" for _ in ids)
            return {r[0] for r in conn.execute(
                f"SELECT id FROM blobs WHERE id IN ({marks}) ORDER BY vec_distance_cosine(v, ?)"
                " LIMIT ?", (*ids, query.tobytes(), K)).fetchall()}
        return search

    def bit_code(q: Matrix) -> bytes:
        return np.packbits(q > 0).tobytes()

    def int8_code(q: Matrix) -> bytes:
        return np.clip(np.round(q * scale), -127, 127).astype(np.int8).tobytes()

    variants: list[tuple[str, Callable[[Matrix], set[int]]]] = [
        ("vec0 float32 cosine (the app's tables)", knn("vf")),
        ("vec0 float32 l2 (same order on unit vectors)", knn("vl2")),
        ("vec0 int8 + float re-score (pool 40)", rescored("vi", "vec_int8(?)", int8_code, 40)),
        ("vec0 bit + float re-score (pool 200)", rescored("vb", "vec_bit(?)", bit_code, 200)),
        ("vec0 bit + float re-score (pool 2000)", rescored("vb", "vec_bit(?)", bit_code, 2000)),
    ]
    print(f"{args.n:,} random {args.dim}-dim unit vectors, k={K}, {args.queries} queries")
    print(f"numpy brute force p50: {numpy_p50 * 1000:.2f} ms")
    best: tuple[float, str] | None = None
    for name, search in variants:
        latency = p50(queries, search)
        recall = statistics.mean(len(search(q) & t) / K for q, t in zip(queries, truth, strict=True))
        ratio = latency / numpy_p50
        print(f"{name:48s} p50 {latency * 1000:7.2f} ms  ratio {ratio:5.2f}  recall@10 {recall:.3f}")
        if recall >= 0.95 and (best is None or ratio < best[0]):
            best = (ratio, name)
    if best is not None:
        print(f"query p50 / numpy: {best[0]:.2f} (best with recall@10 >= 0.95: {best[1]}; goal <= 2)")
    print(f"bulk insert: vec0 {vec_rate:,.0f} rows/s, BLOB {blob_rate:,.0f} rows/s, "
          f"ratio {vec_rate / blob_rate:.2f}")


if __name__ == "__main__":
    main()
