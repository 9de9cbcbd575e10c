"""Regressions found by the benchmark and integration runs, through the public sync API."""

from __future__ import annotations

import pytest

import purezmq


@pytest.mark.parametrize("transport", ["inproc", "ipc", "tcp"])
def test_rep_reply_survives_an_immediate_close(transport: str, tmp_path: object) -> None:
    """A REP that sends its reply and closes at once: libzmq delivers the reply, so do we."""
    endpoint = {
        "inproc": "inproc://reply-then-close",
        "ipc": f"ipc://{tmp_path}/sock",
        "tcp": "tcp://127.0.0.1:*",
    }[transport]
    with purezmq.Context() as ctx:
        rep = ctx.socket(purezmq.REP)
        rep.bind(endpoint)
        req = ctx.socket(purezmq.REQ)
        req.rcvtimeo = 5000
        req.linger = 0
        req.connect(rep.last_endpoint.decode())
        req.send(b"hi")
        rep.send(rep.recv())
        rep.close()  # default LINGER: the reply must still leave
        assert req.recv() == b"hi"
        req.close()
