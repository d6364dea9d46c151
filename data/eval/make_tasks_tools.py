"""Eval tasks that use files in /workspace, pandas tables, matplotlib charts and bash.

Each answer is computed by doing the task for real: /workspace is a temporary folder here.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

Spec = tuple[str, str, Callable[[], object]]


def in_workspace(body: Callable[[Path], object]) -> Callable[[], object]:
    """Runs `body` with a fresh folder standing in for /workspace."""

    def run() -> object:
        with tempfile.TemporaryDirectory() as tmp:
            return body(Path(tmp))

    return run


def bash(command: str) -> Callable[[], object]:
    """The stdout of a bash command run with /workspace mapped to a temporary folder."""

    def body(ws: Path) -> object:
        script = command.replace("/workspace", str(ws))
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
        return done.stdout.strip()

    return in_workspace(body)


def file_tasks() -> list[Spec]:
    def fruits(ws: Path) -> object:
        (ws / "fruits.txt").write_text("apple\nbanana\ncherry\n")
        return len((ws / "fruits.txt").read_text())

    def nums(ws: Path) -> object:
        (ws / "nums.txt").write_text("".join(f"{i}\n" for i in range(1, 101)))
        return sum(int(x) for x in (ws / "nums.txt").read_text().split() if int(x) % 7 == 0)

    def sales(ws: Path) -> object:
        import csv

        (ws / "sales.csv").write_text("item,qty,price\ntea,3,4.5\ncake,2,6.25\nmilk,5,1.2\n")
        with (ws / "sales.csv").open() as handle:
            return round(sum(int(r["qty"]) * float(r["price"]) for r in csv.DictReader(handle)), 9)

    def log(ws: Path) -> object:
        (ws / "app.log").write_text(
            "error: disk full\ninfo: started\nerror: timeout\nwarning: slow\nerror: retry\n"
        )
        return sum(line.startswith("error") for line in (ws / "app.log").read_text().splitlines())

    def box(ws: Path) -> object:
        (ws / "box.json").write_text(json.dumps({"w": 3, "h": 7}))
        data = json.loads((ws / "box.json").read_text())
        return data["w"] * data["h"]

    def two_files(ws: Path) -> object:
        (ws / "a.txt").write_text("the quick brown fox")
        (ws / "b.txt").write_text("jumps over the lazy dog")
        return sum(len((ws / n).read_text().split()) for n in ("a.txt", "b.txt"))

    def folder(ws: Path) -> object:
        (ws / "data").mkdir()
        for name, size in (("x1.txt", 10), ("x2.txt", 20), ("x3.txt", 30)):
            (ws / "data" / name).write_text("z" * size)
        return sum(p.stat().st_size for p in (ws / "data").iterdir())

    def sort_file(ws: Path) -> object:
        (ws / "in.txt").write_text("15\n32\n8\n41\n")
        values = sorted((int(x) for x in (ws / "in.txt").read_text().split()), reverse=True)
        (ws / "out.txt").write_text("".join(f"{v}\n" for v in values))
        lines = (ws / "out.txt").read_text().split()
        return int(lines[0]) * int(lines[-1])

    def longest(ws: Path) -> object:
        (ws / "lines.txt").write_text("Line one\nLine two\nLine three\n")
        return max(len(line) for line in (ws / "lines.txt").read_text().splitlines())

    def digest(ws: Path) -> object:
        (ws / "g.txt").write_bytes(b"glassbox")
        return hashlib.sha256((ws / "g.txt").read_bytes()).hexdigest()[:12]

    return [
        ("Write the lines apple, banana and cherry (one per line, each ending in a newline) to "
         "/workspace/fruits.txt, then tell me how many characters the file has, newlines included.",
         "number", in_workspace(fruits)),
        ("Create /workspace/nums.txt with the numbers 1 to 100, one per line, then read it and give the "
         "sum of the numbers in it that are divisible by 7.", "number", in_workspace(nums)),
        ("Write /workspace/sales.csv with the header item,qty,price and the rows tea,3,4.5 / cake,2,6.25 / "
         "milk,5,1.2, then read it back and compute the total revenue (qty times price).", "number",
         in_workspace(sales)),
        ("Save these five lines as /workspace/app.log: 'error: disk full', 'info: started', "
         "'error: timeout', 'warning: slow', 'error: retry'. How many lines in the file start with 'error'?",
         "number", in_workspace(log)),
        ('Write the JSON {"w": 3, "h": 7} to /workspace/box.json, load it again and tell me w times h.',
         "number", in_workspace(box)),
        ("Write 'the quick brown fox' to /workspace/a.txt and 'jumps over the lazy dog' to /workspace/b.txt, "
         "then count the words in both files together.", "number", in_workspace(two_files)),
        ("In the folder /workspace/data create x1.txt, x2.txt and x3.txt holding 10, 20 and 30 letters 'z'. "
         "What is the total size in bytes of the files in that folder?", "number", in_workspace(folder)),
        ("Write 15, 32, 8 and 41 on separate lines to /workspace/in.txt, then write them sorted from largest "
         "to smallest to /workspace/out.txt. What is the first line of out.txt times its last line?",
         "number", in_workspace(sort_file)),
        ("Write 'Line one', 'Line two' and 'Line three' as three lines of /workspace/lines.txt. How many "
         "characters long is the longest line?", "number", in_workspace(longest)),
        ("Write exactly the text glassbox (no newline) to /workspace/g.txt. What are the first 12 hex "
         "characters of the file's SHA-256 digest?", "contains", in_workspace(digest)),
    ]


def frame(csv_text: str) -> Any:
    import pandas as pd

    return pd.read_csv(io.StringIO(csv_text))


STAFF = "name,dept,salary\nana,eng,5200\nbo,ops,4100\ncy,eng,6100\ndee,ops,3900\neli,eng,4700"
ORDERS = "region,qty\nnorth,12\nsouth,7\nnorth,5\neast,9\nsouth,14\neast,3"
PRICES = "product,price\nlamp,24.5\nmug,8\nchair,49.99\npen,1.2\nrug,10.5\nclock,15"
CLOSES = "day,close\n1,101.5\n2,99.0\n3,104.25\n4,107.0\n5,103.75"
TEMPS = "city,temp\nOslo,4\nRome,18\nOslo,6\nLima,21\nRome,16\nOslo,2\nLima,23"


def table(csv_text: str) -> str:
    """A small table written inline the way a user pastes one."""
    return "\n" + csv_text + "\n"


def pandas_tasks() -> list[Spec]:
    def staff(q: Callable[[Any], object]) -> Callable[[], object]:
        return lambda: q(frame(STAFF))

    return [
        ("With pandas, what is the mean salary of the eng department in this table, rounded to 2 decimals?"
         + table(STAFF), "number", staff(lambda df: round(float(df[df.dept == "eng"].salary.mean()), 2))),
        ("Using pandas on this table, what is the largest total qty of any region?" + table(ORDERS),
         "number", lambda: int(frame(ORDERS).groupby("region").qty.sum().max())),
        ("Load this table in pandas. How many products cost more than 10?" + table(PRICES), "number",
         lambda: int((frame(PRICES).price > 10).sum())),
        ("In pandas, what is the percentage change of close from the first row to the last, rounded to 2 "
         "decimals?" + table(CLOSES), "number",
         lambda: round(float((frame(CLOSES).close.iloc[-1] / frame(CLOSES).close.iloc[0] - 1) * 100), 2)),
        ("Using pandas, what is the highest value of the 3-row rolling mean of close?" + table(CLOSES),
         "number", lambda: round(float(frame(CLOSES).close.rolling(3).mean().max()), 9)),
        ("With pandas, how many distinct cities are in this table?" + table(TEMPS), "number",
         lambda: int(frame(TEMPS).city.nunique())),
        ("With pandas, group this table by city and give the highest mean temp of any city." + table(TEMPS),
         "number", lambda: float(frame(TEMPS).groupby("city").temp.mean().max())),
        ("Using pandas, what is the total salary bill of the ops department minus that of eng?"
         + table(STAFF),
         "number", staff(lambda df: int(df.groupby("dept").salary.sum().loc["ops"]
                                        - df.groupby("dept").salary.sum().loc["eng"]))),
        ("In pandas, add a column with price times 1.2 and give that column's sum, rounded to 2 decimals."
         + table(PRICES), "number", lambda: round(float((frame(PRICES).price * 1.2).sum()), 2)),
        ("Using pandas, what is the standard deviation (pandas default, ddof=1) of qty, rounded to 3 "
         "decimals?" + table(ORDERS), "number", lambda: round(float(frame(ORDERS).qty.std()), 3)),
    ]


def chart(draw: Callable[[Any, Path], object]) -> Callable[[], object]:
    """Draws with matplotlib (Agg) into a temporary out folder and returns what `draw` measured."""

    def body(ws: Path) -> object:
        os.environ.setdefault("MPLBACKEND", "Agg")
        import matplotlib.pyplot as plt

        (ws / "out").mkdir()
        fig, ax = plt.subplots()
        try:
            return draw(ax, ws / "out")
        finally:
            plt.close(fig)

    return in_workspace(body)


def plot_tasks() -> list[Spec]:
    import math

    def bars(ax: Any, out: Path) -> object:
        ax.bar(["Jan", "Feb", "Mar", "Apr", "May"], [31, 27, 44, 38, 52])
        ax.figure.savefig(out / "rain.png")
        return len(ax.patches)

    def parabola(ax: Any, out: Path) -> object:
        xs = list(range(-5, 6))
        (line,) = ax.plot(xs, [x * x for x in xs], "o")
        ax.figure.savefig(out / "parabola.png")
        return len(line.get_xdata())

    def histogram(ax: Any, out: Path) -> object:
        _, _, patches = ax.hist(range(1, 101), bins=range(1, 102, 25))
        ax.figure.savefig(out / "hist.png")
        return len(patches)

    def pie(ax: Any, out: Path) -> object:
        values = [12, 30, 18]
        ax.pie(values, labels=["A", "B", "C"], autopct="%.1f")
        ax.figure.savefig(out / "pie.png")
        return round(100 * max(values) / sum(values), 1)

    def sine(ax: Any, out: Path) -> object:
        xs = [2 * math.pi * i / 199 for i in range(200)]
        ys = [math.sin(x) for x in xs]
        ax.plot(xs, ys)
        ax.figure.savefig(out / "sine.png")
        return sum(y > 0.5 for y in ys)

    def cumsum(ax: Any, out: Path) -> object:
        data = [3, 1, 4, 1, 5, 9, 2, 6]
        ys = [sum(data[: i + 1]) for i in range(len(data))]
        (line,) = ax.plot(ys)
        ax.figure.savefig(out / "cumsum.png")
        return int(line.get_ydata()[-1])

    def scatter(ax: Any, out: Path) -> object:
        ys = [x % 7 for x in range(50)]
        ax.scatter(range(50), ys)
        ax.figure.savefig(out / "mod7.png")
        return ys.count(0)

    def stacked(ax: Any, out: Path) -> object:
        a, b = [2, 3, 7, 1], [5, 4, 2, 9]
        ax.bar(range(4), a)
        ax.bar(range(4), b, bottom=a)
        ax.figure.savefig(out / "stack.png")
        return len(ax.patches)

    def fibs(ax: Any, out: Path) -> object:
        values = [1, 1]
        while len(values) < 15:
            values.append(values[-1] + values[-2])
        ax.plot(values, marker="o")
        ax.set_yscale("log")
        ax.figure.savefig(out / "fib.png")
        return max(values)

    def crossing(ax: Any, out: Path) -> object:
        xs = list(range(11))
        ax.plot(xs, [2 * x + 1 for x in xs])
        ax.plot(xs, [-x + 10 for x in xs])
        ax.figure.savefig(out / "lines.png")
        return next(x for x in xs if 2 * x + 1 == -x + 10)

    return [
        ("Draw one bar per month for rainfall Jan 31, Feb 27, Mar 44, Apr 38, May 52 (mm) into "
         "/workspace/out/rain.png. How many bars did you draw?", "number", chart(bars)),
        ("Plot y = x squared as dots for every integer x from -5 to 5 and save it to "
         "/workspace/out/parabola.png. How many points did you plot?", "number", chart(parabola)),
        ("Draw a histogram of the integers 1 to 100 with bins 25 wide (edges 1, 26, 51, 76, 101) and save "
         "it to /workspace/out/hist.png. How many bins does it have?", "number", chart(histogram)),
        ("Draw a pie chart of A = 12, B = 30, C = 18 with percentage labels and save it to "
         "/workspace/out/pie.png. What percentage does the largest slice show?", "number", chart(pie)),
        ("Plot sin(x) at 200 evenly spaced points from 0 to 2*pi (both ends included) and save it to "
         "/workspace/out/sine.png. How many of the plotted points have y greater than 0.5?", "number",
         chart(sine)),
        ("Plot the running total of [3, 1, 4, 1, 5, 9, 2, 6] as a line and save it to "
         "/workspace/out/cumsum.png. What is the last y value of the line?", "number", chart(cumsum)),
        ("Make a scatter plot of the points (x, x mod 7) for x from 0 to 49 and save it to "
         "/workspace/out/mod7.png. How many of the points lie on y = 0?", "number", chart(scatter)),
        ("Draw a stacked bar chart of a = [2, 3, 7, 1] with b = [5, 4, 2, 9] on top and save it to "
         "/workspace/out/stack.png. How many bar rectangles does the chart contain?", "number",
         chart(stacked)),
        ("Plot the first 15 Fibonacci numbers (starting 1, 1) with markers on a log-scale y axis and save it "
         "to /workspace/out/fib.png. What is the largest y value plotted?", "number", chart(fibs)),
        ("Plot the lines y = 2x + 1 and y = 10 - x for x from 0 to 10 and save the chart to "
         "/workspace/out/lines.png. At what x do the two lines cross?", "number", chart(crossing)),
    ]


def bash_tasks() -> list[Spec]:
    commands = [
        ("Using bash, what does echo $(( (48 + 17) * 3 )) print?", "number", "echo $(( (48 + 17) * 3 ))"),
        ("In bash, how many lines does seq 1 1000 | grep 7 print?", "number", "seq 1 1000 | grep 7 | wc -l"),
        ("What does printf 'b\\na\\nc\\na\\n' | sort -u | wc -l output in bash?", "number",
         "printf 'b\\na\\nc\\na\\n' | sort -u | wc -l"),
        ("Run echo glassbox | tr 'a-z' 'n-za-m' in bash. What does it print?", "exact",
         "echo glassbox | tr 'a-z' 'n-za-m'"),
        ("In bash, run mkdir -p /workspace/t && touch /workspace/t/{a,b,c}{1,2,3}.txt, then count the files "
         "in /workspace/t with ls. How many are there?", "number",
         "mkdir -p /workspace/t && touch /workspace/t/{a,b,c}{1,2,3}.txt && ls /workspace/t | wc -l"),
        ("What does echo 'one two three four' | awk '{print $3 $1}' print?", "exact",
         "echo 'one two three four' | awk '{print $3 $1}'"),
        ("Using bash, what is the output of seq 5 5 50 | awk '{s += $1} END {print s}'?", "number",
         "seq 5 5 50 | awk '{s += $1} END {print s}'"),
        ("In bash, what does echo $(( 3 ** 13 )) print?", "number", "echo $(( 3 ** 13 ))"),
        ("How many bytes does printf 'glassbox' | wc -c report?", "number", "printf 'glassbox' | wc -c"),
        ("In bash, what does x=abcdefgh; echo ${x:2:3} print?", "exact", "x=abcdefgh; echo ${x:2:3}"),
        ("In bash, what does for i in 1 2 3 4; do printf '%s' $((i*i)); done print?", "exact",
         "for i in 1 2 3 4; do printf '%s' $((i*i)); done"),
    ]
    return [(text, check, bash(command)) for text, check, command in commands]


def tool_tasks() -> dict[str, list[Spec]]:
    """Kinds that touch the workspace, pandas, matplotlib or the shell."""
    return {"files": file_tasks(), "pandas": pandas_tasks(), "plots": plot_tasks(), "bash": bash_tasks()}
