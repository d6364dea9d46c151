"""Choosing worked examples: the shipped library's vectors, and nearest examples by kind."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from engine.memory.embedder import Embedder, resolve_embedding_model
from engine.memory.examples import ExampleLibrary, shipped_vectors
from engine.resources import data_file


@pytest.fixture(scope="module")
def library() -> Iterator[ExampleLibrary]:
    embedder = Embedder(resolve_embedding_model(None))
    shipped = ExampleLibrary(embedder)
    try:
        yield shipped
    finally:
        shipped.close()
        embedder.close()


def test_the_shipped_vectors_belong_to_the_library_as_it_is(library: ExampleLibrary) -> None:
    path = data_file("examples", "library.jsonl")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    library.nearest_sync(library.embedder.embed_sync(["warm up"])[0], 1)
    vectors = shipped_vectors(path, sha, library.embedder.identity, len(library.examples))
    assert vectors is not None, "regenerate them: python -m engine.memory.examples"
    fresh = library.embedder.embed_sync([e.task for e in library.examples[:20]])
    assert float((fresh * vectors[:20]).sum(axis=1).min()) > 0.999


@pytest.mark.parametrize(("task", "kind"), [
    ("How many days are there from 2023-05-01 to 2023-08-15?", "dates_times"),
    ("Convert 250 kilometres to miles.", "conversion"),
    ("Count the vowels in the word 'encyclopedia'.", "text_counting"),
    ("Print the numbers 1 to 5 with seq and add them up with awk.", "bash"),
])
def test_the_nearest_examples_are_of_the_same_kind(library: ExampleLibrary, task: str, kind: str) -> None:
    nearest = library.nearest_sync(library.embedder.embed_sync([task])[0], 3)
    assert len(nearest) == 3 and nearest[0][1] >= nearest[-1][1]
    assert nearest[0][0].kind == kind, [(e.kind, e.task, round(s, 2)) for e, s in nearest]
