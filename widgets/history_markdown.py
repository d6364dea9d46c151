"""Rich's Markdown as the chat's reply widgets lay it out (bullets, code fences), for HistoryLines."""

from __future__ import annotations

from copy import copy
from functools import cache
from typing import ClassVar

from markdown_it import MarkdownIt
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, ListItem, Markdown, MarkdownElement
from rich.segment import Segment
from rich.syntax import Syntax


class _Fence(CodeBlock):
    """Padded as a MarkdownFence is: a row above and below, two columns at the sides."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = str(self.text).rstrip()
        yield Syntax(code, self.lexer_name, theme=self.theme, word_wrap=True, padding=(1, 2))


class _Item(ListItem):
    """A bullet at the left edge ("• "), as MarkdownBulletList draws it (Rich indents it: " • ")."""

    def render_bullet(self, console: Console, options: ConsoleOptions) -> RenderResult:
        inner = options.update(width=options.max_width - 2)
        lines = console.render_lines(self.elements, inner, style=self.style)
        style = console.get_style("markdown.item.bullet", default="none")
        for index, line in enumerate(lines):
            yield Segment("• " if index == 0 else "  ", style)
            yield from line
            yield Segment("\n")


class ReplyMarkdown(Markdown):
    """Rich's Markdown with the reply widgets' bullets and fences: a message drawn as lines takes the
    rows it takes as a widget, so the launch's first frame (lines) and the next (widgets) match."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements, "fence": _Fence, "code_block": _Fence, "list_item_open": _Item}


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt().enable("strikethrough").enable("table")  # as Rich's Markdown makes it


@cache
def _template(code_theme: str) -> ReplyMarkdown:
    return ReplyMarkdown("", code_theme=code_theme)


def reply_markdown(text: str, code_theme: str) -> ReplyMarkdown:
    """The Markdown of `text`, parsed by one shared parser: Rich builds a parser per message (half
    the cost of drawing a short one)."""
    markdown = copy(_template(code_theme))
    markdown.markup = text
    markdown.parsed = _parser().parse(text)
    return markdown
