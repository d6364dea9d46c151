"""PromptQueueFlow: prompts sent during a run wait in the Chat pane's queue and run in order after it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from widgets.prompt_queue import PromptQueue

if TYPE_CHECKING:
    from tui.flow_host import FlowHost


class PromptQueueFlow:
    """The app's prompt queue. Enter during a run queues the prompt; when a run ends (answered,
    failed or cancelled with Esc) the next queued prompt starts."""

    def __init__(self, host: FlowHost) -> None:
        self.host = host

    _editing_at: int | None = None
    """The queue position of the entry taken into the input to edit; it goes back there."""

    @property
    def prompt_queue(self) -> PromptQueue:
        """The queue widget (in the Chat pane)."""
        return self.host.dashboard.chat.queue

    @property
    def queued_count(self) -> int:
        """How many prompts wait (0 before the dashboard is up)."""
        queues = self.host.screen_stack[0].query(PromptQueue) if self.host.screen_stack else None
        return queues.first().count if queues else 0

    def queue_prompt(self, text: str) -> None:
        """Queue a prompt sent while a run is going (an edited entry returns to its place)."""
        at, self._editing_at = self._editing_at, None
        # The list above the input is the feedback (a toast would cover it).
        self.prompt_queue.add(text, at)

    def start_next_queued(self) -> None:
        """After a run ended: start the next queued prompt, if any (called by run_ended)."""
        if self.prompt_queue.count and not self.host.closing:
            self.host.call_later(self._run_next)

    async def _run_next(self) -> None:
        queue = self.prompt_queue
        if self.host.handle is not None or self.host.closing or not queue.count:
            return
        text = queue.pop_next()
        if text is not None and await self.host.submit(text) is None:
            queue.add(text, 0)  # not sent (the engine is not available): it keeps its place

    def action_focus_queue(self) -> None:
        """Focus the prompt queue (its entries can be edited or dropped there)."""
        if not self.prompt_queue.count:
            self.host.notify("No prompt is queued: Enter during a run queues one.")
            return
        self.host.dashboard.show_pane("chat", focus=False)
        self.prompt_queue.focus()

    def on_prompt_queue_edit_requested(self, message: PromptQueue.EditRequested) -> None:
        prompt = self.host.dashboard.chat.prompt
        if prompt.text.strip():
            self.host.notify("The input holds a draft: send it or clear it first, then edit the entry.",
                             severity="warning")
            return
        self._editing_at = message.index
        prompt.load_text(self.prompt_queue.take(message.index))
        prompt.move_cursor(prompt.document.end)
        prompt.focus()

    def on_prompt_queue_changed(self, message: PromptQueue.Changed) -> None:
        if not self.prompt_queue.count and self.prompt_queue.has_focus:
            self.host.dashboard.chat.prompt.focus()
        self.host.dashboard.update_topbar()
        self.host.refresh_bindings()  # the footer shows the queue key only while something waits
