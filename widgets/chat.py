"""The Chat pane: the conversation as Markdown, streamed replies, notices and the prompt."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from widgets.chat_cursor import MessageCursor
from widgets.chat_session import SessionLog
from widgets.frozen import FrozenLines, freeze, lay_out, merge_frozen, settled
from widgets.laid_out import LaidOut
from widgets.message import ChatItem, LiveTail, MessageView, ReadingSpace
from widgets.pane import Pane
from widgets.prompt import PromptInput
from widgets.prompt_queue import PromptQueue

if TYPE_CHECKING:
    from textual.widgets import Markdown
    from textual.widgets.markdown import MarkdownStream

__all__ = ["ChatItem", "ChatPane", "MessageView"]

class ChatPane(SessionLog, MessageCursor, Pane):
    """Chat: history, the streaming reply, notices, and the prompt input."""

    SEGMENT_CHARS = 1200
    """A streamed reply is split into Markdown segments of about this size at paragraph breaks; a
    finished segment is captured into FrozenLines, so a frame's cost does not grow with the reply."""

    READING_SPACE = 1 / 2
    """A streaming reply reserves its height a page (this share of the view) ahead, and the view
    follows it a page at a time: text being read does not crawl up a line per token, and as the reply
    and the log keep their size between pages, a frame redraws only the lines that changed."""

    def __init__(self) -> None:
        super().__init__("Chat", id="chat")
        self._space: ReadingSpace | None = None
        """Blank space below the newest finished reply (see ReadingSpace)."""
        self._following = True
        """False while the user has scrolled away from the newest text."""
        self._stream: MarkdownStream | None = None
        self._streaming: MessageView | None = None
        self._tail: Markdown | None = None
        """The live Markdown segment the stream writes into."""
        self._box: LiveTail | None = None
        """The box of fixed height the live segment grows in (see LiveTail)."""
        self._segment = ""
        self._older: list[ChatItem] = []
        self._edits = asyncio.Lock()
        """Freezing runs after a refresh, on this pane's queue, while the dashboard streams text
        into the same reply from its own: one edit of the log at a time."""

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="chat-log", can_focus=True)
        yield PromptQueue(id="prompt-queue")
        yield PromptInput(id="prompt")

    def on_mount(self) -> None:
        self.log_view.anchor()
        self.watch(self.app, "theme", self._theme_changed, init=False)
        self.watch(self.log_view, "scroll_y", self._scrolled, init=False)

    @property
    def log_view(self) -> VerticalScroll:
        """The scrolling message list."""
        return self.query_one("#chat-log", VerticalScroll)

    @property
    def prompt(self) -> PromptInput:
        """The input box."""
        return self.query_one(PromptInput)

    @property
    def queue(self) -> PromptQueue:
        """Prompts waiting for the current run to end."""
        return self.query_one(PromptQueue)

    def focus_first(self) -> None:
        """Focus the prompt."""
        self.prompt.focus()

    async def add_user(self, message_id: str, text: str, branch: str = "") -> None:
        """Show a sent prompt (once: a regenerated reply's prompt is already shown)."""
        self.select_message(None)  # a new turn: the selection was for the turn before
        if self.log_view.query(f"#m-{message_id}"):
            return
        for hint in self.log_view.query(".-hint"):
            await hint.remove()
        if self._space is not None:
            space, self._space = self._space, None
            await space.remove()
        await self.log_view.mount(MessageView(ChatItem(message_id, "user", text, branch=branch)))
        self.log_view.anchor()
        await self.retire_oldest()

    async def start_reply(self, message_id: str, branch: str = "") -> None:
        """Open an empty assistant reply that deltas will stream into."""
        from widgets.reply import ReplyBody

        await self._stop_stream()
        # A stored copy of this reply (its session was read while the run went on) gives way to it.
        await self.log_view.query(f"#m-{message_id}").remove()
        view = MessageView(ChatItem(message_id, "assistant", "", branch=branch), live=True)
        view.add_class("-streaming")
        log = self.log_view
        # Anchored, Textual keeps short content at the bottom with a negative offset; a streaming
        # reply is followed by _follow() instead, from the top. Undone before the reply is mounted:
        # after it, a layout could lay the reply out under the negative offset, show a scrollbar
        # and keep it (seen under load: the view one column narrower for the whole run).
        log.anchor(False)
        if log.scroll_y < 0:
            log.scroll_to(y=0, animate=False, immediate=True, force=True)
        await self._mount_at_end(view)
        self._box = view.query_one(LiveTail)
        self._box.styles.height = self._page()
        self._following = True
        self._streaming = view
        self._tail = self._box.query_one(ReplyBody)
        self._segment = ""

    def _forget_space(self) -> None:
        self._space = None

    def _page(self) -> int:
        return max(1, round(self.log_view.scrollable_content_region.height * self.READING_SPACE))

    async def _mount_at_end(self, widget: Widget) -> None:
        # New text goes above the space a finished reply left, which stays last.
        if self._space is not None and self._space.is_attached:
            await self.log_view.mount(widget, before=self._space)
        else:
            await self.log_view.mount(widget)

    def _used(self, view: MessageView) -> int:
        """Rows of the view its text fills (the rest of the live box is reserve)."""
        from widgets.reply import ReplyBody  # imported with the first reply, see MessageView.compose

        bottom = view.region.y
        for child in view.displayed_children:
            if child is self._box:
                bottom = max(bottom, child.region.y, *(
                    inner.text_bottom if isinstance(inner, ReplyBody)
                    else inner.region.bottom + inner.styles.margin.bottom
                    for inner in child.displayed_children))
            else:
                bottom = max(bottom, child.region.bottom + child.styles.margin.bottom)
        return bottom - view.region.y

    def _text_end(self) -> int | None:
        """Where the newest text ends in the log: the streaming reply's last row, or the top of the
        space below a finished one (None when the log is simply anchored to its end)."""
        # A widget not laid out yet has an empty region at the top of the log: no answer then; its
        # first layout posts LaidOut, and _follow runs again.
        view = self._streaming
        if view is not None and view.is_attached:
            return view.virtual_region.y + self._used(view) if view.virtual_region.height else None
        if self._space is not None and self._space.is_attached and self._space.virtual_region.height:
            return self._space.virtual_region.y
        return None

    def _follow(self) -> None:
        """Keep the newest text in view, a page at a time (see READING_SPACE)."""
        end = self._text_end()
        view = self._streaming if self._streaming is not None and self._streaming.is_attached else None
        if end is None or (view is None and not self._following):
            return
        log = self.log_view
        height = log.scrollable_content_region.height
        if view is None:
            # A finished reply settles with its last line at the bottom of the view, wherever the
            # last page left it; the unused reserve stays below, out of view.
            log.scroll_to(y=max(0, end - height), animate=False, force=True)
            return
        box = self._box
        if box is None or not box.virtual_region.height:
            return
        box_top = box.virtual_region.y
        if end + 1 >= box_top + box.outer_size.height or (self._following and end > log.scroll_y + height):
            box.styles.height = end - box_top + self._page()
            if self._following:
                log.scroll_to(y=max(0, end - height + self._page()), animate=False)

    def on_laid_out(self, message: LaidOut) -> None:
        message.stop()
        self._follow()

    def _scrolled(self, old: float, new: float) -> None:
        # Scrolling up until the newest text is out of view stops the following (during a reply and
        # after it); scrolling back to it resumes. Only an upward scroll stops it: a page jump of
        # our own lands a frame later and may find the text already past it. Nor does one that lands
        # at the log's end: that is a layout clamping the scroll to shorter content, not the reader
        # leaving (a page of text written at once, as when a run is replayed, outgrows the live box
        # before _follow() grows it, and a clamp then stopped the following for the rest of the reply).
        end = self._text_end()
        if end is None:
            return
        in_view = end <= new + self.log_view.scrollable_content_region.height
        if in_view:
            self._following = True
        elif new < old and new < self.log_view.max_scroll_y:
            self._following = False

    def _recapture(self, root: Widget) -> None:
        # Frozen lines carry the colours they were captured with: after a change of theme or of a
        # message's background they are captured again.
        for frozen in root.query(FrozenLines):
            frozen.post_message(FrozenLines.Stale(frozen))

    def _open_stream(self, target: Markdown) -> MarkdownStream:
        # A stream starts its task at once; it is opened only when there is text to write, so the
        # write that follows lets the task run and stop() never cancels a task that never started.
        self._stream = target.get_stream(target)
        return self._stream

    async def append_reply(self, text: str) -> None:
        """Stream more reply text (already batched per frame by the bridge)."""
        if self._streaming is None or self._tail is None or not text:
            return
        from widgets.reply import ReplyBody

        async with self._edits:
            stream = self._stream or self._open_stream(self._tail)
            if len(self._segment) >= self.SEGMENT_CHARS:
                cut = text.find("\n\n")
                # Split only outside a code fence, so each segment is valid Markdown on its own.
                if cut >= 0 and (self._segment + text[:cut]).count("```") % 2 == 0:
                    head, text = text[: cut + 2], text[cut + 2 :]
                    await stream.write(head)
                    await stream.stop()
                    # Captured as soon as its last text is laid out (_freeze waits for that): the box
                    # then holds the live segment only, so a frame lays out and paints as many
                    # widgets at token 10,000 as at token 100.
                    if isinstance(self._tail, ReplyBody):
                        self._tail.finish()
                    self.call_after_refresh(self._freeze, self._tail)
                    segment = ReplyBody.live()
                    assert self._box is not None
                    await self._box.mount(segment)
                    self._tail = segment
                    self._segment = ""
                    if not text:
                        self._stream = None
                        return
                    stream = self._open_stream(segment)
            self._segment += text
            await stream.write(text)

    async def _freeze(self, segment: Markdown, attempts: int = 20) -> None:
        # Called after a refresh; a segment with a refresh still pending, or while an update is
        # batched (Markdown.append batches across awaits, and frames then skip their layout), is
        # tried after the next. Its own flags clear, its Layout message may still be on its way to
        # the screen: the layout the capture reads is brought up to date first.
        async with self._edits:
            if not settled(segment) or self.app._batch_count:
                if attempts > 1:
                    self.call_after_refresh(self._freeze, segment, attempts - 1)
                return
            lay_out(segment)
            box = segment.parent if isinstance(segment.parent, LiveTail) else None
            if box is None:
                await freeze(segment)
                return
            # Out of the live box and into the frozen lines just above it, the box shrinking by as
            # much in the same frame: the reply keeps its height and the text its place on screen.
            # Always into the same FrozenLines: one widget above the box however long the reply.
            rows = segment.outer_size.height
            with self.app.batch_update():
                if await freeze(segment, box) is not None and box is self._box:
                    box.styles.height = max(1, box.outer_size.height - rows)

    async def on_frozen_lines_stale(self, message: FrozenLines.Stale) -> None:
        """Lines captured at another width (or theme) go back to Markdown and are captured again."""
        async with self._edits:
            if message.frozen.is_attached:
                markdown = await message.frozen.thaw()
                self.call_after_refresh(self._freeze, markdown)

    def _theme_changed(self) -> None:
        self._recapture(self.log_view)

    async def finish_reply(self, message_id: str, text: str, incomplete: bool, cached: bool) -> None:
        """End the stream; make sure the final text is shown and mark the reply."""
        view = self._streaming
        await self._stop_stream()
        async with self._edits:
            if view is None or view.item.message_id != message_id:
                found = self.log_view.query(f"#m-{message_id}")
                if found:
                    view = found.first(MessageView)
                else:
                    view = MessageView(ChatItem(message_id, "assistant", text, incomplete, cached))
                    await self._mount_at_end(view)
            if text and view.text != text:
                from widgets.reply import ReplyBody

                await view.query(LiveTail).remove()
                await view.query(".message-body").remove()
                await view.mount(ReplyBody(text, classes="message-body"))
            view.remove_class("-streaming")
            view.set_marks(incomplete, cached)

    async def finish_reply_if_streaming(self) -> None:
        """End a reply the run never finished (failure): keep its text, mark it incomplete."""
        view = self._streaming
        if view is None:
            return
        await self._stop_stream()
        view.set_marks(incomplete=True, cached=False)
        if not view.text:
            await view.remove()

    async def _stop_stream(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            await stream.stop()
        if self._streaming is not None:
            view, self._streaming = self._streaming, None
            from widgets.reply import ReplyBody

            if isinstance(self._tail, ReplyBody):
                self._tail.finish()
            self._tail = None
            box, self._box = self._box, None
            # Streaming froze segments apart while they were in view; one widget from now on.
            async with self._edits:
                await merge_frozen(view)
            view.remove_class("-streaming")
            if view.is_attached:
                await self._release_reserve(view, box)

    async def _release_reserve(self, view: MessageView, box: LiveTail | None) -> None:
        # A spacer of a page (never less than the unused reserve) replaces the reserve in the same
        # frame, so the log does not shrink under the view and clamp it.
        with self.app.batch_update():
            if box is not None:
                box.styles.height = "auto"
            if self._space is None:
                self._space = ReadingSpace("", classes="reading-space")
                self._space.styles.height = self._page()
                await self.log_view.mount(self._space, after=view)

    @property
    def streaming_text(self) -> str:
        """The text of the reply being streamed (what the screen shows)."""
        return self._streaming.text if self._streaming is not None else ""

    async def add_notice(self, text: str, level: str = "info") -> None:
        """Show a notice (e.g. an error sentence) in the conversation."""
        notice = Static(text, classes=f"notice -{level}", markup=False)
        if self._streaming is not None and self._streaming.is_attached:
            # Below a streaming reply is its reserved space: a notice from the middle of the run
            # goes just above the reply instead.
            await self.log_view.mount(notice, before=self._streaming)
        elif self._space is not None and self._space.is_attached:
            await self._mount_at_end(notice)
            self.call_after_refresh(self._follow)
        else:
            await self.log_view.mount(notice)
            self.log_view.anchor()
