"""A connect() refused before any connection (the endpoint passed parsing, then failed its
checks) leaves no queue behind: with IMMEDIATE=0 the session pipe is made before the check,
and an orphan would take its share of a DEALER's round-robin forever."""

from __future__ import annotations

import pytest

import purezmq

TIMEOUT_MS = 5000
BAD_PEM = b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"


def test_refused_wss_connect_takes_none_of_the_messages() -> None:
    pytest.importorskip("wsproto")
    ctx = purezmq.Context()
    router = ctx.socket(purezmq.ROUTER)
    dealer = ctx.socket(purezmq.DEALER)
    router.rcvtimeo = TIMEOUT_MS
    port = router.bind_to_random_port("tcp://127.0.0.1")
    dealer.wss_trust_pem = BAD_PEM
    with pytest.raises(purezmq.ZMQError):
        dealer.connect("wss://127.0.0.1:1/")
    dealer.connect(f"tcp://127.0.0.1:{port}")
    for i in range(4):
        dealer.send(b"%d" % i)
    received = [router.recv_multipart()[1] for _ in range(4)]
    assert received == [b"0", b"1", b"2", b"3"]
    dealer.close(0)
    router.close(0)
    ctx.term()
