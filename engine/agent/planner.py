"""Plans: the multi-part heuristic, the grammar-bounded plan and verdict schemas, and fallbacks."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.events import PlanStep

RoleName = Literal["coder", "writer"]
MAX_PLAN_STEPS = 5

_LIST_ITEM_RE = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s+\S", re.MULTILINE)
_SPLIT_RE = re.compile(
    r"(?:\n+|;|(?<=[.!?])\s+(?=[A-Z])|,?\s+\b(?:and then|then|after that|afterwards|finally|next)\b\s*)",
    re.IGNORECASE,
)
_ACTION_VERBS = re.compile(
    r"^(?:and\s+|also\s+|please\s+)?(add|analy[sz]e|build|calculate|check|compare|compute|convert|count|"
    r"create|define|describe|download|draw|explain|extract|fetch|find|fix|format|generate|list|load|"
    r"make|multiply|parse|plot|print|read|rename|run|save|search|sort|square|sum|summari[sz]e|"
    r"test|translate|tell|write)\b",
    re.IGNORECASE,
)
_WRITER_WORDS = re.compile(
    r"\b(write|poem|haiku|story|explain|summar\w*|describe|essay|email|letter|tweet|joke|translate)\b",
    re.IGNORECASE,
)


class PlanItem(BaseModel):
    """One plan step as the model writes it (every string and array bounded for the grammar)."""

    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=3)
    title: str = Field(min_length=3, max_length=100)
    role: RoleName
    depends_on: list[Annotated[str, Field(min_length=1, max_length=3)]] = Field(max_length=3)


class PlanModel(BaseModel):
    """A whole plan."""

    model_config = ConfigDict(extra="ignore")
    steps: list[PlanItem] = Field(min_length=1, max_length=MAX_PLAN_STEPS)


class Verdict(BaseModel):
    """The validator's answer."""

    model_config = ConfigDict(extra="ignore")
    done: bool
    missing: str = Field(max_length=160)


def grammar_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema with $refs inlined (simpler for grammar converters) and titles dropped."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {k: (({n: inline(p) for n, p in v.items()}) if k == "properties" else inline(v))
                    for k, v in node.items() if k not in ("title", "description")}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    result: dict[str, Any] = inline(schema)
    return result


def task_parts(text: str) -> list[str]:
    """The parts of a task: list items, sentences and `then`-joined clauses of two words or more."""
    if len(_LIST_ITEM_RE.findall(text)) >= 2:
        items = [re.sub(r"^\s*(?:\d+[.)]|[-*•])\s+", "", line).strip()
                 for line in text.splitlines() if _LIST_ITEM_RE.match(line)]
        return [i for i in items if i]
    pieces = [p.strip(" ,.") for p in _SPLIT_RE.split(text) if p and p.strip(" ,.")]
    return [p for p in pieces if len(p.split()) >= 2]


def is_multi_part(text: str) -> bool:
    """Cheap, model-free guess whether a task has several parts worth planning.

    A list of two or more items, or two or more clauses that each start with an action verb
    ("compute ..., then write ..."); "What is X? Use python." stays a single task.
    """
    if len(text.split()) < 5:
        return False
    if len(_LIST_ITEM_RE.findall(text)) >= 2:
        return True
    return sum(1 for part in task_parts(text) if _ACTION_VERBS.match(part)) >= 2


def guess_role(title: str) -> RoleName:
    """coder unless the step is about writing text."""
    return "writer" if _WRITER_WORDS.search(title) else "coder"


def fallback_plan(text: str) -> tuple[PlanStep, ...]:
    """A sequential plan from the task's parts, for when the model's JSON is unusable."""
    parts = task_parts(text)[:MAX_PLAN_STEPS] or [text.strip()[:100]]
    return tuple(
        PlanStep(id=str(i + 1), title=part[:100], role=guess_role(part),
                 depends_on=(str(i),) if i else ())
        for i, part in enumerate(parts)
    )


def parse_plan(reply: str, task: str) -> tuple[tuple[PlanStep, ...], str | None]:
    """The plan in the reply, repaired (unique ids, known and acyclic deps); else the fallback.

    Returns the plan and, when the fallback was used, why.
    """
    try:
        model = PlanModel.model_validate_json(_json_part(reply))
    except ValidationError as exc:
        return fallback_plan(task), f"the plan was not valid JSON ({exc.error_count()} problem(s))"
    steps: list[PlanStep] = []
    seen: set[str] = set()
    for index, item in enumerate(model.steps):
        step_id = item.id.strip() or str(index + 1)
        if step_id in seen:
            step_id = str(index + 1)
        # Only earlier steps may be dependencies: this drops unknown ids and breaks cycles.
        deps = tuple(dict.fromkeys(d.strip() for d in item.depends_on if d.strip() in seen))
        seen.add(step_id)
        steps.append(PlanStep(id=step_id, title=item.title.strip(), role=item.role, depends_on=deps))
    return tuple(steps), None


def parse_verdict(reply: str) -> tuple[Verdict, str | None]:
    """The validator's verdict; an unreadable reply counts as done (never loop on bad JSON)."""
    try:
        return Verdict.model_validate_json(_json_part(reply)), None
    except ValidationError:
        return Verdict(done=True, missing=""), "the verdict was not valid JSON; accepting the results"


def dependents(plan: tuple[PlanStep, ...]) -> dict[str, set[str]]:
    """For each step id, the ids of steps that need its result."""
    needed: dict[str, set[str]] = {s.id: set() for s in plan}
    for step in plan:
        for dep in step.depends_on:
            needed.setdefault(dep, set()).add(step.id)
    return needed


def _json_part(reply: str) -> str:
    start, end = reply.find("{"), reply.rfind("}")
    return reply[start : end + 1] if 0 <= start < end else reply
