"""Glassbox sandbox kernel: a resident interpreter that runs code sent over its stdin."""

# Runs inside the container with the image's Python only (stdlib, no Glassbox imports).
# PID 1 is `kernel.py supervise`: it reaps zombies and kills on request. The host starts
# `kernel.py worker` with `docker exec` and talks to it over that exec's stdin and stdout
# (Docker API streams, so the engine may be on another machine); the worker runs code in
# one persistent namespace until the stream ends.
# Frames both ways: ">II" (header length, payload length), a JSON header, raw payload.
# One file on purpose although long: the image copies and hashes it as one unit, the
# wheel force-includes it alone, and `python -I` would not find sibling modules.

from __future__ import annotations

import ast
import builtins
import codecs
import contextlib
import ctypes
import io
import json
import linecache
import os
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import traceback
from typing import Any

WORKSPACE = "/workspace"
OUT_DIR = "/workspace/out"
CGROUP_MEM = "/sys/fs/cgroup/memory"
HEADER = struct.Struct(">II")
FLUSH_INTERVAL_S = 0.015
FLUSH_BYTES = 32768
ARTIFACT_CHUNK = 1 << 20
MAX_ARTIFACTS = 64
SYNC = b"\x00\x1bGLASSBOX-SYNC\x1b\x00"
ALONE_EXIT_S = 120.0


# --- supervisor (PID 1) ------------------------------------------------------------------


def supervise() -> None:
    """PID 1: reap every orphan; SIGUSR1 kills every other process (the host's hard kill).

    With no other process for ALONE_EXIT_S (the host stopped starting workers: it is gone),
    exit, which stops the container.
    """
    signal.signal(signal.SIGUSR1, lambda *_: _kill_others(signal.SIGKILL))
    signal.signal(signal.SIGTERM, _terminate)
    alone_since: float | None = None
    while True:
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        others = any(name.isdigit() and name != "1" for name in os.listdir("/proc"))
        now = time.monotonic()
        if others:
            alone_since = None
        elif alone_since is None:
            alone_since = now
        elif now - alone_since > ALONE_EXIT_S:
            os._exit(0)
        time.sleep(1.0)


def _terminate(*_: object) -> None:
    _kill_others(signal.SIGKILL)
    os._exit(0)


def _kill_others(sig: int) -> None:
    # kill(-1) reaches every process we may signal except PID 1 and the caller.
    with contextlib.suppress(OSError):
        os.kill(-1, sig)


def kill_and_reap() -> None:
    """SIGKILL every other process and reap them all; the caller must be their reaper."""
    # Blocking waits, no polling; killing again before each wait catches a process that
    # was mid-fork during the previous kill(-1).
    while True:
        _kill_others(signal.SIGKILL)
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def become_subreaper() -> None:
    """Adopt orphans of the code (not PID 1), so kill_and_reap() can wait for them."""
    # PR_SET_CHILD_SUBREAPER; if refused, orphans still die by kill(-1), reaped by PID 1.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)


# --- worker ------------------------------------------------------------------------------


def _read_int(path: str, key: str | None = None) -> int:
    try:
        with open(path, encoding="ascii") as handle:
            if key is None:
                return int(handle.read().strip())
            for line in handle:
                name, _, value = line.partition(" ")
                if name == key:
                    return int(value)
    except (OSError, ValueError):
        pass
    return -1


def oom_kills() -> int:
    """The container's cgroup OOM-kill counter (-1 when unreadable)."""
    return _read_int(f"{CGROUP_MEM}/memory.oom_control", "oom_kill")


