"""``Pattern.recv_gate`` of REQ: after a request, a fair queue whose ``active`` count, while 0,
proves ``recv()`` returns None (what lets the asyncio front-end skip that call). Whatever can
make ``recv()`` return something must first make the count non-zero, or clear the gate."""

from __future__ import annotations

from purezmq.constants import SocketType
from purezmq.patterns.reqrep import Req

from ._helpers import connect, make


def _gated(req: Req) -> bool:
    gate = req.recv_gate
    return gate is not None and not gate.active


def test_a_request_sets_the_gate_and_its_reply_opens_it() -> None:
    req, _ = make(SocketType.REQ)
    assert isinstance(req, Req)
    _, rep = connect(req)
    assert req.recv_gate is None  # no request yet: recv() raises EFSM
    assert req.send([b"q"])
    assert _gated(req)
    assert req.recv() is None
    rep.write([b"", b"a"])  # the reply activates the sleeping pipe
    assert not _gated(req)
    assert req.recv() == [b"a"]
    assert req.recv_gate is None


def test_a_stale_reply_before_the_request_is_drained_under_the_gate() -> None:
    req, _ = make(SocketType.REQ, req_relaxed=1)
    assert isinstance(req, Req)
    _, rep = connect(req)
    assert req.send([b"1"])
    rep.write([b"", b"late"])
    assert req.send([b"2"])  # REQ_RELAXED: the first reply is given up, and dropped here
    assert _gated(req)
    assert req.recv() is None


def test_a_new_peer_or_a_reply_read_ahead_opens_the_gate() -> None:
    req, _ = make(SocketType.REQ)
    assert isinstance(req, Req)
    _, rep = connect(req)
    assert req.send([b"q"])
    connect(req)  # a new pipe starts active: recv() must look at it
    assert not _gated(req)
    assert req.recv() is None
    assert _gated(req)  # that empty look put it to sleep
    rep.write([b"", b"a"])
    assert req.can_recv()  # read ahead: recv() returns it
    assert req.recv_gate is None
    assert req.recv() == [b"a"]
