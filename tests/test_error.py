from __future__ import annotations

import pytest

from purezmq import Again, ContextTerminated, ZMQError, strerror
from purezmq.constants import Errno
from purezmq.error import LocalProtocolError, ProtocolError, RemoteProtocolError


def test_zmqerror_carries_errno_and_message() -> None:
    err = ZMQError(Errno.EFSM)
    assert err.errno == 156384763
    assert str(err) == "Operation cannot be accomplished in current state"
    assert ZMQError(Errno.EINVAL, "bad endpoint 'tcp://'").strerror == "bad endpoint 'tcp://'"


def test_subclasses_have_their_errno() -> None:
    assert Again().errno == Errno.EAGAIN
    assert ContextTerminated().errno == Errno.ETERM
    assert isinstance(Again(), ZMQError)


def test_strerror_uses_os_messages_for_posix_values() -> None:
    assert strerror(Errno.EINVAL) == "Invalid argument"


def test_protocol_errors_say_whose_fault() -> None:
    assert RemoteProtocolError("bad greeting").fault == "peer"
    assert LocalProtocolError("send before ready").fault == "local"
    assert isinstance(RemoteProtocolError("x"), ProtocolError)


def test_matches_pyzmq_messages() -> None:
    zmq = pytest.importorskip("zmq")
    for errno in (Errno.EFSM, Errno.ETERM, Errno.EAGAIN, Errno.EINVAL, Errno.EHOSTUNREACH):
        assert strerror(errno) == zmq.strerror(errno)
