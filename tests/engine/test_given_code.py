"""A task that brings its own code, in a block or inline, is recognised with its language."""

from __future__ import annotations

import pytest

from engine.agent.given import given_action


@pytest.mark.parametrize(("task", "language", "code"), [
    ("Run this:\n```python\nprint(1)\n```", "python", "print(1)"),
    ("Using bash, what is the output of: echo $((21 * 3 - 5))?", "bash", "echo $((21 * 3 - 5))"),
    ("What does `printf 'ab' | wc -c` print in the shell?", "bash", "printf 'ab' | wc -c"),
    # A lone Python expression is printed, as the REPL would show it.
    ("In Python, what is the result of: sorted([3, 1, 2])", "python", "print(sorted([3, 1, 2]))"),
    ("In Python, what is the output of: print(2 ** 10)", "python", "print(2 ** 10)"),
    # After a colon other than "output of:", and unquoted inside the question.
    ("In the shell, what does this show: seq 4 | paste -sd+", "bash", "seq 4 | paste -sd+"),
    ("On the command line, what will cut -d, -f2 <<< 'x,y,z' output?", "bash", "cut -d, -f2 <<< 'x,y,z'"),
    ("Please run expr 6 \\* 7 in a terminal; what does it print?", "bash", "expr 6 \\* 7"),
    ("In bash, what does n=12; echo $((n / 5)) give?", "bash", "n=12; echo $((n / 5))"),
    ("With Python, what does divmod(47, 6) return?", "python", "print(divmod(47, 6))"),
    # A variable set first, then a command on it: one script.
    ("in bash if I set var='local-agent' and then echo ${#var}, what number do I get?", "bash",
     "var='local-agent'; echo ${#var}"),
    ("In bash, set x=5 and echo $((x * 3)). What does it print?", "bash", "x=5; echo $((x * 3))"),
    # Asked how many lines or words it prints: the count, by wc.
    ("How many lines does `ls /etc | head -3` print in bash?", "bash", "ls /etc | head -3 | wc -l"),
    ("In the shell, how many words does echo one two three print?", "bash", "echo one two three | wc -w"),
])
def test_the_code_a_task_brings_is_run_in_its_language(task: str, language: str, code: str) -> None:
    action = given_action(task)
    assert action is not None
    assert (action.language, action.code) == (language, code)


@pytest.mark.parametrize("task", [
    "What is the output of: 3 + 4?",  # no language named
    "Explain the result of: my essay in Python terms",  # not Python
    "What is the output of a function in bash?",  # no code
    "What is 15% of 80?",  # a percentage, not arithmetic written out (written_arithmetic)
    # Unquoted words are not a command: nothing marks them as code, and they start with no command.
    "In bash, what does the ls command print?",
    "What does a shell script print when it fails?",
    "In Python, what does x print?",
    "Run the backup in bash, then tell me how long it took.",
    "Set x=5 and echo it.",  # no shell named, and "echo it" is words
    # A tool-call block (as a model writes one) is not code the task brings, whatever else it asks.
    '```tool\n{"tool": "calc", "arguments": {"expression": "2+2"}}\n```\nWhat does `x` print?',
])
def test_a_task_without_its_own_code_brings_none(task: str) -> None:
    assert given_action(task) is None


def test_a_long_paste_is_data_but_a_code_block_in_it_still_runs() -> None:
    from engine.agent.given import INLINE_LIMIT

    question = "In bash, what does seq 3 print?"
    assert given_action(question) is not None
    pasted = "lorem ipsum " * (INLINE_LIMIT // 12 + 1) + "\n" + question
    assert given_action(pasted) is None
    block = given_action(pasted + "\n```python\nprint(1)\n```")
    assert block is not None and block.code == "print(1)"
