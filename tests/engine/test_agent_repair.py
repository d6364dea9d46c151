"""The agent adds a missing import itself: unit cases, the loop with a fake sandbox, and real Docker."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.agent.parse import Action
from engine.agent.recovery import Failure
from engine.agent.repair import missing_import_fix
from engine.config import load_settings
from engine.events import MessageDone, StepFinished
from engine.llm.scripted import ScriptedModel
from engine.run import SubmitOptions
from engine.service import Engine
from tests.conftest import require
from tests.fakes import Engines, FakeResult, FakeSandbox, docker_ready, python_block

AGENT = SubmitOptions(mode="agent", plan="never")


def name_error(name: str) -> Failure:
    return Failure("error", f"Traceback (most recent call last):\n  File \"<cell 1>\", line 1\n"
                            f"NameError: name '{name}' is not defined")


def code(text: str, language: str = "python") -> Action:
    return Action("code", language, text)


@pytest.mark.parametrize(("name", "source", "line"), [
    ("np", "print(np.sqrt(16))", "import numpy as np"),
    ("Counter", "print(Counter('aab'))", "from collections import Counter"),
    ("datetime", "print(datetime.date(2024, 1, 1))", "import datetime"),
    ("datetime", "print(datetime(2024, 1, 1).year)", "from datetime import datetime"),
])
def test_known_names_get_their_import(name: str, source: str, line: str) -> None:
    fixed = missing_import_fix(code(source), name_error(name))
    assert fixed is not None
    action, why = fixed
    assert why == f"added the missing import ({line}) and ran it again"
    assert action.code == f"{line}\n{source}"


def test_other_errors_and_names_are_left_to_the_model() -> None:
    assert missing_import_fix(code("print(reverse_words('a b'))"), name_error("reverse_words")) is None
    division = Failure("error", "ZeroDivisionError: division by zero")
    assert missing_import_fix(code("print(1/0)"), division) is None
    assert missing_import_fix(code("echo $np", "bash"), name_error("np")) is None
    # The import is already there (the name is undefined for another reason): no loop of the same fix.
    assert missing_import_fix(code("import numpy as np\ndel np\nprint(np)"), name_error("np")) is None


async def test_loop_fixes_the_import_without_a_model_call(gb_home: Path, engines: Engines) -> None:
    sandbox = FakeSandbox(results=[
        FakeResult(stderr="Traceback (most recent call last):\nNameError: name 'np' is not defined\n",
                   exit_code=1),
        FakeResult(stdout="4.0\n"),
    ])
    engine, model, _ = await engines.agent([python_block("print(np.sqrt(16))"), "4.0"], sandbox)
    session = await engine.new_session()
    events = await engine.submit(session.id, "What is the square root of 16?", AGENT).wait()
    assert [c for _, c in sandbox.calls] == ["print(np.sqrt(16))", "import numpy as np\nprint(np.sqrt(16))"]
    repaired = [e for e in events if isinstance(e, StepFinished) and e.strategy == "retry_with_fix"]
    assert len(repaired) == 1 and "import numpy as np" in (repaired[0].reason or "")
    assert len(model.prompts) == 2  # the draft and the answer: the fix cost no model call
    assert [e.text for e in events if isinstance(e, MessageDone)] == ["4.0"]


@pytest.mark.docker
async def test_missing_import_fixed_in_the_real_sandbox(gb_home: Path) -> None:
    settings = load_settings()
    require(docker_ready(settings.sandbox.image),
            f"Docker with the {settings.sandbox.image} image (run `glassbox sandbox build`)")
    replies = [python_block("print(int(np.prod([3, 5, 7])))"), "The product is 105."]
    engine = await Engine.open(settings, model=ScriptedModel(replies), memory=False)
    try:
        session = await engine.new_session()
        events = await engine.submit(session.id, "Multiply 3, 5 and 7 with numpy.", AGENT).wait()
    finally:
        await engine.close()
    assert [e.text for e in events if isinstance(e, MessageDone)] == ["The product is 105."]
    statuses = [(e.kind, e.status) for e in events
                if isinstance(e, StepFinished) and e.kind in ("code", "retry")]
    assert statuses == [("code", "retry"), ("retry", "success")]


async def test_a_voting_candidate_gets_its_import_too(gb_home: Path, engines: Engines) -> None:
    def run(source: str) -> FakeResult:
        if "np." in source and "import numpy" not in source:
            return FakeResult(stderr="NameError: name 'np' is not defined\n", exit_code=1)
        return FakeResult(stdout="6\n")

    settings = load_settings()
    settings = settings.model_copy(update={"agent": settings.agent.model_copy(update={"candidates": 3})})
    sandbox = FakeSandbox(handler=run)
    model = ScriptedModel([python_block("print(np.sum([1, 2, 3]))"), python_block("print(sum([1, 2, 3]))")])
    engine = await engines.open(settings, model=model, sandbox=sandbox, memory=False)
    session = await engine.new_session()
    events = await engine.submit(session.id, "Add 1, 2 and 3.", AGENT).wait()
    assert [c for _, c in sandbox.calls] == [
        "print(np.sum([1, 2, 3]))", "import numpy as np\nprint(np.sum([1, 2, 3]))", "print(sum([1, 2, 3]))"]
    [answer] = [e.text for e in events if isinstance(e, MessageDone)]
    assert answer.startswith("6\n") and "2 of 2 candidate programs agree" in answer
