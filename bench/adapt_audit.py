"""Benchmark: adaptation precision on the library itself. Each example's task is answered by adapting
its nearest other examples (as the agent does); the adapted program's output must equal the
example's own recorded output. A hard test for the similar-question route: with the task's own
example left out, its nearest are often siblings that ask another thing of the same values ("cm to
inches" beside "inches to cm"). Needs Docker and the sandbox image."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import multiprocessing
import subprocess
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from engine.agent.adapt import adapted_programs
from engine.agent.adapt_similar import similar_programs
from engine.agent.rounding import rounded_output
from engine.examples_data import load_library
from engine.memory.embedder import Embedder, resolve_embedding_model
from engine.memory.examples import ExampleLibrary, shipped_vectors
from engine.memory.recall import TEMPLATE_CANDIDATES
from engine.run import WorkedExample
from engine.tasktext.rounding_request import asked_rounding

RUNNER = Path(__file__).with_name("adapt_audit_runner.py")


def run_all(image: str, jobs: list[dict[str, Any]], workers: int = 2,
            prefix: str = "glassbox-adapt-audit") -> list[dict[str, object]]:
    """Run the programs in `workers` sandbox containers (no network), each program in a fresh
    process, the jobs split between them in order: a machine's second core halves the wait."""
    size = -(-len(jobs) // workers) if jobs else 1
    shares = [jobs[start:start + size] for start in range(0, len(jobs), size)]
    with ThreadPoolExecutor(max_workers=len(shares) or 1) as pool:
        names = [f"{prefix}-{index}" for index in range(len(shares))]
        done = pool.map(lambda name, share: _run_in_one(image, name, share), names, shares)
        return [result for share in done for result in share]


def _run_in_one(image: str, name: str, jobs: list[dict[str, Any]]) -> list[dict[str, object]]:
    subprocess.run(["docker", "rm", "-f", name], capture_output=True)
    subprocess.run(["docker", "run", "-d", "--rm", "--name", name, "--network", "none", "--memory", "1g",
                    "-w", "/workspace", image, "sleep", "infinity"], check=True, capture_output=True)
    try:
        subprocess.run(["docker", "cp", str(RUNNER), f"{name}:/tmp/runner.py"], check=True)
        done = subprocess.run(["docker", "exec", "-i", name, "python3", "/tmp/runner.py"],
                              input=json.dumps(jobs), capture_output=True, text=True, check=True)
        results: list[dict[str, object]] = json.loads(done.stdout)
        return results
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)


def same_answer(got: str, want: str) -> bool:
    """The same printed answer; numbers compare by value (5.5 and 5.50 are one answer)."""
    if got.strip() == want.strip():
        return True
    try:
        return float(got) == float(want)
    except ValueError:
        return False


