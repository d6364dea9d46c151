"""Every shipped worked example runs in the real sandbox and prints exactly its recorded output."""

from __future__ import annotations

from typing import Any

import pytest

from engine.examples_data import WorkedExample, answer_shows_output, load_library
from tests.sandbox.helpers import run

pytestmark = [pytest.mark.docker, pytest.mark.asyncio(loop_scope="module")]

LIBRARY = load_library()
SESSION = "examples-library"
# Runs before each Python example so none can lean on names an earlier one defined; the
# imported modules stay cached, which is what keeps one warm container fast.
CLEAR_NAMESPACE = ("for _name in [n for n in globals() if not n.startswith('__')]:\n"
                   "    del globals()[_name]\n"
                   "if '_name' in globals():\n"
                   "    del _name")


@pytest.mark.parametrize("example", LIBRARY, ids=[e.id for e in LIBRARY])
async def test_example_prints_its_recorded_output(analysis_runner: Any,
                                                  example: WorkedExample) -> None:
    if example.language == "python":
        cleared = await run(analysis_runner, CLEAR_NAMESPACE, SESSION)
        assert (cleared.finished.exit_code, cleared.stdout) == (0, ""), cleared.stderr
    result = await run(analysis_runner, example.code, SESSION, language=example.language)
    assert result.finished.exit_code == 0, result.stderr
    assert result.stdout.rstrip() == example.output.rstrip(), result.stderr
    assert answer_shows_output(result.stdout, example.answer)
    # A deprecation or runtime warning means the example teaches code that is about to break.
    assert "Warning" not in result.stderr, result.stderr

