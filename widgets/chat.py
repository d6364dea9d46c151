"""The Chat pane: the conversation as Markdown, streamed replies, notices and the prompt."""

from __future__ import annotations

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
    FIRST_PAINT = 12
    """Messages mounted before the first frame of a session; more than a full-height pane shows."""
    SEGMENT_CHARS = 1200
    """A streamed reply is split into Markdown segments of about this size at paragraph breaks, so
    finished segments keep their cached layout and a frame's cost does not grow with reply length."""

    def __init__(self) -> None:
        super().__init__("Chat", id="chat")
        self._stream: MarkdownStream | None = None
        self._streaming: MessageView | None = None
        self._segments: list[Markdown] = []
        """The streaming reply's Markdown widgets, kept so reading its text needs no DOM query."""
        self._segment = ""
        self._older: list[ChatItem] = []
        self._hidden = 0
        self._frozen: list[Markdown] = []

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
        """Replace the log with the newest FIRST_PAINT of these messages; show_older() adds the rest
        (up to HISTORY_LIMIT), so a long session is on screen before all of it is parsed."""
        await self._stop_stream()
        log = self.log_view
        await log.remove_children()
        self._frozen = []
        shown = items[-self.HISTORY_LIMIT :]
        self._older = shown[: -self.FIRST_PAINT]
        self._hidden = len(items) - len(shown)
        widgets: list[Static | MessageView] = [self._message_view(i) for i in shown[-self.FIRST_PAINT :]]
        if not widgets:
            widgets.append(Static("Type a task below and press Enter.", classes="notice -info -hint"))
        elif self._hidden and not self._older:
            widgets.insert(0, self._hidden_notice())
        await log.mount_all(widgets)
        log.scroll_end(animate=False)
        log.anchor()
        self.prompt.prompt_history = [i.text for i in items if i.role == "user"][-100:]

    async def show_older(self) -> None:
        """Mount the messages show_history() held back, above the ones already shown."""
        if not self._older:
            return
        widgets: list[Static | MessageView] = [self._message_view(i) for i in self._older]
        if self._hidden:
            widgets.insert(0, self._hidden_notice())
        self._older = []
        await self.log_view.mount_all(widgets, before=0)

    def _hidden_notice(self) -> Static:
        return Static(f"{self._hidden} older messages not shown.", classes="notice -info")

    @staticmethod
    def _message_view(item: ChatItem) -> MessageView:
        view = MessageView(item)
        if item.role != "user":
            view.set_class(item.incomplete, "-incomplete")
            view.set_class(item.cached, "-cached")
        return view

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
        self._segments = [view.query_one(Markdown)]
        self._segment = ""

    def _open_stream(self, target: Markdown) -> MarkdownStream:
        # A stream starts its task at once; it is opened only when there is text to write, so the
        # write that follows lets the task run and stop() never cancels a task that never started.
        self._stream = Markdown.get_stream(target)
        return self._stream

    async def append_reply(self, text: str) -> None:
        """Stream more reply text (already batched per frame by the bridge)."""
        if self._streaming is None or not text:
            return
        stream = self._stream or self._open_stream(self._segments[-1])
        if len(self._segment) >= self.SEGMENT_CHARS:
            cut = text.find("\n\n")
            # Split only outside a code fence, so each segment is valid Markdown on its own.
            if cut >= 0 and (self._segment + text[:cut]).count("```") % 2 == 0:
                head, text = text[: cut + 2], text[cut + 2 :]
                await stream.write(head)
                await stream.stop()
                self.call_after_refresh(self._freeze, self._segments[-1])
                segment = Markdown("", classes="message-body")
                await self._streaming.mount(segment)
                self._segments.append(segment)
                self._segment = ""
                if not text:
                    self._stream = None
                    return
                stream = self._open_stream(segment)
        self._segment += text
        await stream.write(text)

    def _freeze(self, segment: Markdown) -> None:
        # Textual caches an auto-height widget's layout per parent height, so every segment of a
        # growing reply would be laid out again each frame; a finished one gets its measured height
        # and only the live tail is laid out. A width change measures them again (on_resize).
        if segment.is_attached and segment.size.height:
            segment.styles.height = segment.size.height
            self._frozen.append(segment)

    def on_resize(self) -> None:
        frozen, self._frozen = self._frozen, []
        for segment in frozen:
            segment.styles.height = "auto"
            self.call_after_refresh(self._freeze, segment)

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
            if segments[0] in self._frozen:
                self._frozen.remove(segments[0])
                segments[0].styles.height = "auto"
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
            await stream.stop()
        if self._streaming is not None:
            self._streaming.remove_class("-streaming")
            self._streaming = None
            self._segments = []

    @property
    def streaming_text(self) -> str:
        """The text of the reply being streamed (what the screen shows)."""
        return "".join(m.source for m in self._segments)

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
