"""A stdlib HTTP server on loopback that fails like real OpenAI-compatible servers do.

The first path segment picks the behaviour, so one server covers every case:
  /ok/v1        lists one model and streams a short reply
  /unauthorized/v1   answers 401 to everything
  /nomodel/v1   lists a model, then answers 404 "model not found" to chat requests
  /broken/v1    lists a model, then answers 500 to chat requests
  /cut/v1       streams three tokens, then drops the connection (no finish, no [DONE])
  /nodone/v1    streams three tokens and a finish reason, then drops the connection (no [DONE])
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL_ID = "stub-model"
CUT_PIECES = ["Hello", " there", ","]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        return

    def _json(self, status: int, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _mode(self) -> str:
        return self.path.strip("/").split("/", 1)[0]

    def do_GET(self) -> None:
        if self._mode() == "unauthorized":
            self._json(401, {"error": {"message": "Invalid API key", "type": "invalid_request_error"}})
        elif self.path.endswith("/v1/models"):
            self._json(200, {"object": "list", "data": [{"id": MODEL_ID, "object": "model"}]})
        else:
            self._json(404, {"detail": "Not Found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        mode = self._mode()
        if not self.path.endswith("/chat/completions"):
            self._json(404, {"detail": "Not Found"})
        elif mode == "unauthorized":
            self._json(401, {"error": {"message": "Invalid API key", "type": "invalid_request_error"}})
        elif mode == "nomodel":
            self._json(404, {"error": {"message": "model 'stub-model' not found", "type": "not_found"}})
        elif mode == "broken":
            self._json(500, {"error": {"message": "CUDA out of memory", "type": "server_error"}})
        elif mode in ("ok", "cut", "nodone"):
            self._stream(finish=mode != "cut", done=mode == "ok")
        else:
            self._json(404, {"detail": "Not Found"})

    def _stream(self, *, finish: bool, done: bool) -> None:
        # Chunked, as real servers stream; a cut is the connection closing between chunks,
        # without the terminating zero-length chunk.
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        events = [{"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                  for piece in CUT_PIECES]
        if finish:
            events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            events.append({"choices": [], "usage": {"prompt_tokens": 11, "completion_tokens": 3,
                                                    "total_tokens": 14}})
        lines = [f"data: {json.dumps(event)}\n\n".encode() for event in events]
        if done:
            lines.append(b"data: [DONE]\n\n")
        for line in lines:
            self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
            self.wfile.flush()
        if done:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        self.close_connection = True


@contextmanager
def stub_server() -> Iterator[str]:
    """Run the server on a free loopback port; yields its root URL (http://127.0.0.1:PORT)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, name="openai-stub", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
