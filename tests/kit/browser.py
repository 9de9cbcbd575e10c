"""zmq.js (``purezmq.browser``) under test: a JavaScript driver — Node, or headless Chromium
steered by playwright-core — and the Python sides of its roles.

``tests/interop/browser/setup.sh`` installs what this needs (Debian's chromium; npm
playwright-core, jszmq, ws) into ``$PUREZMQ_BROWSER_CACHE`` (default
``~/.cache/purezmq/browser``); tests skip with ``*_MISSING`` as the reason when it has not run.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import purezmq
from purezmq.browser import StaticServer, module_path

HERE = Path(__file__).resolve().parent.parent / "interop" / "browser"
CACHE = Path(os.environ.get("PUREZMQ_BROWSER_CACHE", Path.home() / ".cache/purezmq/browser"))
NODE = shutil.which("node")
CHROMIUM = os.environ.get("PUREZMQ_CHROMIUM", "/usr/bin/chromium")
SETUP = "run tests/interop/browser/setup.sh"
NODE_MISSING = None if NODE else f"no node on PATH: {SETUP}"
CHROMIUM_MISSING = (
    NODE_MISSING
    or (None if Path(CHROMIUM).exists() else f"no chromium at {CHROMIUM}: {SETUP}")
    or (
        None
        if (CACHE / "node_modules" / "playwright-core").is_dir()
        else f"no playwright-core in {CACHE}: {SETUP}"
    )
)
NODE_WS_MISSING = NODE_MISSING or (
    None if (CACHE / "node_modules" / "ws").is_dir() else f"no npm ws in {CACHE}: {SETUP}"
)
JSZMQ_MISSING = NODE_MISSING or (
    None if (CACHE / "node_modules" / "jszmq").is_dir() else f"no jszmq in {CACHE}: {SETUP}"
)
TSC = CACHE / "node_modules" / ".bin" / "tsc"
TSC_MISSING = NODE_MISSING or (None if TSC.exists() else f"no typescript in {CACHE}: {SETUP}")
#: Seconds any one answer of the driver may take.
TIMEOUT = 30.0


def test_routes() -> dict[str, Path | str | bytes]:
    """The static files of the test page: roles.mjs and test.html beside zmq.js."""
    return {"/roles.mjs": HERE / "roles.mjs", "/test.html": HERE / "test.html"}


class Driver:
    """``driver.mjs`` as a subprocess: ``call(op, ...)`` sends a command and returns its JSON
    answer; ``start(op, ...)`` returns a ``queue.Queue`` that will hold it."""

    def __init__(self, mode: str, target: str) -> None:
        argv = [str(NODE)]
        if mode == "node":
            argv.append("--experimental-websocket")
        argv += ["--no-warnings", str(HERE / "driver.mjs"), mode, target]
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PUREZMQ_BROWSER_CACHE": str(CACHE)},
        )
        self._ids = itertools.count(1)
        self._waiting: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.stderr: list[str] = []
        ready: queue.Queue[dict[str, Any]] = queue.Queue()
        self._waiting[0] = ready
        self._readers = [
            threading.Thread(target=self._read, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        try:
            started = ready.get(timeout=TIMEOUT * 2).get("ready")
        except queue.Empty:
            started = False
        if not started:
            self.close()
            raise RuntimeError("the JavaScript driver did not start:\n" + self.log())

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            answer = json.loads(line)
            with self._lock:
                waiter = self._waiting.pop(int(answer.get("id", 0)), None)
            if waiter is not None:
                waiter.put(answer)
        with self._lock:  # it ended: nobody waits for an answer that cannot come
            waiting, self._waiting = self._waiting, {}
        for waiter in waiting.values():
            waiter.put({"ok": False, "error": "the driver ended"})

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line.rstrip())

    def log(self) -> str:
        return "\n".join(self.stderr[-40:])

    def start(self, op: str, **fields: Any) -> tuple[int, queue.Queue[dict[str, Any]]]:
        ident = next(self._ids)
        answer: queue.Queue[dict[str, Any]] = queue.Queue()
        with self._lock:
            self._waiting[ident] = answer
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"id": ident, "op": op, **fields}) + "\n")
        self.proc.stdin.flush()
        return ident, answer

    def wait(self, answer: queue.Queue[dict[str, Any]], timeout: float = TIMEOUT) -> dict[str, Any]:
        try:
            return answer.get(timeout=timeout)
        except queue.Empty:
            log = self.log()
            raise AssertionError(f"no answer from the driver in {timeout} s:\n{log}") from None

    def call(self, op: str, **fields: Any) -> dict[str, Any]:
        return self.wait(self.start(op, **fields)[1])

    def close(self) -> None:
        """Ends the driver (its stdin closing tells it to) and closes every pipe."""
        assert self.proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        for reader in self._readers:
            reader.join(5)  # they end at the pipes' EOF
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()


def node_driver(mode: str = "node") -> Driver:
    """zmq.js under Node 20: its WebSocket behind --experimental-websocket (``node``), or
    npm ws given as ``options.WebSocket`` (``node-ws``)."""
    return Driver(mode, module_path().as_uri())


class ChromiumDriver(Driver):
    """zmq.js in headless Chromium, on the test page the server here serves."""

    def __init__(self) -> None:
        self.server = StaticServer(test_routes()).start()
        try:
            super().__init__("chromium", self.server.url + "test.html")
        except BaseException:
            self.server.close()
            raise

    def close(self) -> None:
        super().close()
        self.server.close()


def play(sock: Any, type_name: str, role: str, count: int, stop: threading.Event) -> None:
    """The Python side of a role, on a purezmq socket (the messages of roles.mjs/peer.py)."""
    if role == "echo":
        for _ in range(count):
            if type_name == "SERVER":
                frame = sock.recv(copy=False)
                sock.send(frame.bytes, routing_id=frame.routing_id)
            else:
                sock.send_multipart(sock.recv_multipart())
    elif role == "request":
        envelope = [b""] if type_name == "DEALER" else []
        for i in range(count):
            msg = [b"req-%d" % i, b"x" * (i * 100)]
            sock.send_multipart(envelope + msg)
            reply = sock.recv_multipart()
            assert reply == envelope + msg, reply
    elif role == "send":
        for i in range(count):
            sock.send_multipart([b"msg-%d" % i, b"y" * (i * 100)])
    elif role == "recv":
        for i in range(count):
            msg = sock.recv_multipart()
            if type_name == "SUB":
                assert msg[0].startswith(b"t"), msg
            else:
                assert msg == [b"msg-%d" % i, b"y" * (i * 100)], msg
    elif role == "publish":
        i = 0
        while not stop.wait(0.02):
            sock.send_multipart([b"t-%d" % i, b"z" * 10])
            sock.send(b"other topic")
            i += 1
    else:
        raise AssertionError(f"unknown role {role}")


class PlayThread(threading.Thread):
    """``play`` on a purezmq socket in a thread; ``join_ok()`` re-raises what it raised."""

    def __init__(self, sock: purezmq.Socket, type_name: str, role: str, count: int) -> None:
        super().__init__(daemon=True)
        self.args = (sock, type_name, role, count)
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            play(*self.args, self.stop)
        except BaseException as exc:
            self.error = exc

    def join_ok(self, timeout: float = TIMEOUT) -> None:
        self.stop.set()
        self.join(timeout)
        assert not self.is_alive(), "the purezmq side did not finish"
        if self.error is not None:
            raise self.error
