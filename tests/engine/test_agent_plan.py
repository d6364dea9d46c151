"""Plan mode: heuristic choice, grammar-bounded plans, roles, dependencies, validation, re-planning."""

from __future__ import annotations

import json
from pathlib import Path

from engine.agent.planner import PlanModel, Verdict, grammar_schema, is_multi_part, parse_plan
from engine.agent.prompts import load_prompt
from engine.events import MessageDone, Notice, PlanCreated, RunFinished, StepFinished, StepStarted
from engine.service import SubmitOptions
from tests.fakes import Engines, FakeResult, FakeSandbox, python_block

TASK = "Compute 17*23, then write a haiku about the result."
PLAN = json.dumps({"steps": [
    {"id": "1", "title": "Compute 17*23", "role": "coder", "depends_on": []},
    {"id": "2", "title": "Write a haiku about the result", "role": "writer", "depends_on": ["1"]},
]})
DONE = '{"done": true, "missing": ""}'
HAIKU = "Three nine one, / numbers fold like paper cranes, / quiet product glows."


def _bounded(node: object) -> None:
    """Every array and string in a grammar schema has an upper bound."""
    if isinstance(node, dict):
        if node.get("type") == "array":
            assert "maxItems" in node, node
        if node.get("type") == "string" and "enum" not in node:
            assert "maxLength" in node, node
        for value in node.values():
            _bounded(value)
    elif isinstance(node, list):
        for value in node:
            _bounded(value)


def test_heuristic_and_schemas() -> None:
    assert is_multi_part(TASK)
    assert is_multi_part("1. add 2 and 3\n2. square the sum\n3. explain it")
    assert not is_multi_part("What is 17 * 23?")
    assert not is_multi_part("Print the numbers from 1 to 10 in python")
    for model in (PlanModel, Verdict):
        schema = grammar_schema(model)
        assert "$defs" not in json.dumps(schema)
        _bounded(schema)
    assert grammar_schema(PlanModel)["properties"]["steps"]["minItems"] == 1


def test_parse_plan_repairs_and_falls_back() -> None:
    cyclic = json.dumps({"steps": [
        {"id": "1", "title": "first thing", "role": "coder", "depends_on": ["2", "9"]},
        {"id": "2", "title": "second thing", "role": "writer", "depends_on": ["1", "1"]},
    ]})
    plan, why = parse_plan(cyclic, TASK)
    assert why is None
    assert [(s.id, s.depends_on) for s in plan] == [("1", ()), ("2", ("1",))]
    plan, why = parse_plan('{"steps": [{"id": "1", "title": "cut off', TASK)
    assert why is not None and "not valid JSON" in why
    assert [(s.role, s.depends_on) for s in plan] == [("coder", ()), ("writer", ("1",))]


async def test_plan_with_dependencies_runs_roles_in_order(gb_home: Path, engines: Engines) -> None:
    sandbox = FakeSandbox(results=[FakeResult(stdout="391\n")])
    replies = [PLAN, python_block("print(17*23)"), "391", HAIKU, DONE]
    engine, model, _ = await engines.agent(replies, sandbox)
    session = await engine.new_session()
    events = await engine.submit(session.id, TASK, SubmitOptions(mode="agent", plan="auto")).wait()
    end = events[-1]
    assert isinstance(end, RunFinished) and end.status == "completed"
    plans = [e for e in events if isinstance(e, PlanCreated)]
    assert len(plans) == 1 and [(s.id, s.role, s.depends_on) for s in plans[0].steps] == [
        ("1", "coder", ()), ("2", "writer", ("1",))]
    # The planner and validator calls are grammar-constrained.
    assert model.params[0].json_schema == grammar_schema(PlanModel)
    assert model.params[-1].json_schema == grammar_schema(Verdict)
    assert all(p.json_schema is None for p in model.params[1:-1])
    # The writer works from the coder's result, with its own system prompt.
    writer_prompt = model.prompts[3]
    assert writer_prompt[0].content == load_prompt("writer")
    assert "391" in writer_prompt[-1].content and "Your step: Write a haiku" in writer_prompt[-1].content
    assert "```python" in model.prompts[1][0].content  # the coder has the agent's system prompt
    # Steps nest: plan -> plan items -> think/code.
    started = {e.step_id: e for e in events if isinstance(e, StepStarted)}
    plan_step = next(e for e in started.values() if e.kind == "plan" and e.parent_step_id is None)
    items = [e for e in started.values() if e.kind == "plan" and e.parent_step_id == plan_step.step_id]
    assert [i.title for i in items] == ["1. Compute 17*23", "2. Write a haiku about the result"]
    code = next(e for e in started.values() if e.kind == "code")
    assert code.parent_step_id == items[0].step_id
    validate = next(e for e in events if isinstance(e, StepFinished) and e.kind == "validate")
    assert validate.status == "success" and validate.strategy == "accept"
    message = next(e for e in events if isinstance(e, MessageDone))
    assert "391" in message.text and HAIKU in message.text
    stored = await engine.store.steps(events[0].run_id)
    assert {s.id: s.parent_id for s in stored} == {
        e.step_id: e.parent_step_id for e in events if isinstance(e, StepStarted)}


