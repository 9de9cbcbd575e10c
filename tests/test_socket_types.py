from __future__ import annotations

from purezmq.constants import SocketType as T
from purezmq.socket_types import SOCKET_TYPES, compatible, from_zmtp_name, info


def test_table_is_symmetric() -> None:
    for local, entry in SOCKET_TYPES.items():
        for peer in entry.peers:
            assert compatible(peer, local), (local, peer)


def test_request_reply_combinations() -> None:
    for a, b in [(T.REQ, T.REP), (T.DEALER, T.REP), (T.REQ, T.ROUTER), (T.DEALER, T.ROUTER),
                 (T.DEALER, T.DEALER), (T.ROUTER, T.ROUTER)]:
        assert compatible(a, b)
    assert not compatible(T.REQ, T.REQ)
    assert not compatible(T.PUB, T.PUB)
    assert not compatible(T.STREAM, T.STREAM)


def test_names() -> None:
    assert from_zmtp_name(b"DEALER") is T.DEALER
    assert from_zmtp_name("dealer") is T.DEALER
    assert from_zmtp_name(b"\xff") is None
    assert info(T.ROUTER).sends_identity
    assert not info(T.PUB).sends_identity
    assert not info(T.SUB).can_send
