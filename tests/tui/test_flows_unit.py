"""The app's flows on a small fake host (no Textual app, no engine): each flow needs only FlowHost."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from engine.errors import GlassboxError
from tui.branch_flows import BranchFlows
from tui.dialog_flows import DARK, LIGHT, DialogFlows
from tui.flow_host import idle
from tui.history_flows import HistoryFlows
from tui.media_flows import MediaFlows
from tui.queue_flow import PromptQueueFlow
from tui.screens.dialogs import TextPrompt


class FakeQueue:
    """The Chat pane's prompt queue as the queue flow uses it."""

    def __init__(self, *texts: str) -> None:
        self.texts = list(texts)

    @property
    def count(self) -> int:
        return len(self.texts)

    def pop_next(self) -> str | None:
        return self.texts.pop(0) if self.texts else None

    def add(self, text: str, at: int | None = None) -> None:
        self.texts.insert(len(self.texts) if at is None else at, text)


class FakeHost:
    """What a flow sees of the app: records notices, answers dialogs from a list, runs workers when
    the test says."""

    def __init__(self, engine: Any = None, answers: list[object] | None = None) -> None:
        self.engine = engine
        self.handle: Any = None
        self.snapshot_mode = True
        self.theme = DARK
        self.start_dir = Path.cwd()
        self.closing = False
        self.answers = list(answers or [])
        self.notices: list[tuple[str, str]] = []
        self.shown: list[object] = []
        self.workers: list[Awaitable[Any]] = []
        self.worker_options: list[dict[str, Any]] = []
        self.opened: list[str] = []
        self.submitted: list[str] = []
        self.budget_refreshes = 0
        self.dashboard = SimpleNamespace(session_id="s1", chat=SimpleNamespace(queue=FakeQueue()),
                                         refresh_budget=self._refresh_budget)

    @property
    def current_theme(self) -> Any:
        return SimpleNamespace(dark=self.theme == DARK)

    async def _refresh_budget(self) -> None:
        self.budget_refreshes += 1

    def notify(self, message: str, *, severity: str = "information", **_: Any) -> None:
        self.notices.append((severity, message))

    def push_screen(self, screen: object, callback: Callable[[object], Any] | None = None) -> None:
        self.shown.append(screen)
        if callback is not None:
            callback(self.answers.pop(0))

    def run_worker(self, work: Awaitable[Any], **options: Any) -> None:
        self.workers.append(work)
        self.worker_options.append(options)

    def call_later(self, callback: Callable[[], Any]) -> None:
        self.workers.append(callback())

    async def open_session(self, session_id: str, at_message: str | None = None) -> None:
        self.opened.append(session_id)

    async def submit(self, text: str, *, fresh: bool = False) -> object | None:
        self.submitted.append(text)
        return None  # as when the engine is not available

    async def run_workers(self) -> None:
        while self.workers:
            await self.workers.pop(0)


def test_idle_warns_while_a_run_goes() -> None:
    host = FakeHost(engine=object())
    assert idle(host)  # type: ignore[arg-type]
    host.handle = object()
    assert not idle(host)  # type: ignore[arg-type]
    assert host.notices == [("warning", "Wait for the run to finish or cancel it (Esc) first.")]
    assert not idle(FakeHost(engine=None))  # type: ignore[arg-type]


async def test_a_queued_prompt_that_is_not_sent_keeps_its_place() -> None:
    host = FakeHost()
    host.dashboard.chat.queue = FakeQueue("first", "second")
    flow = PromptQueueFlow(host)  # type: ignore[arg-type]
    flow.start_next_queued()
    await host.run_workers()
    assert host.submitted == ["first"] and host.dashboard.chat.queue.texts == ["first", "second"]
    host.closing = True
    flow.start_next_queued()
    assert not host.workers  # nothing starts once the app quits


