"""``purezmq demo --browser``: a web page talking ØMQ to this process.

Binds a PUB (a live feed) and a REP (answers a form) on ``ws://``, serves ``demo.html`` and
``zmq.js`` over HTTP from a thread, and prints the page's address. The page subscribes to the
feed and sends the form's text as requests, with zmq.js (docs/browser.md).

    purezmq demo --browser [--host H] [--port P] [--duration S]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import purezmq

from . import StaticServer

PAGE = Path(__file__).resolve().parent / "demo.html"
#: The feed's topic: the page subscribes to it.
TOPIC = b"tick"
#: Seconds between two feed messages.
FEED_INTERVAL = 0.5


class BrowserDemo:
    """The demo's servers: ``start()`` binds and serves, ``url`` is the page, ``close()``
    stops everything. ``host`` is where all three listen; ``port`` is the HTTP port (0: any)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.ctx = purezmq.Context()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.http: StaticServer | None = None
        self.feed_endpoint = ""
        self.reply_endpoint = ""
        #: Requests answered so far (the tests read it).
        self.answered = 0

    def start(self) -> BrowserDemo:
        ws_host = f"[{self.host}]" if ":" in self.host else self.host
        pub = self.ctx.socket(purezmq.PUB)
        rep = self.ctx.socket(purezmq.REP)
        for sock in (pub, rep):
            sock.linger = 0
            sock.bind(f"ws://{ws_host}:*")
        rep.rcvtimeo = 200  # wakes up to see the stop flag
        self.feed_endpoint = pub.last_endpoint.decode()
        self.reply_endpoint = rep.last_endpoint.decode()
        config = json.dumps(
            {
                "feed": self.feed_endpoint,
                "topic": TOPIC.decode(),
                "requests": self.reply_endpoint,
                "version": purezmq.__version__,
            }
        ).encode()
        self.http = StaticServer({"/": PAGE, "/config.json": config}, self.host, self.port)
        self.http.start()
        for target, sock in ((self._publish, pub), (self._answer, rep)):
            thread = threading.Thread(target=target, args=(sock,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    @property
    def url(self) -> str:
        assert self.http is not None, "start() first"
        return self.http.url

    def _publish(self, pub: purezmq.Socket) -> None:
        """A made-up sensor: a smooth wave with a sequence number, as JSON."""
        seq = 0
        try:
            while not self._stop.wait(FEED_INTERVAL):
                seq += 1
                value = 20 + 5 * math.sin(seq / 6) + 0.8 * math.sin(seq * 1.7)
                body = {"seq": seq, "time": time.strftime("%H:%M:%S"), "value": round(value, 2)}
                pub.send_multipart([TOPIC, json.dumps(body).encode()])
        finally:
            pub.close()

    def _answer(self, rep: purezmq.Socket) -> None:
        try:
            while not self._stop.is_set():
                try:
                    request = rep.recv_multipart()
                except purezmq.Again:
                    continue
                text = b" ".join(request).decode("utf-8", "replace").strip() or "stranger"
                self.answered += 1
                answer = (
                    f"Hello, {text}! Answer #{self.answered} from purezmq "
                    f"{purezmq.__version__} at {time.strftime('%H:%M:%S')}"
                )
                rep.send_string(answer)
        finally:
            rep.close()

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(5)
        if self.http is not None:
            self.http.close()
        self.ctx.term()

    def __enter__(self) -> BrowserDemo:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def main(argv: Sequence[str] | None = None) -> int:
    """``purezmq demo --browser``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="purezmq demo --browser",
        description="Serve a web page that talks ØMQ (zmq.js over ws://) to this process: "
        "a live PUB/SUB feed and a request/reply form.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="listen here (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="HTTP port (default: any free one)")
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help="stop after this many seconds (default: at Ctrl-C)",
    )
    args = parser.parse_args(argv)
    if not purezmq.has("ws"):
        print(
            "purezmq demo --browser needs ws:// support: pip install 'purezmq[ws]' (wsproto)",
            flush=True,
        )
        return 1
    with BrowserDemo(args.host, args.port) as demo:
        print(f"purezmq browser demo: open {demo.url}", flush=True)
        print(
            f"  feed (PUB) {demo.feed_endpoint}, requests (REP) {demo.reply_endpoint}; "
            + ("Ctrl-C to stop" if args.duration is None else f"stopping in {args.duration:g} s"),
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait(args.duration)
    print("purezmq browser demo: stopped", flush=True)
    return 0


__all__ = ["BrowserDemo", "main"]
