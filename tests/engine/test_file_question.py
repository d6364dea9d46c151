"""A file to write under /workspace and one question about it are read whole, or not at all."""

from __future__ import annotations

import pytest

from engine.agent.file_question import file_question
from engine.agent.given import read_given


@pytest.mark.parametrize(("task", "written", "last_line"), [
    ("Write the integers 1 to 5, one per line, to /workspace/nums.txt. Then read the file back and tell me "
     "the sum of the numbers that are divisible by 2.", "1\n2\n3\n4\n5\n",
     "print(sum(n for n in numbers if (n % 2 == 0)))"),
    ("Create /workspace/hello.txt containing the line 'Hello, Glassbox!' followed by a single newline. How "
     "many bytes is the file?", "Hello, Glassbox!\n", "print(os.path.getsize('/workspace/hello.txt'))"),
    ("Write the squares of 1 through 4 into /workspace/sq.txt, one per line. How many of them have exactly "
     "2 digits?", "1\n4\n9\n16\n", "print(sum(1 for n in numbers if (len(str(abs(n))) == 2)))"),
    ("Write ['ERROR disk', 'INFO boot', 'ERROR fan'] to /workspace/sys.log, one per line, and count the "
     "lines containing 'ERROR'.", "ERROR disk\nINFO boot\nERROR fan\n",
     "print(sum('ERROR' in line for line in lines))"),
    ("put the numbers 3 down to 1 (descending), one per line, in /workspace/countdown.txt. what is the last "
     "line of the file?", "3\n2\n1\n", "print(lines[-1])"),
])
def test_a_file_task_read_whole_becomes_python(task: str, written: str, last_line: str) -> None:
    program = file_question(task)
    assert program is not None
    assert f"    handle.write({written!r})" in program.splitlines()
    assert program.splitlines()[-1] == last_line


@pytest.mark.parametrize("task", [
    "Write 'a b c' to /workspace/x.txt and then append 'd'. How many words are in the file?",
    "Write the integers 1 to 9, one per line, to /workspace/x.txt. How many are even or prime?",
    "Write the integers 1 to 9 to /workspace/x.txt and /workspace/y.txt. How many lines are there?",
    "Write 'abc' to /workspace/x.txt. How many lines and how many bytes does it have?",
    "Write 'abc' to /workspace/x.txt, copy it to /workspace/y.txt and count the files.",
    "Write 'abc' to /workspace/x.txt with no trailing newline followed by a newline. How many bytes?",
])
def test_anything_else_is_not_read(task: str) -> None:
    assert file_question(task) is None


def test_a_file_task_is_given_code_titled_for_the_activity_pane() -> None:
    given = read_given("Write 'keep calm' to /workspace/m.txt and tell me how many words the file has.")
    assert given is not None and given.title == "Write the file and answer from it"
