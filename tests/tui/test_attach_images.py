"""Attaching files with @path (completion, copy, size limit, what the model reads), pictures in the
Execution pane (half-blocks, full size) and the pane's one scroll, status and durations."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from glassbox_factory import FakeSandbox, make_app
from helpers import send, started, wait_for
from textual.pilot import Pilot

from engine.events import ExecFinished, StepFinished, StepStarted
from tui.screens.file_picker import FilePicker
from tui.screens.image_view import ImageScreen
from widgets.images import ImageTile


def plot_png() -> bytes:
    """A small deterministic picture: four coloured bands and a diagonal."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (160, 96), "white")
    draw = ImageDraw.Draw(picture)
    for i, colour in enumerate(("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")):
        draw.rectangle((8 + i * 36, 96 - 20 * (i + 1), 36 + i * 36, 90), fill=colour)
    draw.line((0, 0, 159, 95), fill="black", width=3)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "notes").mkdir(parents=True)
    (root / "data.csv").write_text("x,y\n1,2\n3,4\n")
    (root / "notes" / "todo.md").write_text("- plot it\n")
    return root


async def test_at_completes_paths_from_the_start_folder(tmp_path: Path, folder: Path) -> None:
    app = make_app(tmp_path, ["ok"])
    app.start_dir = folder
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        prompt = app.dashboard.chat.prompt
        prompt.focus()
        await pilot.press(*"sum @")
        await pilot.pause()
        assert prompt.completions.display and prompt.completions.paths == ["notes/", "data.csv"]
        await pilot.press("d", "tab")
        await pilot.pause()
        assert prompt.text == "sum @data.csv " and not prompt.completions.display
        await pilot.press(*"and @n", "tab")  # a folder: completion goes on inside it
        await pilot.pause()
        assert prompt.text == "sum @data.csv and @notes/"
        assert prompt.completions.paths == ["notes/todo.md"]
        await pilot.press("escape")
        assert not prompt.completions.display


async def test_an_attached_file_is_copied_and_the_model_is_told(tmp_path: Path, folder: Path) -> None:
    app = make_app(tmp_path, ["The sum is 10."], approval="auto")
    app.start_dir = folder
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run a sum of the columns in @data.csv")
        sandbox: FakeSandbox = app.fake_sandbox  # type: ignore[attr-defined]
        assert sandbox.files == {"data.csv": b"x,y\n1,2\n3,4\n"}
        told = app.scripted_model.seen[-1][-1]  # type: ignore[attr-defined]
        assert told.role == "user"
        assert told.content == ("run a sum of the columns in @data.csv\n\n"
                                "Attached: /workspace/data.csv (12 bytes)")
        execution = app.dashboard.execution
        assert execution.attached == ["📎 attached data.csv → /workspace/data.csv (12 bytes)"]
        rows = [execution.output.render_line(y).text for y in range(execution.output.prelude_rows)]
        execution.output.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert "📎 attached data.csv → /workspace/data.csv (12 bytes)" in execution.output.render_line(0).text
        assert any("import math" in row for row in rows) or execution.code
        # The prompt as typed is what the chat and the store keep.
        history = await app.engine.history(app.dashboard.session_id)  # type: ignore[union-attr,arg-type]
        assert history[-2].content == "run a sum of the columns in @data.csv"


async def test_a_file_over_the_size_limit_is_refused_and_the_prompt_kept(
        tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLASSBOX_SANDBOX__ATTACH_MAX_BYTES", "5")
    app = make_app(tmp_path, ["unused"])
    app.start_dir = folder
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "sum @data.csv", wait=False)
        await pilot.pause(0.2)
        assert app.handle is None and app.fake_sandbox.files == {}  # type: ignore[attr-defined]
        assert app.dashboard.chat.prompt.text == "sum @data.csv"
        messages = [str(n.message) for n in app._notifications]
        assert any("@data.csv is 12 bytes; an attached file may be at most 5 bytes" in m
                   and "sandbox.attach_max_bytes" in m for m in messages), messages


async def test_the_palette_file_picker_puts_the_path_in_the_prompt(tmp_path: Path, folder: Path) -> None:
    app = make_app(tmp_path, ["ok"])
    app.start_dir = folder
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        app.action_attach_file()
        await wait_for(pilot, lambda: isinstance(app.screen, FilePicker))
        await pilot.press(*"todo")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, FilePicker))
        assert app.dashboard.chat.prompt.text == "@notes/todo.md "


