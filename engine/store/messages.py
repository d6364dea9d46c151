"""The message record and the sessions query: all the start-up glance needs of the store's records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SESSIONS_SQL = "SELECT * FROM sessions ORDER BY updated_at DESC LIMIT ?"
"""Sessions, most recently used first (Store and the start-up glance)."""


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """One message; `parent_id` links it to the message it answers or follows."""

    id: str
    session_id: str
    parent_id: str | None
    role: str
    content: str
    status: str
    cached: bool
    run_id: str | None
    created_at: float

    @property
    def incomplete(self) -> bool:
        """True for a reply that was cut off (crash, cancel, or still streaming)."""
        return self.status == "incomplete"


def message_from_row(row: Any) -> MessageRecord:
    """A messages row (sqlite3.Row or mapping) as a MessageRecord."""
    data = dict(row)
    data["cached"] = bool(data["cached"])
    names = MessageRecord.__dataclass_fields__
    return MessageRecord(**{k: v for k, v in data.items() if k in names})
