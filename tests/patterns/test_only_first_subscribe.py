"""Subscriptions inside multipart messages: every frame counts by default, as in libzmq
(``xpub.cpp``, ``xsub.cpp``); ONLY_FIRST_SUBSCRIBE lets the first frame decide."""

from __future__ import annotations

from purezmq.constants import SocketOption, SocketType

from ._helpers import connect, drain, make


def _recv_all(pattern: object) -> list[list[bytes]]:
    out = []
    while (msg := pattern.recv()) is not None:  # type: ignore[attr-defined]
        out.append(msg)
    return out


def test_xpub_reads_every_frame_by_default() -> None:
    xpub, _ = make(SocketType.XPUB)
    _, peer = connect(xpub)
    peer.write([b"\x01a", b"\x01b", b"data", b"more"])
    assert _recv_all(xpub) == [[b"\x01a"], [b"\x01b"], [b"data", b"more"]]
    assert xpub.send([b"b-topic"])
    assert drain(peer) == [[b"b-topic"]]
    peer.write([b"data", b"\x01c"])
    assert _recv_all(xpub) == [[b"data"], [b"\x01c"]]
    assert xpub.getsockopt(SocketOption.TOPICS_COUNT) == 3


def test_xpub_only_first_subscribe_plain_first_frame_makes_it_all_data() -> None:
    xpub, _ = make(SocketType.XPUB, only_first_subscribe=1)
    _, peer = connect(xpub)
    peer.write([b"data", b"\x01c", b"\x00d"])
    assert _recv_all(xpub) == [[b"data", b"\x01c", b"\x00d"]]
    assert xpub.getsockopt(SocketOption.TOPICS_COUNT) == 0
    # A subscription first: libzmq goes on reading the later frames as subscriptions.
    peer.write([b"\x01a", b"\x01b"])
    assert _recv_all(xpub) == [[b"\x01a"], [b"\x01b"]]
    assert xpub.getsockopt(SocketOption.TOPICS_COUNT) == 2


def test_xsub_applies_every_frame_by_default() -> None:
    xsub, _ = make(SocketType.XSUB)
    _, peer = connect(xsub)
    assert xsub.send([b"\x01a", b"\x00nothing", b"\x01b"])
    # The cancel of a topic never subscribed is left out, as libzmq drops that frame.
    assert drain(peer) == [[b"\x01a", b"\x01b"]]
    assert xsub.send([b"data", b"\x01c"])
    assert drain(peer) == [[b"data", b"\x01c"]]
    # A new subscriber gets all three: they were applied locally.
    _, late = connect(xsub)
    assert sorted(drain(late)) == [[b"\x01a"], [b"\x01b"], [b"\x01c"]]


def test_xsub_only_first_subscribe() -> None:
    xsub, _ = make(SocketType.XSUB, only_first_subscribe=1)
    _, peer = connect(xsub)
    assert xsub.send([b"data", b"\x01c", b"\x00d"])
    assert drain(peer) == [[b"data", b"\x01c", b"\x00d"]]
    _, late = connect(xsub)
    assert drain(late) == []  # nothing was subscribed
    assert xsub.send([b"\x01a", b"\x01b"])
    assert drain(peer) == [[b"\x01a", b"\x01b"]]
    _, later = connect(xsub)
    assert sorted(drain(later)) == [[b"\x01a"], [b"\x01b"]]
