"""Reply Markdown (ReplyBody, CodeFence): imported with the first reply widget, after the first frame."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from textual.content import Content
from textual.dom import DOMNode
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownBlock, MarkdownFence

from widgets.laid_out import LaidOut


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
