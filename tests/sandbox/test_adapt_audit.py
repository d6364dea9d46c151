"""Adaptation on the library itself: a library task answered by adapting its nearest other example
gets that example task's own recorded answer (bench/adapt_audit.py, in the real sandbox)."""

from __future__ import annotations

import pytest

from bench.adapt_audit import audit, same_answer
from engine.config import load_settings
from engine.memory.recall import TEMPLATE_CANDIDATES
from tests.conftest import require
from tests.fakes import docker_ready

pytestmark = [pytest.mark.docker]


def test_every_adapted_library_program_gives_the_tasks_own_answer() -> None:
    image = load_settings().sandbox.image
    require(docker_ready(image), f"Docker with the {image} image (run `glassbox sandbox build`)")
    _, outcomes = audit(TEMPLATE_CANDIDATES, image)
    printed = [(job, result) for job, result in outcomes
               if result["rc"] == 0 and str(result["stdout"]).strip()]
    wrong = [(job["task"], job["template"], job["want"].strip(), str(result["stdout"]).strip())
             for job, result in printed if not same_answer(str(result["stdout"]), job["want"])]
    assert len(printed) >= 40, f"only {len(printed)} library tasks were answered by adaptation"
    assert wrong == []
