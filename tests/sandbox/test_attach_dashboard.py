"""The dashboard over the real Docker sandbox: an @path file is read by the code in /workspace and the
matplotlib plot it saves in /workspace/out is drawn in the Execution pane."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import tests.tui.glassbox_factory as factory
from tests.tui.helpers import send, started
from widgets.images import ImageTile

pytestmark = pytest.mark.docker

CODE = """
import csv
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
rows = list(csv.DictReader(open("/workspace/data.csv")))
print("rows", len(rows), "sum", sum(int(r["y"]) for r in rows))
plt.plot([int(r["x"]) for r in rows], [int(r["y"]) for r in rows])
plt.savefig("/workspace/out/plot.png")
"""


async def test_an_attached_file_is_read_and_its_plot_drawn_in_the_pane(
        sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLASSBOX_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GLASSBOX_UI__IMAGE_MODE", "halfblock")
    monkeypatch.setattr(factory, "CODE", CODE)  # what the scripted agent runs
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "data.csv").write_text("x,y\n1,2\n2,4\n3,9\n")
    app = factory.make_app(tmp_path, ["Plotted."], sandbox=sandbox, approval="auto")
    app.start_dir = folder
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run a plot of @data.csv")
        execution = app.dashboard.execution
        assert execution.output.lines == ["rows 3 sum 15"], execution.status_text
        assert execution.attached == ["📎 attached data.csv → /workspace/data.csv (16 bytes)"]
        tiles = list(execution.query(ImageTile))
        assert [t.artifact.name for t in tiles] == ["plot.png"]
        assert tiles[0].size.height > 3 and "▀" in tiles[0].children[0].render_line(1).text
