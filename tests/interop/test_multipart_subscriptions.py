"""Subscriptions inside multipart messages between purezmq and libzmq (pyzmq): by default
every frame of a message sent by an XSUB is a (un)subscription if it starts with 0x01/0x00, on
both sides (libzmq ``xsub_t::xsend``, ``xpub_t::xread_activated``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import purezmq

zmq = pytest.importorskip("zmq")

pytestmark = pytest.mark.interop

TIMEOUT_MS = 5000


@pytest.fixture
def ctxs() -> Iterator[tuple[purezmq.Context, object]]:
    pure = purezmq.Context()
    lib = zmq.Context()
    yield pure, lib
    pure.destroy(linger=0)
    lib.destroy(linger=0)


def _pair(ctxs: tuple[purezmq.Context, object], xpub_is_pure: bool) -> tuple[object, object]:
    pure, lib = ctxs
    mod_pub, mod_sub = (purezmq, zmq) if xpub_is_pure else (zmq, purezmq)
    ctx_pub, ctx_sub = (pure, lib) if xpub_is_pure else (lib, pure)
    xpub = ctx_pub.socket(mod_pub.XPUB)  # type: ignore[attr-defined]
    xsub = ctx_sub.socket(mod_sub.XSUB)  # type: ignore[attr-defined]
    for s in (xpub, xsub):
        s.linger = 0
        s.rcvtimeo = TIMEOUT_MS
    port = xpub.bind_to_random_port("tcp://127.0.0.1")
    xsub.connect(f"tcp://127.0.0.1:{port}")
    return xpub, xsub


@pytest.mark.parametrize("xpub_is_pure", [True, False], ids=["purezmq-xpub", "libzmq-xpub"])
def test_each_frame_of_a_multipart_subscribes(
    ctxs: tuple[purezmq.Context, object], xpub_is_pure: bool
) -> None:
    xpub, xsub = _pair(ctxs, xpub_is_pure)
    xsub.send_multipart([b"\x01alpha", b"\x01beta"])  # type: ignore[attr-defined]
    got = [xpub.recv_multipart() for _ in range(2)]  # type: ignore[attr-defined]
    assert got == [[b"\x01alpha"], [b"\x01beta"]]
    # Both took effect on the XPUB: it forwards each topic.
    xpub.send(b"beta 1")  # type: ignore[attr-defined]
    xpub.send(b"alpha 1")  # type: ignore[attr-defined]
    xpub.send(b"gamma 1")  # type: ignore[attr-defined]
    assert xsub.recv() == b"beta 1"  # type: ignore[attr-defined]
    assert xsub.recv() == b"alpha 1"  # type: ignore[attr-defined]
    xsub.close()  # type: ignore[attr-defined]
    xpub.close()  # type: ignore[attr-defined]
