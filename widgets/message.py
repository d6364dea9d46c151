"""Messages of the Chat pane: ChatItem, MessageView and the reply widgets that report their size."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, Markdown, Static

from widgets.frozen import FrozenLines


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


class LaidOut(Message):
    """A reply (or the space below it) changed size: the chat may have to follow it."""


class ReplyBody(Markdown):
    """A reply's Markdown; reports each new size, as the text that grows it is laid out."""

    def on_resize(self) -> None:
        self.post_message(LaidOut())


class ReadingSpace(Static):
    """Blank space below a finished reply, so releasing its reserve does not move the text."""

    def on_resize(self) -> None:
        self.post_message(LaidOut())


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
            yield ReplyBody(self.item.text, classes="message-body")

    def _header(self, who: str) -> str:
        badges = _badges(self.item.incomplete, self.item.cached)
        return f"{who} {badges}".rstrip()

    @property
    def text(self) -> str:
        """The text shown: the prompt, or the reply's frozen and live Markdown in order."""
        if self.item.role == "user":
            return self.item.text
        return "".join(child.source for child in self.children if isinstance(child, (Markdown, FrozenLines)))

    def on_resize(self) -> None:
        self.post_message(LaidOut())

    def set_marks(self, incomplete: bool, cached: bool) -> None:
        """Mark the reply as cached and/or incomplete."""
        self.set_class(incomplete, "-incomplete")
        self.set_class(cached, "-cached")
        badges = _badges(incomplete, cached)
        self.query_one(".message-header", Label).update(f"Assistant {badges}".rstrip())
