"""Usage sums over a scope from which every speed is computed the same way (the Cost pane's columns)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.store.repository import Store

_SUMS_SQL = (
    "SELECT COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(completion_tokens), 0),"
    " COALESCE(SUM(duration_s), 0), COUNT(*), COALESCE(SUM(ttft_s), 0),"
    " COALESCE(SUM(CASE WHEN tokens_per_s > 0 AND completion_tokens > 1"
    "  THEN completion_tokens - 1 END), 0),"
    " COALESCE(SUM(CASE WHEN tokens_per_s > 0 AND completion_tokens > 1"
    "  THEN (completion_tokens - 1) / tokens_per_s END), 0) FROM usage"
)


@dataclass(frozen=True, slots=True)
class UsageSums:
    """Sums over model calls: mean time to first token is ttft_sum_s / calls, tokens/s is
    decode_tokens / decode_s (each call's generated tokens after the first over its speed)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    compute_s: float = 0.0
    calls: int = 0
    ttft_sum_s: float = 0.0
    decode_tokens: float = 0.0
    decode_s: float = 0.0


async def usage_sums(store: Store, session_id: str | None = None) -> UsageSums:
    """Sums over a session's model calls, or (no session) over all of them."""
    where, params = (" WHERE session_id=?", (session_id,)) if session_id else ("", ())
    row = await store.fetchone(_SUMS_SQL + where, params)
    return UsageSums(int(row[0]), int(row[1]), float(row[2]), int(row[3]), float(row[4]),
                     float(row[5]), float(row[6]))
