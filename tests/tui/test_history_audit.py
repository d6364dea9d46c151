"""Pilot tests: undo and redo of a turn, restoring a checkpoint from the sessions screen, the
command audit (filter, open, export) and its snapshot."""

from __future__ import annotations

import csv
import io
import json
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from glassbox_factory import FakeSandbox, make_app
from helpers import send, started, wait_for
from textual.widgets import Input

from engine.sandbox.base import ExecEvent
from engine.store.turns import checkpoints
from tui.screens.audit import AuditScreen
from tui.screens.checkpoints import CheckpointsScreen
from tui.screens.execution_detail import ExecutionDetailScreen
from tui.screens.sessions import SessionsScreen
from widgets.chat import MessageView

REPLY = "Done."


class FilesSandbox(FakeSandbox):
    """The factory's fake runner, plus a /workspace per session: each execution writes run<N>.txt.
    (tests/sandbox/test_checkpoints.py does the same against real Docker.)"""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.files: dict[str, dict[str, str]] = {}

    async def execute(self, session_id: str, code: str, **kwargs: Any) -> AsyncIterator[ExecEvent]:
        files = self.files.setdefault(session_id, {})
        files[f"run{len(files) + 1}.txt"] = code
        async for event in super().execute(session_id, code, **kwargs):
            yield event

    async def save_checkpoint(self, session_id: str, target: Path) -> tuple[int, int] | None:
        files = self.files.get(session_id)
        if files is None:
            return None
        with tarfile.open(target, "w") as tar:
            for name, text in sorted(files.items()):
                info = tarfile.TarInfo(name)
                info.size = len(text.encode())
                tar.addfile(info, io.BytesIO(text.encode()))
        return len(files), sum(len(t) for t in files.values())

    async def restore_checkpoint(self, session_id: str, archive: Path) -> bool:
        with tarfile.open(archive) as tar:
            self.files[session_id] = {m.name: tar.extractfile(m).read().decode()  # type: ignore[union-attr]
                                      for m in tar if m.isfile()}
        return True


def _roles(app: Any) -> list[str]:
    return [v.item.role for v in app.dashboard.chat.log_view.query(MessageView)]


async def test_undo_and_redo_a_turn_with_its_files(tmp_path: Path) -> None:
    sandbox = FilesSandbox(tmp_path)
    app = make_app(tmp_path, [REPLY], repeat_last=True, sandbox=sandbox)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run the first script")
        await send(pilot, "run the second script")
        session_id = app.dashboard.session_id
        assert session_id is not None and sorted(sandbox.files[session_id]) == ["run1.txt", "run2.txt"]
        assert _roles(app) == ["user", "assistant"] * 2

        await pilot.press("alt+z")
        await wait_for(pilot, lambda: _roles(app) == ["user", "assistant"])
        assert sorted(sandbox.files[session_id]) == ["run1.txt"]
        assert app.dashboard.chat.prompt.text == "", "alt+z reached the prompt as text"
        assert len(await app.engine.store.messages(session_id)) == 4  # type: ignore[union-attr]

        await pilot.press("alt+y")
        await wait_for(pilot, lambda: _roles(app) == ["user", "assistant"] * 2)
        assert sorted(sandbox.files[session_id]) == ["run1.txt", "run2.txt"]


async def test_sessions_screen_restores_a_checkpoint(tmp_path: Path) -> None:
    sandbox = FilesSandbox(tmp_path)
    app = make_app(tmp_path, [REPLY], repeat_last=True, sandbox=sandbox)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        for prompt in ("run one", "run two", "run three"):
            await send(pilot, prompt)
        session_id = app.dashboard.session_id
        assert session_id is not None
        assert len(await checkpoints(app.engine.store, session_id)) == 3  # type: ignore[union-attr]

        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionsScreen))
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckpointsScreen))
        listed = [str(o.prompt) for o in app.screen.query_one("#checkpoints-list").options]  # type: ignore[attr-defined]
        assert [line.split(" · ")[0] for line in listed] == ["turn   3", "turn   2", "turn   1"]
        assert listed[0].endswith(" · run three") and listed[2].endswith(" · run one")
        await pilot.press("down", "down", "enter")
        await wait_for(pilot, lambda: sorted(sandbox.files[session_id]) == ["run1.txt"])
        assert not isinstance(app.screen, CheckpointsScreen)
        assert _roles(app) == ["user", "assistant"] * 3, "restoring files leaves the conversation"


async def _open_audit(pilot: Any) -> AuditScreen:
    app = pilot.app
    await pilot.press("f12")
    await wait_for(pilot, lambda: isinstance(app.screen, AuditScreen))
    screen = app.screen
    await wait_for(pilot, lambda: screen.table.row_count > 0)
    return screen  # type: ignore[no-any-return]


