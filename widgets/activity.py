"""The Activity pane: the run as a tree of plan, steps, actions, observations and verdicts."""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.text import Text
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from widgets.pane import Pane

ICONS = {
    "pending": ("○", "dim"),
    "running": ("◐", "yellow"),
    "success": ("✔", "green"),
    "failure": ("✖", "red"),
    "retry": ("↻", "magenta"),
    "skipped": ("⊘", "dim"),
    "info": ("•", "cyan"),
}
COLLAPSE_LINES = 3
"""Outputs longer than this many lines are folded; Enter on the step shows all of it."""


@dataclass(frozen=True, slots=True)
class StepInfo:
    """What the pane knows about one step (from events or from the store)."""

    step_id: str
    kind: str
    title: str = ""
    status: str = "running"
    parent_step_id: str | None = None
    duration_s: float | None = None
    tokens: int = 0
    input: str = ""
    output: str = ""
    summary: str = ""
    strategy: str | None = None
    reason: str | None = None


def step_label(info: StepInfo) -> Text:
    """'✔ code  Write the script · 1.20 s · 85 tok'."""
    icon, style = ICONS.get(info.status, ("?", ""))
    text = Text()
    text.append(f"{icon} ", style=style)
    text.append(info.kind, style="bold")
    if info.title:
        text.append(f"  {info.title}")
    if info.duration_s is not None and info.status not in ("running", "pending"):
        text.append(f" · {info.duration_s:.2f} s", style="dim")
    if info.tokens:
        text.append(f" · {info.tokens:,} tok", style="dim")
    if info.strategy:
        text.append(f" · strategy: {info.strategy}", style="magenta")
    if info.reason and info.status != "success":
        text.append(f" · {info.reason}", style="red" if info.status == "failure" else "dim")
    return text


def _fold(text: str, expanded: bool) -> list[str]:
    lines = text.rstrip("\n").splitlines() or [""]
    limit = 12 if expanded else COLLAPSE_LINES
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"… {len(lines) - limit} more lines (Enter for all)"]


class ActivityPane(Pane):
    """Activity: one tree per run; status icon, duration and tokens on every step."""

    @dataclass
    class StepOpened(Message):
        """The user asked for a step's full detail."""

        step: StepInfo

    def __init__(self, *, lazy: bool = False) -> None:
        super().__init__("Activity", id="activity", lazy=lazy)
        self.steps: dict[str, StepInfo] = {}
        self._step_nodes: dict[str, TreeNode[StepInfo | None]] = {}
        self._run_node: TreeNode[StepInfo | None] | None = None

    def compose_body(self) -> ComposeResult:
        tree: Tree[StepInfo | None] = Tree("runs", id="activity-tree")
        tree.show_root = False
        tree.guide_depth = 2
        yield tree

    @property
    def step_tree(self) -> Tree[StepInfo | None]:
        """The tree widget."""
        return self.query_one("#activity-tree", Tree)

    def focus_first(self) -> None:
        """Focus the tree."""
        self.step_tree.focus()

    def clear(self) -> None:
        """Forget every run."""
        self.step_tree.clear()
        self.steps.clear()
        self._step_nodes.clear()
        self._run_node = None

    def start_run(self, title: str) -> None:
        """Begin a new run section; older runs stay, collapsed."""
        for node in self.step_tree.root.children:
            node.collapse()
        # No glyph of our own: the tree draws its own expand arrow in front of the label.
        label = Text.assemble(("run ", "bold cyan"), title[:60])
        self._run_node = self.step_tree.root.add(label, data=None, expand=True)
        self.step_tree.move_cursor(self._run_node)

    def _parent_node(self, parent_id: str | None) -> TreeNode[StepInfo | None]:
        if parent_id and parent_id in self._step_nodes:
            return self._step_nodes[parent_id]
        if self._run_node is None:
            self.start_run("")
        assert self._run_node is not None
        return self._run_node

    def add_plan(self, steps: list[tuple[str, str, str]], revision: int = 0) -> None:
        """A plan: (id, title, role) per step, each pending until a step claims its id."""
        title = "plan" if revision == 0 else f"plan (revision {revision})"
        plan = self._parent_node(None).add(Text.assemble(("☰ ", "cyan"), (title, "bold")), expand=True)
        for step_id, step_title, role in steps:
            info = StepInfo(step_id=step_id, kind=role or "step", title=step_title, status="pending")
            self.steps[step_id] = info
            self._step_nodes[step_id] = plan.add(step_label(info), data=info, expand=True)

    def step_started(self, info: StepInfo) -> None:
        """A step began (or a planned one started running)."""
        if info.step_id in self._step_nodes:
            old = self.steps[info.step_id]
            info = replace(old, status=info.status, input=info.input or old.input,
                           title=info.title or old.title, kind=info.kind or old.kind)
            self.steps[info.step_id] = info
            node = self._step_nodes[info.step_id]
            node.set_label(step_label(info))
            node.data = info
            return
        self.steps[info.step_id] = info
        node = self._parent_node(info.parent_step_id).add(step_label(info), data=info, expand=True)
        self._step_nodes[info.step_id] = node
        self.step_tree.move_cursor(node)

    def step_finished(self, info: StepInfo) -> None:
        """A step ended: update its label; fold long output, expand errors."""
        old = self.steps.get(info.step_id)
        if old is not None:
            info = replace(info, title=info.title or old.title, input=info.input or old.input,
                           parent_step_id=info.parent_step_id or old.parent_step_id)
        else:
            self.step_started(info)
        self.steps[info.step_id] = info
        node = self._step_nodes[info.step_id]
        node.set_label(step_label(info))
        node.data = info
        body = info.output or info.summary
        failed = info.status == "failure"
        if body:
            for line in _fold(body, expanded=failed):
                node.add_leaf(Text(line, style="red" if failed else "dim"), data=info)
        if failed:
            node.expand()
        elif len(body.splitlines()) > COLLAPSE_LINES:
            node.collapse()

    def add_event(self, text: str, status: str = "info") -> None:
        """A one-line entry in the current run (cache hit, approval, outcome)."""
        icon, style = ICONS.get(status, ("•", ""))
        self._parent_node(None).add_leaf(Text.assemble((f"{icon} ", style), text))

    def on_tree_node_selected(self, event: Tree.NodeSelected[StepInfo | None]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.StepOpened(event.node.data))