def _halfblock_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("GLASSBOX_UI__IMAGE_MODE", "halfblock")  # deterministic, whatever the terminal
    return make_app(tmp_path, ["Here is the plot."], sandbox=FakeSandbox(tmp_path, plot_bytes=plot_png()))


async def test_a_plot_shows_as_a_picture_and_opens_full_size(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from textual_image.widget import HalfcellImage

    app = _halfblock_app(tmp_path, monkeypatch)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run the plot")
        tiles = list(app.dashboard.execution.query(ImageTile))
        assert [t.artifact.name for t in tiles] == ["plot.png"]
        picture = tiles[0].query_one(HalfcellImage)
        assert picture.size.height > 0
        assert "▀" in picture.render_line(0).text  # drawn with half-blocks
        assert not app.dashboard.execution.query_one("#exec-artifacts").display, "no list of what is on show"
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, ImageScreen))
        assert app.screen.artifact.name == "plot.png"  # type: ignore[attr-defined]
        full = app.screen.query_one(HalfcellImage)
        assert full.size.height > picture.size.height
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ImageScreen))
        await pilot.press("f3", "v")  # in the Execution pane, v opens the newest picture
        await wait_for(pilot, lambda: isinstance(app.screen, ImageScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ImageScreen))
        tiles[0].focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ImageScreen))


async def test_a_broken_picture_is_listed_with_the_reason(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLASSBOX_UI__IMAGE_MODE", "halfblock")
    app = make_app(tmp_path, ["Done."])  # the default fake writes only a PNG signature
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run it")
        execution = app.dashboard.execution
        assert not list(execution.query(ImageTile))
        label = str(execution.query_one("#exec-artifacts").get_option_at_index(0).prompt)  # type: ignore[attr-defined]
        assert "plot.png" in label and "cannot be shown: not a readable PNG/JPEG" in label


def test_half_block_picture_snapshot(snap_compare: Any, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await started(pilot)
        await send(pilot, "run the plot")
        await pilot.press("f3", "ctrl+g")
        await pilot.pause(0.2)

    assert snap_compare(_halfblock_app(tmp_path, monkeypatch), terminal_size=(100, 40), run_before=run_before)


async def test_status_says_the_sandbox_is_starting_and_labels_both_durations(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["unused"])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        presenter, execution = app.dashboard.presenter, app.dashboard.execution
        await presenter.dispatch(StepStarted(run_id="r", step_id="s", kind="code", title="run", input="1/0"))
        assert execution.status_text == "starting sandbox…"
        execution.start("python", "print(1)")
        await presenter.dispatch(ExecFinished(run_id="r", step_id="s", exec_id="e", exit_code=0,
                                              duration_s=0.01))
        assert execution.status_text.startswith("exit 0 · ran 0.01 s · peak")
        await presenter.dispatch(StepFinished(run_id="r", step_id="s", kind="code", status="success",
                                              duration_s=1.85))
        assert "exit 0 · ran 0.01 s · with sandbox start 1.85 s · peak" in execution.status_text


async def test_code_and_output_scroll_as_one_and_a_traceback_shows_its_end(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["unused"])
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("f3")
        await pilot.pause()
        execution = app.dashboard.execution
        code = "\n".join(f"x{i} = {i}" for i in range(30)) + "\n1 / 0\n"
        execution.start("python", code)
        frames = "".join(f'  File "<cell>", line {i}, in f{i}\n' for i in range(80))
        execution.add_output("stderr", f"Traceback (most recent call last):\n{frames}"
                                       "ZeroDivisionError: division by zero\n")
        await presenter_finish(execution)
        await pilot.pause(0.1)
        log = execution.output
        assert log.prelude_rows >= 31, "the code is in the same scroll as the output"
        last = log.scrollable_content_region.height - 1
        assert log.render_line(last).text.strip() == "ZeroDivisionError: division by zero"
        log.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert "x0 = 0" in log.render_line(0).text


async def presenter_finish(execution: Any) -> None:
    execution.finish(ExecFinished(run_id="r", exec_id="e", exit_code=1, duration_s=0.2))
