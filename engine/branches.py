"""Where a turn starts in the conversation tree: the default path, a branch, an edit or a regenerate."""

from __future__ import annotations

from engine.errors import GlassboxError
from engine.run import SubmitOptions
from engine.store.repository import MessageRecord, Store


async def prior_messages(store: Store, session_id: str, options: SubmitOptions) -> list[MessageRecord]:
    """The conversation a new user message follows (and the model sees before it): the path to
    `parent_id`, to the parent of the prompt it edits (`edit_of`), or the session's active path."""
    if options.edit_of is not None:
        edited = await _message(store, session_id, options.edit_of, "user", "prompt to edit")
        return await store.conversation(session_id, edited.parent_id) if edited.parent_id else []
    if options.parent_id is not None:
        await _message(store, session_id, options.parent_id, None, "message to branch from")
    return await store.conversation(session_id, options.parent_id)


async def reply_again(
    store: Store, session_id: str, user_message_id: str
) -> tuple[MessageRecord, list[MessageRecord]]:
    """The prompt a regenerated reply answers and the conversation before it (the new reply is a
    sibling of the earlier ones, which all stay)."""
    user = await _message(store, session_id, user_message_id, "user", "prompt to answer again")
    prior = await store.conversation(session_id, user.parent_id) if user.parent_id else []
    return user, prior


async def _message(
    store: Store, session_id: str, message_id: str, role: str | None, what: str
) -> MessageRecord:
    message = await store.get_message(message_id)
    if message is None or message.session_id != session_id:
        raise GlassboxError(f"No {what} {message_id[:8]} in this session.")
    if role is not None and message.role != role:
        raise GlassboxError(f"Message {message_id[:8]} is an {message.role} message, not a {role} prompt.")
    return message