def audit(k: int, image: str, workers: int = 2) -> tuple[int, list[tuple[dict[str, str], dict[str, object]]]]:
    """The library's size, and each (job, result): an example's task answered by the first of its k
    nearest other examples that adapts to it, run in the sandbox. The library is split between
    `workers` processes for the adapting and between as many containers for the running."""
    size = len(load_library())
    share = -(-size // workers)
    bounds = [(start, min(start + share, size)) for start in range(0, size, share)]
    with ProcessPoolExecutor(len(bounds), mp_context=multiprocessing.get_context("spawn")) as pool:
        jobs = [job for part in pool.map(_adapted_jobs, [k] * len(bounds), bounds) for job in part]
    results = run_all(image, jobs, workers)
    for job, result in zip(jobs, results, strict=True):
        if job["round_to"] is not None and result["rc"] == 0:
            # as the agent answers: the printed number rounded to the places the task asks for
            result["stdout"] = rounded_output(str(result["stdout"]), int(job["round_to"])) or ""
    return size, list(zip(jobs, results, strict=True))


def _adapted_jobs(k: int, bounds: tuple[int, int]) -> list[dict[str, Any]]:
    """For the library's examples within `bounds`, the program the agent would run: the first of
    the k nearest other examples that adapts (a similar question's only when none asks the same)."""
    examples = load_library()
    jobs: list[dict[str, Any]] = []
    with contextlib.closing(Embedder(resolve_embedding_model(None))) as embedder:
        library = ExampleLibrary(embedder)
        sha = hashlib.sha256(library.path.read_bytes()).hexdigest()[:16]
        vectors = shipped_vectors(library.path, sha, embedder.identity, len(examples))
        start, end = bounds
        if vectors is None:
            vectors = embedder.embed_sync([e.task for e in examples[start:end]])
        else:
            vectors = vectors[start:end]
        for example, vector in zip(examples[start:end], vectors, strict=True):
            nearest = [(t, score) for t, score in library.nearest_sync(vector, k + 1) if t.id != example.id]
            templates = [WorkedExample(t.task, t.language, t.code, t.output, t.answer, f"library:{t.id}", s)
                         for t, s in nearest]
            apart = _nearest_apart(library, embedder, example, k)
            found = (adapted_programs(templates, example.task, apart)
                     or similar_programs(templates, example.task, apart))
            for template, language, code, route, round_to in found[:1]:
                jobs.append({"task": example.id, "template": template.source.removeprefix("library:"),
                             "language": language, "code": code, "want": example.output,
                             "route": route, "round_to": round_to})
    return jobs


def _nearest_apart(library: ExampleLibrary, embedder: Embedder, example: Any, k: int) -> list[WorkedExample]:
    """As the agent's recall stage: for a task asking for rounding, the examples nearest its question
    without the request (the example itself left out)."""
    asked = asked_rounding(example.task)
    if asked is None:
        return []
    vector = embedder.embed_sync([asked.question])[0]
    return [WorkedExample(t.task, t.language, t.code, t.output, t.answer, f"library:{t.id}", s)
            for t, s in library.nearest_sync(vector, k + 1) if t.id != example.id]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image", default="glassbox-sandbox:latest")
    parser.add_argument("--k", type=int, default=TEMPLATE_CANDIDATES)
    parser.add_argument("--show", type=int, default=20, help="disagreements to print")
    args = parser.parse_args()
    size, outcomes = audit(args.k, args.image)
    ran = [(job, result) for job, result in outcomes if result["rc"] == 0 and str(result["stdout"]).strip()]
    wrong = [(job, result) for job, result in ran if not same_answer(str(result["stdout"]), job["want"])]
    print(f"library examples: {size}; answered by adapting another example: {len(outcomes)}")
    for route in ("same words", "other words", "similar question"):
        mine = [(job, result) for job, result in ran if job["route"] == route]
        bad = sum(1 for job, result in mine if not same_answer(str(result["stdout"]), job["want"]))
        print(f"  by {route}: {sum(job['route'] == route for job, _ in outcomes)} adapted,"
              f" {len(mine)} printed, {len(mine) - bad} the same answer, {bad} another")
    rounded = [(job, result) for job, result in ran if job["round_to"] is not None]
    print(f"  of them with the task's rounding request read apart and applied to the output:"
          f" {len(rounded)}, {sum(same_answer(str(r['stdout']), j['want']) for j, r in rounded)} the same")
    print(f"  the same answer as the example's own: {len(ran) - len(wrong)}")
    print(f"  failed or printed nothing (the model would draft): {len(outcomes) - len(ran)}")
    print(f"  another answer: {len(wrong)}")
    groups = (("same question", ("same words", "other words")), ("similar question", ("similar question",)))
    for name, routes in groups:
        mine = [(job, result) for job, result in ran if job["route"] in routes]
        same = sum(same_answer(str(result["stdout"]), job["want"]) for job, result in mine)
        if mine:
            print(f"precision, {name} (same / printed): {same / len(mine):.3f}")
    for job, result in wrong[:args.show]:
        print(f"- {job['task']} <- {job['template']} ({job['route']})\n    want {job['want'].strip()[:80]!r}"
              f" got {str(result['stdout']).strip()[:80]!r}")


if __name__ == "__main__":
    main()
