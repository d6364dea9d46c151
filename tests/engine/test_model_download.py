"""Model downloads from a real HTTP server on loopback: resume, checksums, GGUF check, no half files."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import gguf
import numpy as np
import pytest

from engine.errors import ModelError
from engine.llm.download import (
    DownloadProgress,
    download_model,
    part_path,
    pull_reference,
    resolve_source,
)
from engine.llm.gguf import read_gguf_metadata


def tiny_gguf(path: Path) -> bytes:
    """A small but valid GGUF file (header, metadata and one 64 KiB tensor)."""
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("tiny")
    writer.add_context_length(128)
    writer.add_file_type(0)
    writer.add_tensor("weights", np.arange(16384, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path.read_bytes()


@dataclass
class FileServer:
    """Serves `body` at /<name>; the first `drops` requests are cut off halfway."""

    body: bytes
    drops: int = 1
    ranges: list[str | None] = field(default_factory=list)
    port: int = 0

    def url(self, name: str = "tiny.gguf") -> str:
        return f"http://127.0.0.1:{self.port}/{name}"


def _handler(state: FileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/missing.gguf":
                self.send_error(404, "Not Found")
                return
            header = self.headers.get("Range")
            state.ranges.append(header)
            total = len(state.body)
            start = int(header.removeprefix("bytes=").split("-")[0]) if header else 0
            if start >= total:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{total}")
                self.end_headers()
                return
            self.send_response(206 if header else 200)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(total - start))
            if header:
                self.send_header("Content-Range", f"bytes {start}-{total - 1}/{total}")
            self.end_headers()
            if state.drops > 0:
                state.drops -= 1
                self.wfile.write(state.body[start:total // 2])
                self.wfile.flush()
                self.close_connection = True  # the connection drops mid-body
                return
            self.wfile.write(state.body[start:])

    return Handler


@pytest.fixture
def model_bytes(tmp_path: Path) -> bytes:
    return tiny_gguf(tmp_path / "source.gguf")


@pytest.fixture
def serve(model_bytes: bytes) -> Iterator[FileServer]:
    state = FileServer(model_bytes)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


async def test_an_interrupted_download_resumes_from_the_cut(
    serve: FileServer, model_bytes: bytes, tmp_path: Path
) -> None:
    target = tmp_path / "models" / "tiny.gguf"
    half = len(model_bytes) // 2
    with pytest.raises(ModelError, match=f"interrupted at {half:,} bytes") as info:
        await download_model(serve.url(), target, retries=0)
    assert "resumes" in str(info.value)
    assert not target.exists() and part_path(target).stat().st_size == half
    seen: list[DownloadProgress] = []
    sha = hashlib.sha256(model_bytes).hexdigest()
    assert await download_model(serve.url(), target, sha256=sha, progress=seen.append) == target
    assert serve.ranges == [None, f"bytes={half}-"]
    assert target.read_bytes() == model_bytes and not part_path(target).exists()
    assert seen[0].resumed_from == half and seen[-1].received == seen[-1].total == len(model_bytes)
    assert read_gguf_metadata(target).name == "tiny"


async def test_one_pull_resumes_by_itself_after_a_drop(
    serve: FileServer, model_bytes: bytes, tmp_path: Path
) -> None:
    target = tmp_path / "tiny.gguf"
    seen: list[DownloadProgress] = []
    await download_model(serve.url(), target, progress=seen.append)
    assert serve.ranges == [None, f"bytes={len(model_bytes) // 2}-"]
    assert [p.attempt for p in seen][-1] == 2
    assert target.read_bytes() == model_bytes


async def test_a_whole_part_file_is_finished_without_refetching(
    serve: FileServer, model_bytes: bytes, tmp_path: Path
) -> None:
    target = tmp_path / "tiny.gguf"
    part_path(target).write_bytes(model_bytes)
    await download_model(serve.url(), target)
    assert serve.ranges == [f"bytes={len(model_bytes)}-"] and target.read_bytes() == model_bytes


async def test_a_sha256_mismatch_installs_nothing(serve: FileServer, tmp_path: Path) -> None:
    serve.drops = 0
    target = tmp_path / "tiny.gguf"
    with pytest.raises(ModelError, match="sha256 mismatch .* not installed"):
        await download_model(serve.url(), target, sha256="0" * 64)
    assert not target.exists() and not part_path(target).exists()
    with pytest.raises(ModelError, match="is not a sha256"):
        await download_model(serve.url(), target, sha256="abc")
    assert serve.ranges == [None]  # a malformed checksum is refused before any request


async def test_a_file_that_is_not_gguf_is_refused(serve: FileServer, tmp_path: Path) -> None:
    serve.body, serve.drops = b"<html>sign in to download</html>" * 100, 0
    target = tmp_path / "tiny.gguf"
    with pytest.raises(ModelError, match="not a usable GGUF model.*not a GGUF"):
        await download_model(serve.url(), target)
    assert not target.exists() and not part_path(target).exists()


async def test_a_missing_file_is_a_clear_error(serve: FileServer, tmp_path: Path) -> None:
    target = tmp_path / "missing.gguf"
    with pytest.raises(ModelError, match="HTTP 404"):
        await download_model(serve.url("missing.gguf"), target)
    assert not target.exists()


async def test_pull_reference_names_the_file_and_skips_a_present_one(
    serve: FileServer, model_bytes: bytes, tmp_path: Path
) -> None:
    serve.drops = 0
    notes: list[str] = []
    sha = hashlib.sha256(model_bytes).hexdigest()
    path = await pull_reference(serve.url(), sha256=sha, save_as="mine.gguf", directory=tmp_path,
                                say=notes.append)
    assert path == tmp_path / "mine.gguf" and path.read_bytes() == model_bytes
    assert await pull_reference(serve.url(), sha256=sha, save_as="mine.gguf", directory=tmp_path,
                                say=notes.append) == path
    assert serve.ranges == [None]  # the second pull found the file and fetched nothing
    assert "already present and its sha256 matches" in notes[-1]
    with pytest.raises(ModelError, match="not a plain .gguf file name"):
        await pull_reference(serve.url(), save_as="../escape.gguf", directory=tmp_path)


def test_references_are_spelled_out_without_contacting_anything() -> None:
    hf = resolve_source("bartowski/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct-Q4_K_M.gguf")
    assert hf.url == ("https://huggingface.co/bartowski/SmolLM2-135M-Instruct-GGUF/resolve/main/"
                      "SmolLM2-135M-Instruct-Q4_K_M.gguf")
    assert hf.filename == "SmolLM2-135M-Instruct-Q4_K_M.gguf"
    nested = resolve_source("owner/repo/sub dir/m.gguf")
    assert nested.url.endswith("/owner/repo/resolve/main/sub%20dir/m.gguf") and nested.filename == "m.gguf"
    assert resolve_source("http://127.0.0.1:9/a%20b.gguf").filename == "a b.gguf"
    for bad in ("llama3", "owner/model.gguf", "owner/repo/readme.md", "https://host/"):
        with pytest.raises(ModelError):
            resolve_source(bad)


def test_cli_pull_from_a_url_checks_and_installs(
    serve: FileServer, model_bytes: bytes, gb_home: Path
) -> None:
    sha = hashlib.sha256(model_bytes).hexdigest()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-m", "tui.cli", "models", "pull", serve.url(), "--sha256", sha],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    installed = gb_home / "models" / "tiny.gguf"
    assert installed.read_bytes() == model_bytes
    assert "sha256 verified" in out.stderr and str(installed) in out.stderr
    assert serve.ranges == [None, f"bytes={len(model_bytes) // 2}-"]
    bad = subprocess.run([sys.executable, "-m", "tui.cli", "models", "pull", "not-a-model"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "neither a known model" in bad.stderr and "Traceback" not in bad.stderr
