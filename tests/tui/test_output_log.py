"""OutputLog (the Execution pane's output): wrapping, following the end, the cap, selection."""

from __future__ import annotations

from pathlib import Path

from glassbox_factory import make_app
from helpers import send, started
from textual.app import App, ComposeResult
from textual.geometry import Offset
from textual.selection import Selection

from widgets.output_log import OutputLog, clean_line


class LogApp(App[None]):
    def __init__(self, log: OutputLog) -> None:
        super().__init__()
        self.output = log

    def compose(self) -> ComposeResult:
        yield self.output


def _row_text(log: OutputLog, y: int) -> str:
    return log.render_line(y).text.rstrip()


async def test_many_lines_follow_the_end_and_scroll_back() -> None:
    log = OutputLog()
    async with LogApp(log).run_test(size=(40, 10)) as pilot:
        for start in range(0, 20_000, 1000):
            log.write_lines([f"line {i}" for i in range(start, start + 1000)])
        await pilot.pause()
        assert log.line_count == 20_000 and log.virtual_size.height == 20_000
        height = log.scrollable_content_region.height
        assert _row_text(log, height - 1) == "line 19999", "the newest line is in view"
        log.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert _row_text(log, 0) == "line 0"
        # Scrolled back, new lines no longer move the view.
        log.write_lines(["late"])
        await pilot.pause()
        assert log.scroll_y == 0 and _row_text(log, 0) == "line 0"


async def test_long_lines_wrap_and_stderr_is_red() -> None:
    log = OutputLog()
    async with LogApp(log).run_test(size=(21, 10)) as pilot:
        width = log.scrollable_content_region.width
        log.write_lines(["a" * (width * 2 + 3)])
        log.write_lines(["boom"], error=True)
        await pilot.pause()
        assert log.virtual_size.height == 4
        rows = [_row_text(log, y) for y in range(4)]
        assert rows == ["a" * width, "a" * width, "aaa", "boom"]
        colours = {seg.style.color.name for seg in log.render_line(3) if seg.text.strip() and seg.style.color}
        assert colours == {"red"}
        # A narrower view wraps the same lines into more rows.
        await pilot.resize_terminal(11, 10)
        await pilot.pause()
        narrow = log.scrollable_content_region.width
        assert narrow < width
        assert log.virtual_size.height == -(-(width * 2 + 3) // narrow) + 1


async def test_the_cap_drops_the_oldest_lines() -> None:
    log = OutputLog(max_chars=10_000)
    async with LogApp(log).run_test(size=(40, 10)) as pilot:
        log.write_lines([f"{i:09d}" for i in range(5000)])  # 45,000 characters
        await pilot.pause()
        assert sum(map(len, log.lines)) <= 10_000
        assert log.lines[-1] == f"{4999:09d}" and log.dropped + log.line_count == 5000
        assert log.lines[0] == f"{log.dropped:09d}", "what is kept is the newest, in order"


async def test_selection_copies_the_selected_lines() -> None:
    log = OutputLog()
    async with LogApp(log).run_test(size=(40, 10)) as pilot:
        log.write_lines(["first line", "second line", "third line"])
        await pilot.pause()
        selection = Selection(Offset(6, 0), Offset(6, 1))
        assert log.get_selection(selection) == ("line\nsecond", "\n")
        offsets = {seg.style.meta.get("offset") for seg in log.render_line(1) if seg.style and seg.style.meta}
        assert (0, 1) in offsets, "rows carry the text offsets the screen maps a mouse selection with"


def test_control_characters_are_cleaned() -> None:
    assert clean_line("10%\r50%\r100%") == "100%"
    assert clean_line("a\tb") == "a       b"
    assert clean_line("bell\x07") == "bell\ufffd"


async def test_execution_output_reaches_the_pane(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["Done."], approval="auto")
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run the factorials")
        output = app.dashboard.execution.output
        assert output.lines == ["0 1", "1 1", "warning: demo stderr line", "2 2"]
        assert [output.is_error(i) for i in range(4)] == [False, False, True, False]


async def test_the_scrollbar_follows_writes_and_odd_lines_are_counted_in_cells() -> None:
    log = OutputLog()
    async with LogApp(log).run_test(size=(21, 10)) as pilot:
        width = log.scrollable_content_region.width
        size = log.size
        # A plain batch, then one with a tab, a wide character and a carriage return.
        log.write_lines([f"{i}" for i in range(30)])
        log.write_lines(["a\tb", "漢" * width, "10%\r100%"])
        await pilot.pause()
        assert log.lines[-3:] == ["a       b", "漢" * width, "100%"]
        assert log.virtual_size.height == 30 + 1 + 2 + 1, "the wide line takes two rows"
        # The virtual size is set without a layout: the scrollbar still shows it, the log keeps its size.
        assert log.vertical_scrollbar.window_virtual_size == log.virtual_size.height
        assert log.size == size
        assert _row_text(log, log.scrollable_content_region.height - 1) == "100%"
