from __future__ import annotations

import pytest

import purezmq
from purezmq import constants
from purezmq.constants import Errno, Event, SocketOption, SocketType

zmq = pytest.importorskip("zmq")


def test_every_pyzmq_constant_has_the_same_value() -> None:
    missing = []
    for name in dir(zmq):
        if not name.isupper() or name in {"COPY_THRESHOLD", "DRAFT_API", "PYZMQ_DRAFT_API"}:
            continue
        value = getattr(zmq, name)
        if not isinstance(value, int):
            continue
        if not hasattr(purezmq, name):
            missing.append(name)
            continue
        assert int(getattr(purezmq, name)) == int(value), name
    assert missing == []


def test_enums_match_pyzmq_enums() -> None:
    for ours, theirs in [
        (SocketType, zmq.SocketType),
        (SocketOption, zmq.SocketOption),
        (Errno, zmq.Errno),
        (Event, zmq.Event),
    ]:
        for member in theirs:
            if member.name.startswith("PROTOCOL_ERROR"):
                continue
            assert int(ours[member.name]) == int(member), member


def test_module_aliases_match_enums() -> None:
    assert constants.PUB is SocketType.PUB
    assert constants.EVENT_HANDSHAKE_SUCCEEDED == Event.HANDSHAKE_SUCCEEDED
    assert constants.PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH == 0x11000002
    assert constants.IDENTITY == constants.ROUTING_ID == 5
    assert set(constants.__all__) <= set(dir(constants))
