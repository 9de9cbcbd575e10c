"""Browsers cannot offer ``ZWS2.0/PLAIN``: a subprotocol is an HTTP token (RFC 6455 §4.1) and
``/`` is not a token character. A purezmq ws server also accepts ``ZWS2.0-NULL``,
``ZWS2.0-PLAIN`` and ``ZWS2.0-CURVE`` as those mechanisms, answering with the spelling offered
(a browser accepts only a name it sent). docs/browser.md."""

from __future__ import annotations

from purezmq.constants import SocketType as T
from purezmq.zmtp.mechanisms.base import Mechanism
from purezmq.zmtp.mechanisms.null import NullMechanism
from purezmq.zmtp.mechanisms.plain import PlainServer
from purezmq.zmtp.zws import ZwsConnection, token_alias

REQUEST = (
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1:5555\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Sec-WebSocket-Protocol: OFFER\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


def _serve(mechanism: Mechanism, offer: bytes) -> tuple[ZwsConnection, bytes]:
    server = ZwsConnection(T.REP, mechanism, client=False)
    server.start(0.0)
    server.receive_data(REQUEST.replace(b"OFFER", offer), 0.0)
    return server, b"".join(bytes(c) for c in server.data_to_send())


def test_token_alias_names_the_rfc_45_subprotocol() -> None:
    assert token_alias("ZWS2.0-PLAIN") == "ZWS2.0/PLAIN"
    assert token_alias("ZWS2.0-NULL") == "ZWS2.0/NULL"
    assert token_alias("ZWS2.0") == "ZWS2.0"
    assert token_alias("ZWS2.0/CURVE") == "ZWS2.0/CURVE"


def test_null_server_accepts_the_token_spelling_and_runs_the_null_handshake() -> None:
    server, answer = _serve(NullMechanism(), b"ZWS2.0-NULL, ZWS2.0")
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert b"101 Switching Protocols" in head
    assert b"Sec-WebSocket-Protocol: ZWS2.0-NULL\r\n" in head + b"\r\n"
    assert server.subprotocol == "ZWS2.0/NULL"
    # The first WebSocket message is our READY command (flags 0x02), not a routing id.
    assert rest[0] == 0x82 and rest[2] == 0x02 and rest[3:9] == b"\x05READY"


def test_plain_server_accepts_zws20_plain_as_a_token() -> None:
    server, answer = _serve(PlainServer(), b"ZWS2.0-PLAIN")
    assert b"Sec-WebSocket-Protocol: ZWS2.0-PLAIN\r\n" in answer
    assert server.subprotocol == "ZWS2.0/PLAIN"
    assert not server.closed


def test_a_null_server_still_refuses_the_plain_token() -> None:
    server, answer = _serve(NullMechanism(), b"ZWS2.0-PLAIN")
    assert b"101" not in answer
    assert server.closed