async def test_the_budget_dialog_sets_a_whole_number_and_refuses_words() -> None:
    budgets: list[tuple[str, int | None]] = []

    async def set_budget(session_id: str, budget: int | None) -> None:
        budgets.append((session_id, budget))

    async def get(session_id: str) -> Any:
        return SimpleNamespace(token_budget=None)

    engine = SimpleNamespace(sessions=SimpleNamespace(get=get, set_budget=set_budget))
    host = FakeHost(engine, answers=["12,000", "lots"])

    async def nothing(session_id: str) -> None:
        return None

    flow = DialogFlows(host, checkpoints=nothing, export=nothing)  # type: ignore[arg-type]
    flow.action_budget()
    await host.run_workers()
    assert budgets == [("s1", 12000)] and host.budget_refreshes == 1
    assert isinstance(host.shown[0], TextPrompt)
    # The dialog waited in a worker the app keeps; a newer dialog flow replaces (cancels) it.
    assert host.worker_options[0] == {"group": "dialog", "exclusive": True, "exit_on_error": False}
    flow.action_budget()
    await host.run_workers()
    assert budgets == [("s1", 12000)]
    assert host.notices[-1] == ("error", "'lots' is not a whole number of tokens.")


async def test_theme_toggles_without_saving_in_snapshot_mode() -> None:
    host = FakeHost()

    async def nothing(session_id: str) -> None:
        return None

    flow = DialogFlows(host, checkpoints=nothing, export=nothing)  # type: ignore[arg-type]
    await flow.action_toggle_theme()
    assert host.theme == LIGHT and host.notices == []  # no "Saved to ..." in snapshot mode


async def test_undo_reopens_the_session_and_says_what_happened() -> None:
    async def undo(session_id: str) -> Any:
        return SimpleNamespace(changed=True, files="restored", message="Undid turn 2.")

    host = FakeHost(SimpleNamespace(turns=SimpleNamespace(undo=undo)))
    host.screen_stack = [object()]  # type: ignore[attr-defined]
    HistoryFlows(host).action_undo_turn()  # type: ignore[arg-type]
    await host.run_workers()
    assert host.opened == ["s1"] and host.notices == [("information", "Undid turn 2.")]


async def test_export_reports_where_the_files_are_or_why_it_failed(tmp_path: Path) -> None:
    async def export_session(session_id: str) -> tuple[Path, Path]:
        if session_id == "bad":
            raise GlassboxError("disk full")
        return tmp_path / "s.md", tmp_path / "s.json"

    host = FakeHost(SimpleNamespace(export_session=export_session))
    flow = BranchFlows(host)  # type: ignore[arg-type]
    await flow.export_session("s1")
    await flow.export_session("bad")
    assert host.notices == [
        ("information", f"Exported the whole conversation tree to {tmp_path / 's.md'} and s.json."),
        ("error", "Export failed: disk full")]


def test_a_missing_attachment_keeps_the_prompt_unsent(tmp_path: Path) -> None:
    from engine.attachments import AttachmentError

    def find_attachments(text: str, root: Path) -> list[object]:
        raise AttachmentError("@nope.csv: no such file")

    host = FakeHost(SimpleNamespace(find_attachments=find_attachments))
    options = object()
    assert MediaFlows(host).with_attachments("look at @nope.csv", options) is None  # type: ignore[arg-type]
    assert host.notices == [("error", "@nope.csv: no such file")]


def test_the_app_provides_every_member_of_the_flow_host(tmp_path: Path) -> None:
    from glassbox_factory import make_app

    from tui.flow_host import FlowHost

    app = make_app(tmp_path)
    protocols = [cls for cls in FlowHost.__mro__ if cls.__module__ == "tui.flow_host"]  # and its bases
    members = {n for cls in protocols for n in [*cls.__annotations__, *vars(cls)] if not n.startswith("_")}
    assert {"engine", "dashboard", "notify", "follow", "approve"} <= members
    assert [m for m in sorted(members) if m not in vars(app) and not hasattr(type(app), m)] == []
    # Key actions resolve on the app to the owning flow's own method.
    assert app.action_sessions == app.dialogs.action_sessions
    assert app.action_switch_sibling == app.branches.action_switch_sibling
