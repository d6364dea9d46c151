"""`glassbox serve`: the real dashboard in Debian's headless Chromium, driven through Playwright."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require
from tui.commands.serve import exposure_warning, is_loopback, public_url_for

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PANES = ("Chat", "Execution", "Activity", "Cost")
# textual-serve keeps its xterm.js Terminal in a closure; the test's copy of the page script
# also hands it to window, so the test reads the very cells the browser draws.
EXPOSE_TERMINAL = (re.compile(r"this\.terminal=new (\w+)\.Terminal\("),
                   r"this.terminal=window.glassboxTerminal=new \1.Terminal(")
SCREEN_TEXT = """() => {
  const term = window.glassboxTerminal;
  if (!term) return "";
  const rows = [];
  for (let y = 0; y < term.rows; y++) {
    const line = term.buffer.active.getLine(y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "glassbox serve exited early"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"glassbox serve did not listen on {port}")


@pytest.fixture
def served(gb_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """`glassbox serve` on a free loopback port, with an isolated home and the real model."""
    port = _free_port()
    # Short replies and no planning call keep one turn quick on a busy machine.
    path = os.pathsep.join(p for p in (str(ROOT), gb_env.get("PYTHONPATH", "")) if p)
    env = {**gb_env, "PYTHONPATH": path, "GLASSBOX_LLM__MAX_TOKENS": "48",
           "GLASSBOX_AGENT__PLAN_MODE": "never"}
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "tui.cli", "serve", "--port", str(port)],
                               env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        _wait_for_port(port, process, 60)
        yield f"http://127.0.0.1:{port}/"
    finally:
        # The group holds the server and the dashboard process it started for the page.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _keep_to_loopback(base: str) -> Any:
    def route(request_route: Any) -> None:
        url = request_route.request.url
        if not url.startswith(base):
            request_route.abort()  # e.g. the page's web-font link: tests touch loopback only
            return
        if url.endswith("/textual.js"):
            response = request_route.fetch()
            pattern, replacement = EXPOSE_TERMINAL
            body, count = pattern.subn(replacement, response.text())
            assert count == 1, "textual-serve's page script changed: update EXPOSE_TERMINAL"
            request_route.fulfill(response=response, body=body)
            return
        request_route.continue_()

    return route


def _screen(page: Any) -> str:
    return str(page.evaluate(SCREEN_TEXT))


def _wait_for(page: Any, ready: Any, what: str, deadline_s: float, log: Path) -> str:
    deadline = time.monotonic() + deadline_s
    text = ""
    while time.monotonic() < deadline:
        text = _screen(page)
        if ready(text):
            return text
        # textual-serve marks the page when the dashboard process behind it ends.
        if page.evaluate("document.body.classList.contains('-closed')"):
            raise AssertionError(f"the dashboard process ended while waiting for {what}; "
                                 f"its last screen:\n{text}")
        time.sleep(0.5)
    server_said = log.read_text(errors="replace")[-600:]
    raise AssertionError(f"{what} did not appear in the browser; the terminal showed:\n{text}\n"
                         f"glassbox serve's output ends with:\n{server_said}")


def _completion_tokens(text: str) -> int:
    found = re.search(r"completion\s+(\d+)", text)  # the Cost pane's row; the first figure is the turn's
    return int(found.group(1)) if found else 0


def _turn_finished(text: str) -> bool:
    header = text.splitlines()[0] if text else ""
    return "Assistant" in text and "idle" in header and _completion_tokens(text) > 0


def _chat_column(text: str) -> list[str]:
    return [line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│")]


@pytest.mark.model
@pytest.mark.slow
def test_the_dashboard_works_in_headless_chromium(served: str, tmp_path: Path) -> None:
    require(CHROMIUM is not None, "Debian's chromium is not installed (.ci/run installs it)")
    require(importlib.util.find_spec("playwright") is not None, "playwright is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 900},
        )
        try:
            page = browser.new_page()
            page.route("**/*", _keep_to_loopback(served))
            page.goto(served)
            screen = _wait_for(page, lambda t: all(p in t for p in PANES) and "Type a task" in t,
                               "the four panes", 90, tmp_path / "serve.log")
            for pane in PANES:
                assert re.search(rf"─ {pane} ─", screen), pane
            page.screenshot(path=str(tmp_path / "dashboard.png"))
            page.focus(".xterm-helper-textarea")
            prompt = "Say hello in one short sentence."
            page.keyboard.type(prompt)
            page.keyboard.press("Enter")
            screen = _wait_for(page, _turn_finished, "a finished reply", 240, tmp_path / "serve.log")
            page.screenshot(path=str(tmp_path / "reply.png"))
        finally:
            browser.close()
    chat = _chat_column(screen)
    assert "You" in chat and prompt in chat
    reply = [line for line in chat[chat.index("Assistant") + 1:]
             if line and not line.startswith(("▊", "Type a task"))]  # not the input box
    assert reply, f"no reply text under Assistant:\n{screen}"


def test_serve_stays_on_loopback_unless_told_and_warns() -> None:
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        assert is_loopback(host) and exposure_warning(host) is None
    for host in ("0.0.0.0", "192.168.1.5", "::", "example.org"):
        warning = exposure_warning(host)
        assert warning and "WARNING" in warning and "run code" in warning and "--host 127.0.0.1" in warning


def test_the_page_is_told_an_address_browsers_can_reach() -> None:
    assert public_url_for("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert public_url_for("::1", 8000) == "http://[::1]:8000"
    assert public_url_for("0.0.0.0", 8000) == f"http://{socket.gethostname()}:8000"
    assert public_url_for("0.0.0.0", 8000, "https://box.example/gb/") == "https://box.example/gb"


def test_serve_on_a_busy_port_fails_clearly_after_warning(gb_home: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "tui.cli", "serve", "--host", "0.0.0.0", "--port",
                              str(port)], capture_output=True, text=True, timeout=60, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "WARNING: serving on 0.0.0.0" in out.stderr
    assert f"Cannot listen on 0.0.0.0:{port}" in out.stderr and "--port" in out.stderr
    bad = subprocess.run([sys.executable, "-m", "tui.cli", "serve", "--port", "70000"],
                         capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert bad.returncode == 2 and "outside 1-65535" in bad.stderr
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GLASSBOX_LLM__TEMPERATURE": "9"}
    invalid = subprocess.run([sys.executable, "-m", "tui.cli", "serve", "--port", str(_free_port())],
                             capture_output=True, text=True, timeout=60, cwd=ROOT, env=env)
    assert invalid.returncode == 2 and "llm.temperature" in invalid.stderr
