"""ZAP request/reply codec (RFC 27) with libzmq's checks and protocol-error codes."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purezmq.constants import ProtocolErrorCode
from purezmq.error import RemoteProtocolError
from purezmq.zmtp.metadata import encode_metadata
from purezmq.zmtp.zap import (
    ERROR_REASON,
    ZAP_ENDPOINT,
    ZapPolicy,
    ZapReply,
    build_reply,
    build_request,
    parse_reply,
    zap_policy,
)

from ._helpers import CLIENT_PUBLIC

Code = ProtocolErrorCode


def test_request_matches_libzmq_capture() -> None:
    # zap.md §2: what a libzmq PLAIN server with ZAP_DOMAIN "global" and ROUTING_ID "SRVID"
    # sent (after the ROUTER handler's routing id).
    frames = build_request(domain="global", address="127.0.0.1", identity=b"SRVID",
                           mechanism=b"PLAIN", credentials=(b"admin", b"secret"))
    assert frames == [b"", b"1.0", b"1", b"global", b"127.0.0.1", b"SRVID", b"PLAIN",
                      b"admin", b"secret"]
    assert ZAP_ENDPOINT == "inproc://zeromq.zap.01"


def test_request_per_mechanism() -> None:
    null = build_request(domain=b"", address=b"::1", identity=b"", mechanism=b"NULL")
    assert null == [b"", b"1.0", b"1", b"", b"::1", b"", b"NULL"]
    curve = build_request(domain="d", address="10.0.0.1", identity=b"", mechanism=b"CURVE",
                          credentials=(CLIENT_PUBLIC,))
    assert curve[-2:] == [b"CURVE", CLIENT_PUBLIC]


def test_parse_valid_reply() -> None:
    md = encode_metadata({"X-Hello": b"world"})
    reply = parse_reply([b"", b"1.0", b"1", b"200", b"OK", b"alice", md])
    assert reply == ZapReply(200, b"OK", b"alice", {"X-Hello": b"world"})
    assert reply.accepted
    for status in (300, 400, 500):
        parsed = parse_reply(build_reply(status, b"no"))
        assert parsed.status == status and not parsed.accepted


def test_round_trip_with_mapping_metadata() -> None:
    frames = build_reply(200, b"OK", b"u", {"X-A": b"1", "X-B": b""})
    assert parse_reply(frames).metadata == {"X-A": b"1", "X-B": b""}


def test_error_reason_table() -> None:
    assert ERROR_REASON == {200: None, 300: None, 400: b"400", 500: b"500"}


GOOD = [b"", b"1.0", b"1", b"200", b"OK", b"", b""]


def _with(index: int, value: bytes) -> list[bytes]:
    frames = list(GOOD)
    frames[index] = value
    return frames


@pytest.mark.parametrize(
    ("frames", "code"),
    [
        (GOOD[:6], Code.ZAP_MALFORMED_REPLY),
        ([*GOOD, b""], Code.ZAP_MALFORMED_REPLY),
        ([], Code.ZAP_MALFORMED_REPLY),
        (_with(0, b"x"), Code.ZAP_UNSPECIFIED),
        (_with(1, b"1.1"), Code.ZAP_BAD_VERSION),
        (_with(1, b""), Code.ZAP_BAD_VERSION),
        (_with(2, b"2"), Code.ZAP_BAD_REQUEST_ID),
        (_with(2, b"11"), Code.ZAP_BAD_REQUEST_ID),
        (_with(3, b"201"), Code.ZAP_INVALID_STATUS_CODE),
        (_with(3, b"600"), Code.ZAP_INVALID_STATUS_CODE),
        (_with(3, b"100"), Code.ZAP_INVALID_STATUS_CODE),
        (_with(3, b"2000"), Code.ZAP_INVALID_STATUS_CODE),
        (_with(3, b"20"), Code.ZAP_INVALID_STATUS_CODE),
        (_with(6, b"\x05X-Hel"), Code.ZAP_INVALID_METADATA),
    ],
)
def test_reply_checks(frames: list[bytes], code: int) -> None:
    with pytest.raises(RemoteProtocolError) as info:
        parse_reply(frames)
    assert info.value.code == code


def test_custom_request_id_is_checked() -> None:
    assert parse_reply(build_reply(200, request_id=b"42"), request_id=b"42").status == 200
    with pytest.raises(RemoteProtocolError):
        parse_reply(build_reply(200), request_id=b"42")


def test_build_reply_rejects_bad_status() -> None:
    with pytest.raises(ValueError):
        build_reply(201)


_ZAP_CODES = {c for c in Code if c.name.startswith("ZAP_")}


@given(st.lists(st.binary(max_size=20), max_size=9))
def test_fuzz_reply_parser(frames: list[bytes]) -> None:
    with contextlib.suppress(RemoteProtocolError):
        parse_reply(frames)


@given(st.binary(max_size=40), st.sampled_from([b"200", b"300", b"400", b"500"]))
def test_fuzz_reply_metadata(metadata: bytes, status: bytes) -> None:
    try:
        reply = parse_reply([b"", b"1.0", b"1", status, b"", b"", metadata])
    except RemoteProtocolError as exc:
        assert exc.code in _ZAP_CODES
    else:
        assert reply.status == int(status)


@pytest.mark.parametrize(
    ("mechanism", "server", "domain", "enforce", "bound", "policy"),
    [
        # NULL: only with a domain; a missing handler is fatal only when enforced.
        (b"NULL", False, b"", False, True, "skip"),
        (b"NULL", False, b"d", False, True, "ask"),
        (b"NULL", False, b"d", False, False, "skip"),
        (b"NULL", False, b"d", True, False, "fail"),
        # PLAIN server: always; no handler = refuse (libzmq >= 4.3). Clients never ask.
        (b"PLAIN", True, b"", False, True, "ask"),
        (b"PLAIN", True, b"", False, False, "fail"),
        (b"PLAIN", False, b"d", True, True, "skip"),
        # CURVE server: Stonehouse without handler unless enforced with a domain.
        (b"CURVE", True, b"", False, True, "ask"),
        (b"CURVE", True, b"", False, False, "skip"),
        (b"CURVE", True, b"d", False, False, "skip"),
        (b"CURVE", True, b"", True, True, "skip"),
        (b"CURVE", True, b"d", True, True, "ask"),
        (b"CURVE", True, b"d", True, False, "fail"),
        (b"CURVE", False, b"d", True, True, "skip"),
    ],
)
def test_zap_policy(mechanism: bytes, server: bool, domain: bytes, enforce: bool, bound: bool,
                    policy: str) -> None:
    got = zap_policy(mechanism, as_server=server, domain=domain, enforce_domain=enforce,
                     handler_bound=bound)
    assert got is ZapPolicy(policy)
