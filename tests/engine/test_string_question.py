"""String questions are read whole into Python, or not at all; the Python prints the answer."""

from __future__ import annotations

import pytest

from engine.agent.given import read_given
from engine.agent.string_question import string_question
from tests.engine.readers import printed


@pytest.mark.parametrize(("task", "answer"), [
    ("Reverse the string 'stressed'.", "desserts"),
    ("Convert \"PyThOn Is FuN\" to lowercase.", "python is fun"),
    ("How many vowels are in the word 'encyclopedia'?", "5"),
    ("How many times does the letter \"s\" appear in \"Mississippi\"?", "4"),
    ("How many times does 'ana' occur in 'bananarama'? Count overlapping occurrences.", "2"),
    ("Is 'racecar' a palindrome? Answer True or False.", "True"),
    ("Is 'level' a palindrome?", "Yes (True)"),
    ("If you ignore case, spaces and punctuation, is \"Never odd or even\" a palindrome? yes or no", "yes"),
    ("Are 'apple' and 'paper' anagrams? True or False.", "False"),
    ("In the sentence 'the cat and the hat', replace every 'the' with 'a'.", "a cat and a hat"),
    ("What is the ROT13 of \"Hello, World!\"?", "Uryyb, Jbeyq!"),
    ("Apply a Caesar cipher with a shift of 3 to 'attack at dawn'.", "dwwdfn dw gdzq"),
    ("What is the longest word in 'The quick brown fox jumped over the lazy dog'?", "jumped"),
    ("Convert the camelCase identifier 'myVariableName' to snake_case.", "my_variable_name"),
    ("convert user_first_name to camelCase", "userFirstName"),
    ("At what index does 'world' first appear in 'hello world, wonderful world'?", "6"),
    ("What is the ASCII code of the letter 'z'?", "122"),
    ("Which character has ASCII code 72?", "H"),
    ("What is the longest common prefix of 'flower', 'flow' and 'flight'?", "fl"),
    ("What's the longest common prefix of these words: interstellar, internet, interval?", "inter"),
    ("What is the Levenshtein distance between 'kitten' and 'sitting'?", "3"),
    ("What are the first 10 hex characters of the SHA-256 hash of the string 'abc'?", "ba7816bf8f"),
    ("how many digits are in abc123def45g6", "6"),
    ("Center 'hi' in a width of 8 using '-' as the padding character.", "---hi---"),
])
def test_a_string_question_read_whole_prints_its_answer(task: str, answer: str) -> None:
    program = string_question(task)
    assert program is not None
    assert printed(program) == answer


@pytest.mark.parametrize("task", [
    "Reverse 'Data Science', then convert the result to uppercase.",  # two steps
    "How many words in 'an apple a day' do not start with a vowel?",
    "Is 'Was it a car or a cat I saw' a palindrome?",  # case and spaces decide it; the task is silent
    "How many times does 'aa' occur in 'aaaa'?",  # overlapping or not changes it
    "Which letter appears most often in 'aabb'?",  # a tie
    "How many times does the word 'the' appear in 'The cat and the hat'?",  # case changes it
    "Sort the words of 'banana Apple cherry' alphabetically ignoring case.",
    "What is the weather in 'Paris'?",
])
def test_anything_else_is_not_read(task: str) -> None:
    assert string_question(task) is None


def test_a_string_question_is_given_code_titled_for_the_activity_pane() -> None:
    given = read_given("Reverse the string 'glassbox'.")
    assert given is not None and given.title == "Work on the string in Python"