async def test_audit_filters_opens_and_exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(tmp_path, [REPLY], repeat_last=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run the factorial script")
        app.fake_sandbox.exit_code = 1  # type: ignore[attr-defined]
        await send(pilot, "run it again, failing")
        screen = await _open_audit(pilot)
        assert screen.table.row_count == 2 and screen.total == 2
        newest = screen.table.get_row_at(0)
        assert newest[4] == "python" and newest[6].startswith("import math")
        assert str(newest[1]) == "exit 1" and newest[2] == "0.42 s" and newest[3] == "12.0 MiB"

        await pilot.press("f2")  # status: ok
        await wait_for(pilot, lambda: screen.query_.status == "ok" and screen.table.row_count == 1)
        assert str(screen.table.get_row_at(0)[1]) == "ok"
        await pilot.press("f2")  # status: failed
        await wait_for(pilot, lambda: screen.query_.status == "failed" and screen.table.row_count == 1)
        await pilot.press("f2", "f2", "f2")  # killed, unfinished, back to all
        await wait_for(pilot, lambda: screen.query_.status == "all" and screen.table.row_count == 2)

        text = screen.query_one("#audit-text", Input)
        text.value = "no such code anywhere"
        await wait_for(pilot, lambda: screen.table.row_count == 0)
        text.value = "ZeroDivision"  # in the failed one's stderr
        await wait_for(pilot, lambda: screen.table.row_count == 1)
        text.value = ""
        await wait_for(pilot, lambda: screen.table.row_count == 2)

        screen.table.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExecutionDetailScreen))
        body = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "ZeroDivisionError" in body and "exit: 1" in body
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)

        await pilot.press("f5")
        await wait_for(pilot, lambda: getattr(screen, "last_export", None) is not None)
        rows = list(csv.DictReader(screen.last_export.open(encoding="utf-8")))
        assert screen.last_export.parent == tmp_path and screen.last_export.suffix == ".csv"
        assert [r["status"] for r in rows] == ["failed", "ok"] and rows[0]["code"].startswith("import math")
        await pilot.press("f2")
        await wait_for(pilot, lambda: screen.table.row_count == 1)
        await pilot.press("f6")
        await wait_for(pilot, lambda: screen.last_export.suffix == ".jsonl")
        lines = [json.loads(line) for line in screen.last_export.read_text().splitlines()]
        assert [line["status"] for line in lines] == ["ok"] and lines[0]["duration_s"] == 0.42


async def test_audit_pages_through_thousands_of_executions(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        store = app.engine.store  # type: ignore[union-attr]
        session = await store.create_session("bulk")
        async with store.transaction() as conn:
            for n in range(3000):
                await conn.execute(
                    "INSERT INTO executions(id, session_id, language, code, exit_code, duration_s,"
                    " started_at, finished_at) VALUES (?,?,?,?,?,?,?,?)",
                    (f"e{n:05d}", session.id, "python", f"print({n})", n % 7 == 0, 0.01, n, n))
        screen = await _open_audit(pilot)
        assert screen.table.row_count == 200 and screen.total == 3000
        assert screen.table.get_row_at(0)[6] == "print(2999)"
        screen.table.move_cursor(row=199)
        await wait_for(pilot, lambda: screen.table.row_count == 400)
        assert screen.table.get_row_at(399)[6] == "print(2600)"


async def _two_runs_then_audit(pilot: Any) -> None:
    await started(pilot)
    await send(pilot, "run the factorial script")
    pilot.app.fake_sandbox.exit_code = 1
    await send(pilot, "run it again, failing")
    await _open_audit(pilot)
    await pilot.pause(0.1)


def test_audit_screen_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(make_app(tmp_path, [REPLY], repeat_last=True), terminal_size=(160, 48),
                        run_before=_two_runs_then_audit)


def test_audit_screen_small_terminal_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(make_app(tmp_path, [REPLY], repeat_last=True), terminal_size=(80, 24),
                        run_before=_two_runs_then_audit)


async def test_reopened_session_shows_its_history_and_consistent_costs(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["The factorials are computed, as asked."], repeat_last=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "run the factorial script")
        app.fake_sandbox.exit_code = 1  # type: ignore[attr-defined]
        await send(pilot, "run it again, failing")
        live = (app.dashboard.cost.turn, app.dashboard.cost.session, app.dashboard.cost.all_time)

    again = make_app(tmp_path, [REPLY])  # a restart: the same file, a new app
    async with again.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        dashboard = again.dashboard
        runs = dashboard.activity.step_tree.root.children
        assert [str(node.label) for node in runs] == ["run run the factorial script",
                                                      "run run it again, failing"]
        execution = dashboard.execution
        assert "1 of" not in str(execution.border_subtitle) and "2 of 2" in str(execution.border_subtitle)
        assert any("ZeroDivisionError" in line for line in execution.output.lines)
        execution.focus_first()
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: "1 of 2" in str(execution.border_subtitle))
        assert not any("ZeroDivisionError" in line for line in execution.output.lines)
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: "2 of 2" in str(execution.border_subtitle))

        cost = dashboard.cost
        for view in (cost.turn, cost.session, cost.all_time):
            assert view.ttft_s == pytest.approx(0.25) and view.tokens_per_s == pytest.approx(20.0)
        # The same figures as the live run showed, for each column.
        reopened = (cost.turn, cost.session, cost.all_time)
        for before, after in zip(live, reopened, strict=True):
            assert (before.prompt_tokens, before.completion_tokens) == (after.prompt_tokens,
                                                                        after.completion_tokens)
            assert before.ttft_s == pytest.approx(after.ttft_s)
            assert before.tokens_per_s == pytest.approx(after.tokens_per_s)
