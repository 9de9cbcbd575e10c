from __future__ import annotations

import pytest

import purezmq
from purezmq import constants
from purezmq.constants import Errno, Event, ProtocolErrorCode, SocketOption, SocketType
from purezmq.options import SOCKET_OPTIONS

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
        for name, member in theirs.__members__.items():
            assert int(ours[name]) == int(member), member


def test_module_aliases_match_enums() -> None:
    assert constants.PUB is SocketType.PUB
    assert constants.EVENT_HANDSHAKE_SUCCEEDED == Event.HANDSHAKE_SUCCEEDED
    assert constants.PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH == 0x11000002
    assert constants.IDENTITY == constants.ROUTING_ID == 5
    assert set(constants.__all__) <= set(dir(constants))


def test_event_holds_pyzmq_event_and_protocol_error_names() -> None:
    # Programs look both up by name (``zmq.Event.__members__``) and by value (``Event(n)``).
    assert set(Event.__members__) == set(zmq.Event.__members__)
    code = Event(ProtocolErrorCode.ZMTP_UNEXPECTED_COMMAND)
    assert code is Event.PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND
    assert "PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND" in repr(code)
    assert constants.PROTOCOL_ERROR_ZAP_BAD_VERSION is Event.PROTOCOL_ERROR_ZAP_BAD_VERSION
    for name, value in ProtocolErrorCode.__members__.items():
        assert int(Event["PROTOCOL_ERROR_" + name]) == int(value), name


def test_socket_option_value_types_match_pyzmq() -> None:
    for name, member in zmq.SocketOption.__members__.items():
        assert SocketOption[name]._opt_type.name == member._opt_type.name, name
    assert purezmq.IDENTITY._opt_type is constants._OptType.bytes


@pytest.mark.parametrize("option", sorted(SOCKET_OPTIONS))
def test_socket_option_value_type_agrees_with_its_spec(option: int) -> None:
    spec = SOCKET_OPTIONS[option]
    expected = {
        "int": constants._OptType.int,
        "int64": constants._OptType.int64,
        "uint64": constants._OptType.int64,  # AFFINITY: pyzmq passes it as int64
        "bytes": constants._OptType.bytes,
        "str": constants._OptType.bytes,  # a str option travels as bytes, as in libzmq
    }[spec.kind]
    if option == SocketOption.FD:
        expected = constants._OptType.fd
    assert SocketOption(option)._opt_type is expected
