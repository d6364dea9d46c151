"""Launch to first frame in CPU time, which a loaded machine stretches far less than wall time.

`python bench/launch_cpu.py OUT MARKER glassbox|empty` runs the app and writes to OUT the process's
CPU seconds (all threads, from exec) when the first output holding MARKER goes to the terminal;
`cpu_ratio()` runs both in a pseudo-terminal, alternated, and returns their medians."""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pty_launch import EMPTY_APP, time_to_text


def _cpu_now() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _watch_output(marker: str, out: Path) -> None:
    """Note the CPU time once the writer thread hands the marker to the terminal."""
    from textual.drivers import _writer_thread

    run = _writer_thread.WriterThread.run

    def watched(self: _writer_thread.WriterThread) -> None:
        file: IO[str] = self._file
        write: Callable[[str], int] = file.write

        class Watched:
            def write(self, text: str) -> int:
                written = write(text)
                if marker in text and not out.exists():
                    file.flush()
                    out.write_text(f"{_cpu_now():.6f}")
                return written

            def flush(self) -> None:
                file.flush()

            def fileno(self) -> int:
                return file.fileno()

        self._file = Watched()  # type: ignore[assignment]
        run(self)

    _writer_thread.WriterThread.run = watched  # type: ignore[method-assign]


def main() -> int:
    out, marker, which = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    _watch_output(marker, out)
    sys.argv[1:] = []
    if which == "empty":
        exec(EMPTY_APP, {"__name__": "__main__"})
        return 0
    from tui.cli import main as glassbox

    return glassbox()


def cpu_ratio(home: Path, marker: str, rounds: int = 7) -> tuple[float, float]:
    """Median CPU seconds to the first frame of `glassbox` on `home` and of an empty app."""
    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLASSBOX_")}
    env.update(TERM="xterm-256color", GLASSBOX_HOME=str(home), PYTHONPATH=str(root))
    out = home.parent / "launch-cpu.txt"
    ours, theirs = [], []
    for _ in range(rounds):
        for which, mark, into in (("glassbox", marker, ours), ("empty", "empty-app-ready", theirs)):
            out.unlink(missing_ok=True)
            argv = [sys.executable, __file__, str(out), mark, which]
            if time_to_text(argv, mark.encode(), env) is None:
                raise RuntimeError(f"{which} never showed its first frame")
            deadline = time.monotonic() + 2
            while not out.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            into.append(float(out.read_text()))
    return statistics.median(ours), statistics.median(theirs)


if __name__ == "__main__":
    sys.exit(main())
