"""SessionBook: what the app reads and changes about sessions, their runs and usage (never the store)."""

from __future__ import annotations

from engine.store.records import MessageRecord, RunRecord, SessionRecord, StepRecord, UsageRecord
from engine.store.repository import Store
from engine.store.usage_sums import UsageSums, usage_sums


class SessionBook:
    """The session reads and edits the dashboard needs, so no widget or screen holds the store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def recent(self) -> list[SessionRecord]:
        """Sessions, most recently used first."""
        return await self._store.list_sessions()

    async def get(self, session_id: str) -> SessionRecord | None:
        """One session, or None."""
        return await self._store.get_session(session_id)

    async def latest(self) -> SessionRecord | None:
        """The most recently used session, or None when there is none."""
        return await self._store.latest_session()

    async def rename(self, session_id: str, title: str) -> None:
        """Give a session a new title."""
        await self._store.rename_session(session_id, title)

    async def delete(self, session_id: str) -> None:
        """Delete a session with everything it owns."""
        await self._store.delete_session(session_id)

    async def set_budget(self, session_id: str, budget: int | None) -> None:
        """Set (None: clear) a session's token budget."""
        await self._store.set_session_budget(session_id, budget)

    async def message_count(self, session_id: str) -> int:
        """How many messages a session holds (every branch)."""
        return len(await self._store.messages(session_id))

    async def message(self, message_id: str) -> MessageRecord | None:
        """One message, or None."""
        return await self._store.get_message(message_id)

    async def runs(self, session_id: str) -> list[RunRecord]:
        """A session's runs, oldest first."""
        return await self._store.runs(session_id)

    async def steps(self, run_id: str) -> list[StepRecord]:
        """A run's steps in order."""
        return await self._store.steps(run_id)

    async def usage(self, session_id: str) -> list[UsageRecord]:
        """A session's model calls with their cost, oldest first."""
        return await self._store.usage_rows(session_id)

    async def all_time_usage(self) -> UsageSums:
        """Usage summed over every session."""
        return await usage_sums(self._store)
