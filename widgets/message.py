"""Messages of the Chat pane: ChatItem, MessageView and the reply widgets that report their size."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, replace

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.dom import DOMNode
from textual.message import Message
from textual.widgets import Label, Markdown, Static
from textual.widgets.markdown import MarkdownBlock, MarkdownFence

from widgets.frozen import FrozenLines


@dataclass(frozen=True, slots=True)
class ChatItem:
    """One message to show."""

    message_id: str
    role: str
    text: str
    incomplete: bool = False
    cached: bool = False
    branch: str = ""
    """Where it stands among its siblings (edited prompts, regenerated replies), e.g. "2/3"."""


def branch_mark(branch: str) -> str:
    """How a message with siblings shows its place: "‹ 2/3 ›" (empty without siblings)."""
    return f"‹ {branch} ›" if branch else ""


def badges(incomplete: bool, cached: bool) -> str:
    marks = []
    if cached:
        marks.append("[cached]")
    if incomplete:
        marks.append("[incomplete]")
    return " ".join(marks)


class LaidOut(Message):
    """A reply (or the space below it) changed size: the chat may have to follow it."""


class CodeFence(MarkdownFence):
    """A code fence shown plain until highlighting is switched on for the process.

    Pygments compiles a lexer the first time it is used (50-90 ms with Python's), which the
    dashboard's first frame does not wait for: switch_on_highlighting() runs after it.
    """

    highlighting = False
    """Whether fences are highlighted; once on, it stays on, as the compiled lexers stay."""

    @classmethod
    def highlight(cls, code: str, language: str, ansi: bool = False, dark: bool = False) -> Content:
        if not CodeFence.highlighting:
            return Content("\n".join(code.splitlines())).stylize_before("$text")
        return super().highlight(code, language, ansi, dark)


async def switch_on_highlighting(node: DOMNode) -> None:
    """Compile the lexers of the fences under `node` in a thread, then highlight every fence."""
    if CodeFence.highlighting:
        return
    fences = list(node.query(CodeFence))
    await asyncio.to_thread(_compile_lexers, {fence.lexer for fence in fences} | {"python"})
    CodeFence.highlighting = True
    for fence in fences:
        fence.notify_style_update()  # MarkdownFence highlights its code again there


def _compile_lexers(languages: Iterable[str]) -> None:
    for language in languages:
        MarkdownFence.highlight("", language or "text")


def _report_live_size(block: MarkdownBlock) -> None:
    # Only the top-level blocks of the segment being streamed: that is where the text ends.
    parent = block.parent
    if isinstance(parent, ReplyBody) and parent.has_class("-live"):
        block.post_message(LaidOut())


def _reporting(blocks: dict[str, type[MarkdownBlock]]) -> dict[str, type[MarkdownBlock]]:
    """The same block classes (same CSS type names), each reporting its resizes in a live segment."""
    made: dict[type[MarkdownBlock], type[MarkdownBlock]] = {}
    for block in blocks.values():
        if block not in made:
            made[block] = type(block.__name__, (block,), {"on_resize": _report_live_size,
                                                          "__module__": __name__})
    return {name: made[block] for name, block in blocks.items()}


class ReplyBody(Markdown):
    """A reply's Markdown; reports each new size, as the text that grows it is laid out.

    The segment being streamed (class -live) fills the rest of its LiveTail instead of growing a
    row at a time: a body that grows changes the clip of every block in it, and Textual repaints
    each block whose clip changed, so each new row would repaint the whole segment. Filling the box,
    a new row repaints the last block only; that block reports where the text ends (LaidOut)."""

    BLOCKS: dict[str, type[MarkdownBlock]] = _reporting(
        {**Markdown.BLOCKS, "fence": CodeFence, "code_block": CodeFence})

    @classmethod
    def live(cls, text: str = "") -> ReplyBody:
        """A segment to stream into, filling the rest of its LiveTail."""
        body = cls(text, classes="message-body -live")
        body.styles.height = "1fr"
        return body

    def finish(self) -> None:
        """No more text comes into this segment: back to the height of its text."""
        # An inline style, not a class: it takes effect at once, so settled() sees the layout due.
        self.remove_class("-live")
        self.styles.height = "auto"

    def on_resize(self) -> None:
        self.post_message(LaidOut())

    @property
    def text_bottom(self) -> int:
        """The screen row below the text (and its last margin): the body's bottom unless it is live."""
        if not self.has_class("-live"):
            return self.region.bottom + self.styles.margin.bottom
        blocks = self.displayed_children
        if not blocks:
            return self.region.y + self.styles.padding.top
        return max(block.region.bottom + block.styles.margin.bottom for block in blocks) + \
            self.styles.padding.bottom


class ReadingSpace(Static):
    """Blank space below a finished reply, so releasing its reserve does not move the text."""

    def on_resize(self) -> None:
        self.post_message(LaidOut())


class LiveTail(Vertical):
    """The box a streaming reply's newest segment grows in, with the reply's reserve below it.

    The box keeps its height while the text grows inside it (it grows a page at a time), so the
    reply and the log around it keep their geometry and a frame repaints the box only: the cost
    of a frame does not depend on how much of the reply is above it."""

    DEFAULT_CSS = """
    LiveTail {
        height: auto;
    }
    """


class MessageView(Vertical):
    """A user prompt (plain text) or an assistant reply (Markdown) with its marks."""

    def __init__(self, item: ChatItem, *, live: bool = False) -> None:
        super().__init__(id=f"m-{item.message_id}", classes=f"message -{item.role}")
        self.item = item
        self.live = live
        """A reply being streamed: its Markdown grows in a LiveTail."""

    def compose(self) -> ComposeResult:
        who = "You" if self.item.role == "user" else "Assistant"
        yield Label(self._header(who), classes="message-header", markup=False)
        if self.item.role == "user":
            yield Static(self.item.text, classes="message-body", markup=False)
        elif self.live:
            with LiveTail():
                yield ReplyBody.live(self.item.text)
        else:
            yield ReplyBody(self.item.text, classes="message-body")

    def _header(self, who: str, marks: str | None = None) -> str:
        marks = badges(self.item.incomplete, self.item.cached) if marks is None else marks
        return " ".join(part for part in (who, branch_mark(self.item.branch), marks) if part)

    def set_branch(self, branch: str) -> None:
        """Show the message's place among its siblings ("2/3"; empty: it has none)."""
        self.item = replace(self.item, branch=branch)
        who = "You" if self.item.role == "user" else "Assistant"
        marks = badges(self.has_class("-incomplete"), self.has_class("-cached"))
        self.query_one(".message-header", Label).update(self._header(who, marks))

    @property
    def text(self) -> str:
        """The text shown: the prompt, or the reply's frozen and live Markdown in order."""
        if self.item.role == "user":
            return self.item.text
        parts: list[str] = []
        for child in self.children:
            for body in child.children if isinstance(child, LiveTail) else (child,):
                if isinstance(body, (Markdown, FrozenLines)):
                    parts.append(body.source)
        return "".join(parts)

    def on_resize(self) -> None:
        self.post_message(LaidOut())

    def set_marks(self, incomplete: bool, cached: bool) -> None:
        """Mark the reply as cached and/or incomplete."""
        self.set_class(incomplete, "-incomplete")
        self.set_class(cached, "-cached")
        marks = badges(incomplete, cached)
        self.query_one(".message-header", Label).update(self._header("Assistant", marks))
