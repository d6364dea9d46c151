"""Pilot tests of what a new user hit: quit in the footer, an 80x24 top bar and footer that fit, Del and
the delete question in the sessions list, Enter in search, long headings, one copy of each palette
command and of each error, and no stray glyphs in the side panes."""

from __future__ import annotations

from pathlib import Path

from glassbox_factory import FakeSandbox, make_app
from helpers import send, started, wait_for
from textual.geometry import Region
from textual.widgets import Input
from textual.widgets._markdown import MarkdownH3

from engine.events import MessageDone, RunFailed, RunFinished, RunStarted
from tui.screens.dialogs import Confirm
from tui.screens.search import SearchScreen
from tui.screens.sessions import SessionsScreen
from widgets.footer import FittedFooter
from widgets.topbar import TopBar

SMALL = (80, 24)
PARTIAL_GLYPHS = set("▁▂▃▄▅▆▇▉▊▋▌▍▎▏")


def _region_text(app, region: Region) -> str:  # type: ignore[no-untyped-def]
    strips = app.screen._compositor.render_strips()
    rows = []
    for y in range(region.y, region.bottom):
        line = "".join(segment.text for segment in strips[y])
        rows.append(line[region.x:region.right])
    return "\n".join(rows)


def _footer(app) -> FittedFooter:  # type: ignore[no-untyped-def]
    return app.dashboard.query_one(FittedFooter)


def _footer_width(footer: FittedFooter) -> int:
    return sum(key.outer_size.width for key in footer.children)


async def test_footer_shows_quit_and_fits_80_columns(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        await pilot.pause(0.1)
        footer = _footer(app)
        assert footer.shown[:2] == ["quit", "help"]
        assert "cancel_run" not in footer.shown, "a key that does nothing now is not shown"
        assert _footer_width(footer) <= SMALL[0]
        text = _region_text(app, footer.region)
        assert "^q Quit" in text and "^p palette" in text


async def test_topbar_and_footer_fit_80x24_while_running(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["done"], sandbox=FakeSandbox(tmp_path, hang=True))
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        await send(pilot, "run a long task with a rather long title that cannot fit in the top bar",
                   wait=False)
        await wait_for(pilot, lambda: app.dashboard.execution.running)
        await pilot.pause(0.1)
        bar = app.dashboard.query_one(TopBar)
        line = str(bar.render())
        assert len(line) <= SMALL[0], line
        assert ("running (Esc cancels)" in line or "running · Esc" in line) and "…" in line, \
            "the title gives way, not the state"
        assert "cancel_run" in _footer(app).shown
        assert _footer_width(_footer(app)) <= SMALL[0]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.handle is None)


async def test_delete_from_the_filter_box_names_the_session(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["one", "two"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "zebra facts please")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen))
        box = app.screen.query_one("#sessions-filter", Input)
        assert box.has_focus
        await pilot.press(*"zeb")
        await pilot.press("left", "delete")  # a character right of the cursor: Del edits the filter
        assert box.value == "ze"
        await pilot.press("delete")  # nothing to the right: Del deletes the selected session
        await wait_for(pilot, lambda: isinstance(app.screen, Confirm))
        question = str(app.screen.query_one(".dialog-title").render())
        assert "“zebra facts please”" in question
        await pilot.press("y")
        await wait_for(pilot, lambda: not isinstance(app.screen, Confirm))
        assert app.engine is not None
        await wait_for(pilot, lambda: app.dashboard.session_id is not None)
        titles = [s.title for s in await app.engine.store.list_sessions()]
        assert "zebra facts please" not in titles


async def test_search_enter_opens_the_highlighted_result(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["zebra stripes answer", "zebra food answer", "x"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "zebra stripes")
        first = app.dashboard.session_id
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: app.dashboard.session_id != first)
        await send(pilot, "zebra food")
        second = app.dashboard.session_id
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: app.dashboard.session_id != second)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"zebra", "enter")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await wait_for(pilot, lambda: bool(screen._hits))
        screen.query_one("#search-input", Input).focus()  # back in the box, as after a click
        await pilot.press("down")
        wanted = screen._hits[1]
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, SearchScreen))
        await wait_for(pilot, lambda: app.dashboard.session_id == wanted.session_id)


async def test_a_long_heading_wraps(tmp_path: Path) -> None:
    heading = "### A third-level heading that goes on well past the width of a small terminal END"
    app = make_app(tmp_path, [f"{heading}\n\nBody."])
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        await send(pilot, "heading please")
        await pilot.pause(0.1)
        header = app.dashboard.chat.query(MarkdownH3).last()
        assert header.region.height >= 2, "wrapped onto a second line"
        assert header.region.right <= app.dashboard.chat.log_view.region.right
        assert "END" in _region_text(app, header.region)


async def test_palette_lists_each_command_once(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        app.dashboard.chat.prompt.focus()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert len(titles) == len(set(titles))
        assert titles.count("Theme") == 1 and "Toggle dark/light" not in titles
        assert "Maximise pane" in titles and "Maximize" not in titles and "Keys" not in titles
        assert "Prompt queue" in titles


async def test_an_error_shows_once_in_the_chat(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        presenter = app.dashboard.presenter
        session = app.dashboard.session_id or ""

        async def run(run_id: str, *events: object) -> list[str]:
            await presenter.dispatch(RunStarted(
                run_id=run_id, session_id=session, user_message_id=f"u{run_id}",
                assistant_message_id=f"a{run_id}", model="m", text="task"))
            for event in events:
                await presenter.dispatch(event)  # type: ignore[arg-type]
            return [str(n.render()) for n in app.dashboard.chat.query(".notice")]

        # A backend that died mid-reply: the reply is cut with the error, then the run fails with it.
        notices = await run("r1", MessageDone(run_id="r1", message_id="ar1", text="partial", incomplete=True,
                                              reason="the model server went away"),
                            RunFailed(run_id="r1", error="the model server went away"))
        assert sum("went away" in n for n in notices) == 1
        # An agent that gave up says why in its reply; the run's end does not repeat it.
        notices = await run("r2", MessageDone(run_id="r2", message_id="ar2",
                                              text="I could not complete the task: no sandbox image."),
                            RunFinished(run_id="r2", status="failed", reason="no sandbox image"))
        assert sum("no sandbox image" in n for n in notices) == 0
        # A cancel: the cut reply and the run's end both say "cancelled"; one notice.
        before = len(notices)
        notices = await run("r3", MessageDone(run_id="r3", message_id="ar3", text="half", incomplete=True,
                                              reason="cancelled"),
                            RunFinished(run_id="r3", status="cancelled", reason="cancelled by the user"))
        assert len(notices) == before + 1


async def test_no_partial_glyphs_in_activity_and_execution(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["done " * 200])
    async with app.run_test(size=SMALL) as pilot:
        await started(pilot)
        for _ in range(3):
            await send(pilot, "run the factorial script " + "with a long title " * 6)
        for key, pane in (("f4", app.dashboard.activity), ("f3", app.dashboard.execution)):
            await pilot.press(key)
            await pilot.pause(0.2)
            inside = pane.region.shrink((1, 1, 1, 1))
            # Lists with a tall border (the artifacts) draw ▊ and ▎ on purpose: not counted.
            bordered = [w.region for w in pane.query("OptionList") if w.display]
            text = "\n".join(line for y, line in enumerate(_region_text(app, inside).splitlines(), inside.y)
                             if not any(r.y <= y < r.bottom for r in bordered))
            assert text.strip(), f"{pane.id} shows something"
            assert not PARTIAL_GLYPHS & set(text), f"{pane.id}:\n{text}"
