"""Warm-session `print(1)` latency against `docker run --rm` and `docker exec` on one image.

The warm session is measured through the local socket and, when socat is installed, through
tcp://127.0.0.1 (socat in front of the socket), the path of an engine on another machine.
Goal: warm p50 at most 0.05 of `docker run --rm`.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.config import SandboxSettings
from engine.events import ExecFinished, ExecOutput
from engine.sandbox.docker_runner import DockerSandbox
from tests.sandbox.endpoints import Socat

PY = ["python3", "-c", "print(1)"]


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of the samples, by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    elapsed = time.perf_counter() - started
    assert out == "1\n", out
    return elapsed


async def warm_samples(image: str, n: int, docker_host: str = "") -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = SandboxSettings(image=image, pool_size=1, docker_host=docker_host)
        runner = DockerSandbox(settings, Path(tmp))
        await runner.start()
        await runner.wait_ready()
        samples: list[float] = []
        try:
            for i in range(n + 5):
                started = time.perf_counter()
                text = ""
                async for event in runner.execute("bench", "print(1)", run_id="bench"):
                    if isinstance(event, ExecOutput):
                        text += event.text
                    elif isinstance(event, ExecFinished):
                        assert event.exit_code == 0
                elapsed = time.perf_counter() - started
                assert text == "1\n", text
                if i >= 5:  # the first runs warm the session up
                    samples.append(elapsed)
        finally:
            await runner.close()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--image", default=SandboxSettings().image)
    parser.add_argument("-n", type=int, default=30, help="samples per method")
    args = parser.parse_args()
    warm = asyncio.run(warm_samples(args.image, args.n))
    rows = [("warm session print(1), socket", warm)]
    if shutil.which("socat"):
        with Socat.tcp() as endpoint:
            rows.append(("warm session print(1), tcp", asyncio.run(
                warm_samples(args.image, args.n, endpoint))))
    run_cmd = ["docker", "run", "--rm", "--network", "none", args.image, *PY]
    runs = [timed(run_cmd) for _ in range(args.n)]
    name = f"glassbox-bench-{int(time.time())}"
    subprocess.run(["docker", "run", "-d", "--rm", "--name", name, "--network", "none",
                    "--entrypoint", "sleep", args.image, "600"], check=True,
                   capture_output=True)
    try:
        execs = [timed(["docker", "exec", name, *PY]) for _ in range(args.n)]
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)
    print(f"image {args.image}, {args.n} samples each")
    print(f"{'method':<34}{'p50 ms':>10}{'p95 ms':>10}")
    for label, values in (*rows, ("docker run --rm", runs),
                          ("docker exec (running container)", execs)):
        print(f"{label:<34}{pct(values, 0.5) * 1e3:>10.1f}{pct(values, 0.95) * 1e3:>10.1f}")
    for name, values in rows:
        for q, label in ((0.5, "p50"), (0.95, "p95")):
            w = pct(values, q)
            goal = " (goal <= 0.05)" if q == 0.5 else ""
            print(f"{name.rsplit(' ', 1)[-1]:>6} {label}: warm / docker run = {w / pct(runs, q):.3f}{goal}, "
                  f"warm / docker exec = {w / pct(execs, q):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