async def test_validator_asks_for_a_new_plan(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    sandbox = FakeSandbox(results=[FakeResult(stdout="391\n")])
    only_compute = json.dumps({"steps": [{"id": "1", "title": "Compute 17*23", "role": "coder",
                                          "depends_on": []}]})
    only_haiku = json.dumps({"steps": [{"id": "1", "title": "Write a haiku about 391", "role": "writer",
                                        "depends_on": []}]})
    replies = [only_compute, python_block("print(17*23)"), "391",
               '{"done": false, "missing": "the haiku"}', only_haiku, HAIKU, DONE]
    engine, model, _ = await engines.agent(replies, sandbox)
    session = await engine.new_session()
    events = await engine.submit(session.id, TASK, SubmitOptions(mode="agent", plan="always")).wait()
    end = events[-1]
    assert isinstance(end, RunFinished) and end.status == "completed"
    assert [p.revision for p in events if isinstance(p, PlanCreated)] == [0, 1]
    verdicts = [e for e in events if isinstance(e, StepFinished) and e.kind == "validate"]
    assert [(v.status, v.strategy) for v in verdicts] == [("retry", "replan"), ("success", "accept")]
    assert verdicts[0].reason == "the haiku"
    replan_prompt = model.prompts[4][-1].content
    assert "the haiku" in replan_prompt and "391" in replan_prompt
    assert next(e for e in events if isinstance(e, MessageDone)).text == HAIKU


async def test_bad_plan_json_uses_the_fallback_plan(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    sandbox = FakeSandbox(results=[FakeResult(stdout="391\n")])
    replies = ['{"steps": [{"id": "1", "title"', python_block("print(17*23)"), "391", HAIKU, "not json"]
    engine, _, _ = await engines.agent(replies, sandbox)
    session = await engine.new_session()
    events = await engine.submit(session.id, TASK, SubmitOptions(mode="agent", plan="auto")).wait()
    end = events[-1]
    assert isinstance(end, RunFinished) and end.status == "completed"
    assert any(isinstance(e, Notice) and "simple step-by-step plan" in e.text for e in events)
    plan = next(e for e in events if isinstance(e, PlanCreated))
    assert [(s.role, s.depends_on) for s in plan.steps] == [("coder", ()), ("writer", ("1",))]
    validate = next(e for e in events if isinstance(e, StepFinished) and e.kind == "validate")
    assert validate.strategy == "accept" and "not valid JSON" in (validate.reason or "")


async def test_plan_never_and_budget_inside_a_plan(gb_home: Path, tmp_path: Path, engines: Engines) -> None:
    engine, model, _ = await engines.agent(["Just an answer."])
    session = await engine.new_session()
    events = await engine.submit(session.id, TASK, SubmitOptions(mode="agent", plan="never")).wait()
    assert not any(isinstance(e, PlanCreated) for e in events)
    engine.settings.agent.plan_mode = "never"
    replies = [PLAN, *(python_block(f"print({i})") for i in range(3))]
    engine._model = type(model)(replies)  # type: ignore[call-arg]
    engine._sandbox = FakeSandbox(handler=lambda code: FakeResult(stdout=code[6:-1] + "\n"))
    engine.settings.agent.max_steps = 2
    events = await engine.submit(session.id, TASK, SubmitOptions(mode="agent", plan="always")).wait()
    end = events[-1]
    assert isinstance(end, RunFinished) and end.status == "budget" and "max_steps" in end.reason