class Conn:
    """One framed connection to the host over two file descriptors; send() is thread-safe."""

    def __init__(self, in_fd: int, out_fd: int) -> None:
        self.in_fd, self.out_fd = in_fd, out_fd
        self.lock = threading.Lock()

    def send(self, header: dict[str, Any], payload: bytes = b"") -> None:
        raw = json.dumps(header).encode()
        data = memoryview(HEADER.pack(len(raw), len(payload)) + raw + payload)
        with self.lock:
            while data:
                data = data[os.write(self.out_fd, data):]

    def _exact(self, n: int) -> bytes:
        chunks = bytearray()
        while len(chunks) < n:
            got = os.read(self.in_fd, n - len(chunks))
            if not got:
                raise EOFError
            chunks += got
        return bytes(chunks)

    def recv(self) -> tuple[dict[str, Any], bytes]:
        hlen, plen = HEADER.unpack(self._exact(HEADER.size))
        return json.loads(self._exact(hlen)), self._exact(plen)


class Sink:
    """Buffers output of both streams in order, enforces the cap, flushes to the host."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.lock = threading.Lock()
        self.chunks: list[tuple[str, bytearray]] = []
        self.pending = 0
        self.active = False
        self.limit = 0
        self.used = 0
        self.truncated = False
        self.wake = threading.Event()

    def begin(self, limit: int) -> None:
        with self.lock:
            self.chunks, self.pending, self.used = [], 0, 0
            self.limit, self.truncated, self.active = limit, False, True

    def end(self) -> None:
        with self.lock:
            self._flush()
            self.active = False

    def write(self, stream: str, data: bytes) -> None:
        with self.lock:
            if not self.active or not data:
                return
            room = self.limit - self.used
            if len(data) > room:
                data = data[:max(room, 0)]
                if not self.truncated:
                    self.truncated = True
                    self._append(stream, data)
                    self._flush()
                    self.conn.send({"op": "truncated"})
                return
            self._append(stream, data)
            if self.pending >= FLUSH_BYTES:
                self._flush()

    def _append(self, stream: str, data: bytes) -> None:
        self.used += len(data)
        self.pending += len(data)
        if not self.wake.is_set():
            self.wake.set()
        if self.chunks and self.chunks[-1][0] == stream:
            self.chunks[-1][1].extend(data)
        elif data:
            self.chunks.append((stream, bytearray(data)))

    def _flush(self) -> None:
        for stream, data in self.chunks:
            self.conn.send({"op": "out", "stream": stream}, bytes(data))
        self.chunks, self.pending = [], 0

    def flush_loop(self) -> None:
        # Sleeps until output arrives, then batches what follows for FLUSH_INTERVAL_S.
        while True:
            self.wake.wait()
            time.sleep(FLUSH_INTERVAL_S)
            with self.lock:
                self.wake.clear()
                if self.pending:
                    self._flush()


class Writer(io.TextIOBase):
    """sys.stdout/sys.stderr: straight into the sink, so prints keep their order."""

    def __init__(self, kernel: Worker, stream: str, fd: int) -> None:
        self._kernel, self._stream, self._fd = kernel, stream, fd

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._fd

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if os.getpid() != self._kernel.pid:
            os.write(self._fd, text.encode("utf-8", "replace"))  # a forked child's pipe
        elif not self._kernel.sink.truncated:  # past the cap: no need to encode
            self._kernel.sink.write(self._stream, text.encode("utf-8", "replace"))
        return len(text)


class Worker:
    """The resident interpreter: one namespace, one execution at a time."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.pid = os.getpid()
        self.sink = Sink(conn)
        self.ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        self.requests: queue.Queue[tuple[dict[str, Any], bytes] | None] = queue.Queue()
        self.state_lock = threading.Lock()
        self.running = False
        self.cells = 0
        self.sync_seen: dict[int, threading.Event] = {}
        self._setup_fds()

    def _setup_fds(self) -> None:
        self.pipes: dict[int, tuple[int, str]] = {}
        self.write_ends: dict[int, int] = {}
        for fd, stream in ((1, "stdout"), (2, "stderr")):
            r, w = os.pipe()
            self.pipes[r] = (fd, stream)
            self.write_ends[fd] = w
            self.sync_seen[fd] = threading.Event()
            os.dup2(w, fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115

    def _restore_streams(self) -> None:
        for fd, w in self.write_ends.items():
            os.dup2(w, fd)
        sys.stdout = Writer(self, "stdout", 1)
        sys.stderr = Writer(self, "stderr", 2)

    def pipe_loop(self) -> None:
        decoders = {r: codecs.getincrementaldecoder("utf-8")("replace") for r in self.pipes}
        held = {r: b"" for r in self.pipes}
        while True:
            ready, _, _ = select.select(list(self.pipes), [], [])
            for r in ready:
                fd, stream = self.pipes[r]
                data = held[r] + os.read(r, 65536)
                while (i := data.find(SYNC)) >= 0:
                    self._emit(stream, decoders[r], data[:i])
                    self.sync_seen[fd].set()
                    data = data[i + len(SYNC):]
                keep = next((k for k in range(min(len(SYNC) - 1, len(data)), 0, -1)
                             if data.endswith(SYNC[:k])), 0)
                held[r] = data[len(data) - keep:] if keep else b""
                self._emit(stream, decoders[r], data[:len(data) - keep])

    def _emit(self, stream: str, decoder: codecs.IncrementalDecoder, data: bytes) -> None:
        # Past the cap the sink drops everything: skip decoding what it would drop.
        if data and not self.sink.truncated:
            self.sink.write(stream, decoder.decode(data).encode("utf-8"))

    def _sync_pipes(self) -> None:
        # Everything written to the pipes before the marker has been read once it arrives.
        for fd, w in self.write_ends.items():
            self.sync_seen[fd].clear()
            os.write(w, SYNC)
        for event in self.sync_seen.values():
            event.wait(2.0)

    def recv_loop(self) -> None:
        try:
            while True:
                header, payload = self.conn.recv()
                op = header.get("op")
                if op == "exec":
                    self.requests.put((header, payload))
                elif op == "interrupt":
                    self.interrupt()
                elif op == "kill":
                    os._exit(137)  # PID 1 then kills and reaps everything the code left
                elif op == "ping":
                    self.conn.send({"op": "pong"})
        except (EOFError, OSError, ValueError):
            os._exit(0)  # the host closed the session

    def interrupt(self) -> None:
        with self.state_lock:
            if self.running:
                _kill_others(signal.SIGINT)
                signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    def _on_sigint(self, signum: int, frame: object) -> None:
        if self.running:
            raise KeyboardInterrupt

    def serve(self) -> None:
        signal.signal(signal.SIGINT, self._on_sigint)
        for target in (self.recv_loop, self.pipe_loop, self.sink.flush_loop):
            threading.Thread(target=target, daemon=True).start()
        while True:
            request = self.requests.get()
            if request is None:
                return
            self.execute(*request)

    def execute(self, header: dict[str, Any], payload: bytes) -> None:
        code = payload.decode("utf-8", "replace")
        before = _snapshot()
        self.sink.begin(int(header.get("output_limit", 1_000_000)))
        self._restore_streams()
        oom_before = oom_kills()
        # A thread sampling memory use, only when the host cannot read the cgroup's peak.
        peak = _Peak() if header.get("sample_peak", True) else None
        started = time.monotonic()
        with self.state_lock:
            self.running = True
        exit_code = 0
        try:
            exit_code = self._run_bash(code) if header.get("language") == "bash" else (
                self._run_python(code))
            self.running = False  # last statement in the try: see _on_sigint
        except KeyboardInterrupt:
            exit_code = 130
        finally:
            if os.getpid() != self.pid:
                os._exit(exit_code)  # a child forked by the code must not reply as us
            with self.state_lock:
                self.running = False
        duration = time.monotonic() - started
        kill_and_reap()  # background processes die with the execution
        self._restore_streams()
        self._sync_pipes()
        if peak is not None:
            peak.stop()
        self.sink.end()
        self._send_artifacts(before)
        self.conn.send({
            "op": "done", "id": header.get("id"), "exit_code": exit_code,
            "duration_s": duration, "truncated": self.sink.truncated,
            "peak_sampled": -1 if peak is None else peak.peak, "oom_kills_before": oom_before,
            "oom_kills": oom_kills(),
        })

    def _run_python(self, code: str) -> int:
        self.cells += 1
        filename = f"<cell {self.cells}>"
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        try:
            tree = ast.parse(code, filename, "exec")
            last: ast.Expression | None = None
            if tree.body and isinstance(tail := tree.body[-1], ast.Expr):
                tree.body.pop()
                last = ast.Expression(tail.value)
            exec(compile(tree, filename, "exec"), self.ns)
            if last is not None:
                value = eval(compile(last, filename, "eval"), self.ns)
                if value is not None:
                    self.ns["_"] = value
                    print(repr(value))
            return 0
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                return int(exc.code or 0)
            print(exc.code, file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            tb = exc.__traceback__
            while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
                tb = tb.tb_next  # hide the kernel's own frames
            text = "".join(traceback.format_exception(type(exc), exc, tb))
            sys.stderr.write(text)
            return 1

    def _run_bash(self, code: str) -> int:
        proc = subprocess.Popen(["/bin/bash", "-c", code], stdin=subprocess.DEVNULL,
                                cwd=WORKSPACE)
        status = proc.wait()
        return 128 - status if status < 0 else status

    def _send_artifacts(self, before: dict[str, tuple[int, int]]) -> None:
        after = _snapshot()
        changed = [name for name, stat in sorted(after.items()) if before.get(name) != stat]
        for name in changed[:MAX_ARTIFACTS]:
            path = os.path.join(OUT_DIR, name)
            try:
                with open(path, "rb") as handle:
                    size = os.fstat(handle.fileno()).st_size
                    offset = 0
                    while True:
                        chunk = handle.read(ARTIFACT_CHUNK)
                        last = offset + len(chunk) >= size or not chunk
                        self.conn.send({"op": "artifact", "name": name, "offset": offset,
                                        "last": last}, chunk)
                        offset += len(chunk)
                        if last:
                            break
            except OSError:
                continue


class _Peak:
    """Samples the cgroup's memory use while code runs (fallback when the host cannot)."""

    def __init__(self) -> None:
        self.peak = _read_int(f"{CGROUP_MEM}/memory.usage_in_bytes")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _read_int(f"{CGROUP_MEM}/memory.usage_in_bytes"))

    def stop(self) -> None:
        self._stop.set()
        self.peak = max(self.peak, _read_int(f"{CGROUP_MEM}/memory.usage_in_bytes"))


def _snapshot() -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for root, _, files in os.walk(OUT_DIR):
        for name in files:
            path = os.path.join(root, name)
            try:
                stat = os.stat(path)
            except OSError:
                continue
            found[os.path.relpath(path, OUT_DIR)] = (stat.st_mtime_ns, stat.st_size)
    return found


def worker() -> None:
    """Take the exec's stdin and stdout as the host connection, say hello, run executions."""
    try:
        with open("/proc/self/oom_score_adj", "w", encoding="ascii") as handle:
            handle.write("1000")  # the OOM killer should take the worker, never PID 1
    except OSError:
        pass
    # Whatever an earlier worker's code left running dies now (PID 1 reaps it).
    _kill_others(signal.SIGKILL)
    become_subreaper()
    os.makedirs(OUT_DIR, exist_ok=True)
    os.chdir(WORKSPACE)
    sys.path.insert(0, WORKSPACE)
    # Private copies (not inherited by subprocesses); fds 0-2 then belong to the code.
    conn = Conn(os.dup(0), os.dup(1))
    try:
        conn.recv()  # the host's first frame: it reads the stream now, so hello cannot be lost
    except (EOFError, OSError, ValueError):
        os._exit(0)
    kernel = Worker(conn)
    conn.send({"op": "hello", "pid": os.getpid(), "oom_kills": oom_kills(),
               "python": sys.version.split()[0]})
    kernel.serve()


if __name__ == "__main__":
    if sys.argv[1:] == ["supervise"]:
        supervise()
    else:
        worker()
