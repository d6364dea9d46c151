"""Benchmark: adaptation precision on the library itself. Each example's task is answered by adapting
its nearest other examples (as the agent does); the adapted program's output must equal the
example's own recorded output. Needs Docker and the sandbox image."""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
from pathlib import Path

from engine.agent.adapt import Language, adapt_program
from engine.examples_data import load_library
from engine.memory.embedder import Embedder, resolve_embedding_model
from engine.memory.examples import ExampleLibrary
from engine.memory.recall import TEMPLATE_CANDIDATES

RUNNER = Path(__file__).with_name("adapt_audit_runner.py")


def run_all(image: str, jobs: list[dict[str, str]]) -> list[dict[str, object]]:
    """Run the programs one by one in one sandbox container (no network), each in a fresh process."""
    name = "glassbox-adapt-audit"
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image", default="glassbox-sandbox:latest")
    parser.add_argument("--k", type=int, default=TEMPLATE_CANDIDATES)
    parser.add_argument("--show", type=int, default=20, help="disagreements to print")
    args = parser.parse_args()
    examples = load_library()
    by_id = {e.id: e for e in examples}
    jobs: list[dict[str, str]] = []
    with contextlib.closing(Embedder(resolve_embedding_model(None))) as embedder:
        library = ExampleLibrary(embedder)
        vectors = embedder.embed_sync([e.task for e in examples])
        for example, vector in zip(examples, vectors, strict=True):
            for template, _ in library.nearest_sync(vector, args.k + 1):
                if template.id == example.id:
                    continue
                language: Language = "bash" if template.language == "bash" else "python"
                code = adapt_program(template.task, template.code, example.task, language)
                if code is not None:
                    jobs.append({"task": example.id, "template": template.id, "language": language,
                                 "code": code})
                    break  # the agent runs the first that adapts
    results = run_all(args.image, jobs)
    agreed = failed = 0
    wrong: list[tuple[dict[str, str], dict[str, object]]] = []
    for job, result in zip(jobs, results, strict=True):
        if result["rc"] != 0 or not str(result["stdout"]).strip():
            failed += 1
        elif str(result["stdout"]).strip() == by_id[job["task"]].output.strip():
            agreed += 1
        else:
            wrong.append((job, result))
    print(f"library examples: {len(examples)}; answered by adapting another example: {len(jobs)}")
    print(f"  same output as the example's own: {agreed}")
    print(f"  failed or printed nothing (the model would draft): {failed}")
    print(f"  other output: {len(wrong)}")
    ran = agreed + len(wrong)
    print(f"precision (same / printed): {agreed / ran:.3f}" if ran else "precision: n/a")
    for job, result in wrong[:args.show]:
        task = by_id[job["task"]]
        print(f"- {task.id} <- {job['template']}: {task.task!r}\n    want {task.output.strip()[:80]!r}"
              f" got {str(result['stdout']).strip()[:80]!r}")


if __name__ == "__main__":
    main()
