"""Messages of the Chat pane: ChatItem, MessageView and the widgets around a reply that report their size."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Static

from widgets.laid_out import LaidOut

if TYPE_CHECKING:
    from textual.dom import DOMNode


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


async def switch_on_highlighting(node: DOMNode) -> None:
    """Compile the lexers of the fences under `node` in a thread, then highlight every fence."""
    from widgets.reply import switch_on_highlighting as switch_on

    await switch_on(node)


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
        else:
            # Textual's Markdown is imported with the first reply built, not for the first frame
            # (which draws a session's messages as lines, see SessionLog.show_glance).
            from widgets.reply import ReplyBody

            if self.live:
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
        from textual.widgets import Markdown

        from widgets.frozen import FrozenLines

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
