"""The draft socket options of libzmq 4.3.5 (docs/protocol/options.md): IN_BATCH_SIZE,
OUT_BATCH_SIZE, METADATA and RECONNECT_STOP behave as libzmq documents them or are refused
with EINVAL. (ONLY_FIRST_SUBSCRIBE: tests/patterns/test_only_first_subscribe.py;
ZAP_ENFORCE_DOMAIN: tests/security/test_zap_sockets.py.)"""

from __future__ import annotations

import socket
import threading

import pytest

import purezmq
from purezmq.constants import Errno, Event
from purezmq.utils.monitor import recv_monitor_message

zmq = pytest.importorskip("zmq")

TIMEOUT_MS = 5000


@pytest.mark.parametrize("name", ["in_batch_size", "out_batch_size"])
def test_batch_sizes_are_stored_and_read_back(ctx: purezmq.Context, name: str) -> None:
    s = ctx.socket(purezmq.DEALER)
    assert getattr(s, name) == 8192  # libzmq's default
    setattr(s, name, 65536)
    assert getattr(s, name) == 65536
    for bad in (0, -1):
        with pytest.raises(purezmq.ZMQError) as info:
            setattr(s, name, bad)
        assert info.value.errno == Errno.EINVAL
    assert getattr(s, name) == 65536


def test_batch_sizes_do_not_change_what_arrives(ctx: purezmq.Context) -> None:
    """purezmq sizes its reads and writes itself; a tiny batch must not cut or lose messages."""
    pull = ctx.socket(purezmq.PULL)
    pull.in_batch_size = 1
    pull.rcvtimeo = TIMEOUT_MS
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push = ctx.socket(purezmq.PUSH)
    push.out_batch_size = 1
    push.connect(f"tcp://127.0.0.1:{port}")
    bodies = [b"x" * n for n in (0, 1, 100, 9000, 70000)] * 20
    for body in bodies:
        push.send(body)
    assert [pull.recv() for _ in bodies] == bodies


def test_metadata_reaches_a_libzmq_peer() -> None:
    """METADATA properties travel in READY; libzmq's Frame.get reads them (pyzmq's wheel has
    no draft API, so only our side can set them)."""
    pure = purezmq.Context()
    lib = zmq.Context()
    router = lib.socket(zmq.ROUTER)
    router.linger = 0
    router.rcvtimeo = TIMEOUT_MS
    port = router.bind_to_random_port("tcp://127.0.0.1")
    dealer = pure.socket(purezmq.DEALER)
    dealer.linger = 0
    dealer.setsockopt(purezmq.METADATA, b"X-Service:orders")
    dealer.setsockopt(purezmq.METADATA, b"X-Shard:a:7")  # the value may hold ':'
    dealer.connect(f"tcp://127.0.0.1:{port}")
    try:
        dealer.send(b"hello")
        _rid, frame = router.recv_multipart(copy=False)
        assert frame.bytes == b"hello"
        assert frame.get("X-Service") == "orders"
        assert frame.get("X-Shard") == "a:7"
    finally:
        dealer.close()
        router.close()
        pure.term()
        lib.term()


def test_metadata_between_purezmq_sockets(ctx: purezmq.Context) -> None:
    server = ctx.socket(purezmq.SERVER)
    server.rcvtimeo = TIMEOUT_MS
    server.setsockopt(purezmq.METADATA, b"X-Role:server")
    port = server.bind_to_random_port("tcp://127.0.0.1")
    client = ctx.socket(purezmq.CLIENT)
    client.rcvtimeo = TIMEOUT_MS
    client.setsockopt(purezmq.METADATA, b"X-Role:client")
    client.connect(f"tcp://127.0.0.1:{port}")
    client.send(b"ping")
    frame = server.recv(copy=False)
    assert frame.get("X-Role") == "client"
    server.send(b"pong", routing_id=frame.routing_id)
    assert client.recv(copy=False).get("X-Role") == "server"


@pytest.mark.parametrize("bad", [b"no-colon", b"Bad Name:x", b":empty", b"X-a:" + b"v" * 300])
def test_malformed_metadata_is_einval(ctx: purezmq.Context, bad: bytes) -> None:
    s = ctx.socket(purezmq.DEALER)
    try:
        s.setsockopt(purezmq.METADATA, bad)
    except purezmq.ZMQError as exc:
        assert exc.errno == Errno.EINVAL
    else:
        # Long values are libzmq's to accept (it checks the name only): then they must travel.
        assert bad.startswith(b"X-a:")


def _refused_endpoint() -> str:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: connects are refused
    return f"tcp://127.0.0.1:{port}"


def _connecter(s: purezmq.Socket, endpoint: str) -> object:
    return s._core._connected[endpoint][0]


def _wait(predicate: object, timeout: float = TIMEOUT_MS / 1000) -> bool:
    done = threading.Event()
    for _ in range(int(timeout * 100)):
        if predicate():  # type: ignore[operator]
            return True
        done.wait(0.01)
    return bool(predicate())  # type: ignore[operator]


@pytest.mark.parametrize("flag", [0, purezmq.RECONNECT_STOP_AFTER_DISCONNECT])
def test_reconnect_stop_after_disconnect(ctx: purezmq.Context, flag: int) -> None:
    s = ctx.socket(purezmq.DEALER)
    s.reconnect_ivl = 20
    s.reconnect_stop = flag
    mon = s.get_monitor_socket(Event.CONNECT_RETRIED)
    mon.rcvtimeo = TIMEOUT_MS
    first, second = _refused_endpoint(), _refused_endpoint()
    s.connect(first)
    s.connect(second)
    # Both are retried while disconnect() has not been called.
    retried = {recv_monitor_message(mon)["endpoint"] for _ in range(6)}
    assert second.encode() in retried
    s.disconnect(first)
    other = _connecter(s, second)
    if flag:
        assert _wait(lambda: other.stopped)  # type: ignore[attr-defined]
    else:
        # Still retried: new CONNECT_RETRIED events for it keep coming.
        events = [recv_monitor_message(mon)["endpoint"] for _ in range(10)]
        assert events.count(second.encode()) >= 5
        assert not other.stopped  # type: ignore[attr-defined]


def test_reconnect_stop_unknown_bits_and_read_back(ctx: purezmq.Context) -> None:
    s = ctx.socket(purezmq.DEALER)
    assert s.reconnect_stop == 0
    s.reconnect_stop = purezmq.RECONNECT_STOP_CONN_REFUSED | purezmq.RECONNECT_STOP_HANDSHAKE_FAILED
    assert s.reconnect_stop == 3
