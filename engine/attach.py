"""The attach stage of a turn: copies the prompt's @path files into /workspace and tells the model."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

from engine.attachments import attached_note
from engine.errors import SandboxError
from engine.events import Event, FileAttached
from engine.llm.base import ChatMessage
from engine.run import Answer, RunContext
from engine.sandbox.base import FileReceiver


async def attach_stage(context: RunContext, inner: Answer) -> AsyncIterator[Event]:
    """Copy each attachment into the session's /workspace (FileAttached for each), then run the
    turn with "Attached: /workspace/NAME (N bytes)" lines after the prompt the model reads.

    A turn with attachments never comes from (or goes into) the semantic cache: the cache keys
    on the words of the prompt, not on what the files hold."""
    attachments = context.options.attachments
    if not attachments:
        async for event in inner(context):
            yield event
        return
    runner = await context.sandbox()
    if not isinstance(runner, FileReceiver):
        raise SandboxError("This sandbox cannot take files; attachments need the Docker sandbox.")
    for attachment in attachments:
        path = await runner.put_file(context.session_id, attachment.source, attachment.name)
        yield FileAttached(run_id=context.run_id, name=attachment.name, source=str(attachment.source),
                           path=path, size=attachment.size)
    text = f"{context.text}\n\n{attached_note(attachments)}"
    history = list(context.history)
    if history and history[-1].role == "user":
        history[-1] = ChatMessage("user", text)
    else:
        history.append(ChatMessage("user", text))
    options = dataclasses.replace(context.options, use_cache=False)
    async for event in inner(dataclasses.replace(context, text=text, history=history, options=options)):
        yield event
