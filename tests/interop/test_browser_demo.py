"""``purezmq demo --browser``: the example page in headless Chromium, and the command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

import purezmq
from purezmq.browser.demo import BrowserDemo

from ..kit.browser import CHROMIUM_MISSING, Driver

pytestmark = [pytest.mark.skipif(not purezmq.has("ws"), reason="ws needs the ws extra (wsproto)")]

SRC = Path(purezmq.__file__).resolve().parent.parent


@pytest.mark.skipif(bool(CHROMIUM_MISSING), reason=str(CHROMIUM_MISSING))
def test_demo_page_shows_the_feed_and_answers_the_form(tmp_path):
    """Load the page: its feed counts messages from the PUB, the form gets the REP's answer
    (and the screenshot is kept for a human look: $PUREZMQ_DEMO_SCREENSHOT)."""
    with BrowserDemo() as demo:
        page = Driver("chromium", demo.url)
        try:
            waited = page.call(
                "waitFor",
                expr="Number(document.getElementById('feed-count').textContent) >= 3",
            )
            assert waited["ok"], waited
            status = page.call("eval", expr="document.getElementById('status-feed').textContent")
            assert status["value"] == "connected"
            assert page.call("fill", selector="#name", value="Chromium")["ok"]
            assert page.call("click", selector="#send")["ok"]
            waited = page.call(
                "waitFor",
                expr="document.getElementById('reply').textContent.startsWith('Hello, Chromium!')",
            )
            assert waited["ok"], (waited, page.log())
            reply = page.call("eval", expr="document.getElementById('reply').textContent")
            assert f"from purezmq {purezmq.__version__}" in reply["value"]
            assert demo.answered == 1
            shot = Path(os.environ.get("PUREZMQ_DEMO_SCREENSHOT", tmp_path / "demo.png"))
            assert page.call("screenshot", path=str(shot))["ok"]
            assert shot.stat().st_size > 10_000
        finally:
            page.close()


def test_demo_command_serves_the_page_and_stops():
    """The command prints the page's address, serves the page, zmq.js and the endpoints,
    and ends by itself after --duration."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "purezmq", "demo", "--browser", "--duration", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("purezmq browser demo: open http://127.0.0.1:"), first
        url = first.split()[-1]
        with urllib.request.urlopen(url, timeout=5) as answer:
            assert answer.headers["Content-Type"].startswith("text/html")
            assert b'import { Socket, text } from "./zmq.js"' in answer.read()
        with urllib.request.urlopen(url + "zmq.js", timeout=5) as answer:
            assert answer.headers["Content-Type"].startswith("text/javascript")
            assert b"export class Socket" in answer.read()
        with urllib.request.urlopen(url + "config.json", timeout=5) as answer:
            config = json.load(answer)
        assert config["feed"].startswith("ws://127.0.0.1:")
        assert config["requests"].startswith("ws://127.0.0.1:")
        out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err
        assert "stopped" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=5)
