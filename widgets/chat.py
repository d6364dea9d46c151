"""The Chat pane: the conversation as Markdown, streamed replies, notices and the prompt."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Markdown, Static
from textual.widgets.markdown import MarkdownStream

from widgets.pane import Pane
from widgets.prompt import PromptInput


@dataclass(frozen=True, slots=True)
class ChatItem:
    """One message to show."""

    message_id: str
    role: str
    text: str
    incomplete: bool = False
    cached: bool = False


def _badges(incomplete: bool, cached: bool) -> str:
    marks = []
    if cached:
        marks.append("[cached]")
    if incomplete:
        marks.append("[incomplete]")
    return " ".join(marks)


class MessageView(Vertical):
    """A user prompt (plain text) or an assistant reply (Markdown) with its marks."""

    def __init__(self, item: ChatItem) -> None:
        super().__init__(id=f"m-{item.message_id}", classes=f"message -{item.role}")
        self.item = item

    def compose(self) -> ComposeResult:
        who = "You" if self.item.role == "user" else "Assistant"
        yield Label(self._header(who), classes="message-header", markup=False)
        if self.item.role == "user":
            yield Static(self.item.text, classes="message-body", markup=False)
        else:
            yield Markdown(self.item.text, classes="message-body")

    def _header(self, who: str) -> str:
        badges = _badges(self.item.incomplete, self.item.cached)
        return f"{who} {badges}".rstrip()

    def set_marks(self, incomplete: bool, cached: bool) -> None:
        """Mark the reply as cached and/or incomplete."""
        self.set_class(incomplete, "-incomplete")
        self.set_class(cached, "-cached")
        badges = _badges(incomplete, cached)
        self.query_one(".message-header", Label).update(f"Assistant {badges}".rstrip())


class ChatPane(Pane):
    """Chat: history, the streaming reply, notices, and the prompt input."""

    HISTORY_LIMIT = 200
    """Older messages are not rendered, so opening a long session stays fast."""
    SEGMENT_CHARS = 3000
    """A streamed reply is split into Markdown segments of about this size at paragraph breaks, so
    finished segments keep their cached layout and a frame's cost does not grow with reply length."""

    def __init__(self) -> None:
        super().__init__("Chat", id="chat")
        self._stream: MarkdownStream | None = None
        self._streaming: MessageView | None = None
        self._segment = ""

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="chat-log", can_focus=True)
        yield PromptInput(id="prompt")

    def on_mount(self) -> None:
        self.log_view.anchor()

    @property
    def log_view(self) -> VerticalScroll:
        """The scrolling message list."""
        return self.query_one("#chat-log", VerticalScroll)

    @property
    def prompt(self) -> PromptInput:
        """The input box."""
        return self.query_one(PromptInput)

    def focus_first(self) -> None:
        """Focus the prompt."""
        self.prompt.focus()

    async def show_history(self, items: list[ChatItem]) -> None:
        """Replace the log with these messages (the newest HISTORY_LIMIT of them)."""
        await self._stop_stream()
        log = self.log_view
        await log.remove_children()
        shown = items[-self.HISTORY_LIMIT :]
        widgets: list[Static | MessageView] = []
        if len(items) > len(shown):
            widgets.append(Static(f"{len(items) - len(shown)} older messages not shown.",
                                  classes="notice -info"))
        for item in shown:
            view = MessageView(item)
            if item.role != "user":
                view.set_class(item.incomplete, "-incomplete")
                view.set_class(item.cached, "-cached")
            widgets.append(view)
        if not widgets:
            widgets.append(Static("Type a task below and press Enter.", classes="notice -info -hint"))
        await log.mount_all(widgets)
        log.scroll_end(animate=False)
        log.anchor()
        self.prompt.prompt_history = [i.text for i in items if i.role == "user"][-100:]

    async def add_user(self, message_id: str, text: str) -> None:
        """Show a sent prompt."""
        for hint in self.log_view.query(".-hint"):
            await hint.remove()
        await self.log_view.mount(MessageView(ChatItem(message_id, "user", text)))
        self.log_view.anchor()

    async def start_reply(self, message_id: str) -> None:
        """Open an empty assistant reply that deltas will stream into."""
        await self._stop_stream()
        view = MessageView(ChatItem(message_id, "assistant", ""))
        view.add_class("-streaming")
        await self.log_view.mount(view)
        self._streaming = view
        self._segment = ""
        self._stream = Markdown.get_stream(view.query_one(Markdown))

    async def append_reply(self, text: str) -> None:
        """Stream more reply text (already batched per frame by the bridge)."""
        if self._stream is None or self._streaming is None:
            return
        if len(self._segment) >= self.SEGMENT_CHARS:
            cut = text.find("\n\n")
            # Split only outside a code fence, so each segment is valid Markdown on its own.
            if cut >= 0 and (self._segment + text[:cut]).count("```") % 2 == 0:
                head, text = text[: cut + 2], text[cut + 2 :]
                await self._stream.write(head)
                await self._stream.stop()
                segment = Markdown("", classes="message-body")
                await self._streaming.mount(segment)
                self._stream = Markdown.get_stream(segment)
                self._segment = ""
        self._segment += text
        await self._stream.write(text)

    async def finish_reply(self, message_id: str, text: str, incomplete: bool, cached: bool) -> None:
        """End the stream; make sure the final text is shown and mark the reply."""
        view = self._streaming
        await self._stop_stream()
        if view is None or view.item.message_id != message_id:
            found = self.log_view.query(f"#m-{message_id}")
            if found:
                view = found.first(MessageView)
            else:
                view = MessageView(ChatItem(message_id, "assistant", text, incomplete, cached))
                await self.log_view.mount(view)
        segments = list(view.query(Markdown))
        if text and "".join(m.source for m in segments) != text:
            for extra in segments[1:]:
                await extra.remove()
            await segments[0].update(text)
        view.remove_class("-streaming")
        view.set_marks(incomplete, cached)

    async def finish_reply_if_streaming(self) -> None:
        """End a reply the run never finished (failure): keep its text, mark it incomplete."""
        view = self._streaming
        if view is None:
            return
        await self._stop_stream()
        view.set_marks(incomplete=True, cached=False)
        if not view.query(Markdown).first().source:
            await view.remove()

    async def _stop_stream(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            try:
                await stream.stop()
            except asyncio.CancelledError:
                # stop() re-raises the cancel of a stream task that never ran (a run that failed at
                # once); only a real cancellation of this handler may propagate.
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise
        if self._streaming is not None:
            self._streaming.remove_class("-streaming")
            self._streaming = None

    @property
    def streaming_text(self) -> str:
        """The text of the reply being streamed (what the screen shows)."""
        if self._streaming is None:
            return ""
        return "".join(m.source for m in self._streaming.query(Markdown))

    async def add_notice(self, text: str, level: str = "info") -> None:
        """Show a notice (e.g. an error sentence) in the conversation."""
        await self.log_view.mount(Static(text, classes=f"notice -{level}", markup=False))
        self.log_view.anchor()

    def scroll_to_message(self, message_id: str) -> bool:
        """Scroll so a message is visible and highlight it; False if it is not shown."""
        found = self.log_view.query(f"#m-{message_id}")
        if not found:
            return False
        view = found.first()
        self.log_view.anchor(False)
        self.log_view.scroll_to_widget(view, animate=False, top=True)
        view.add_class("-highlight")
        return True
