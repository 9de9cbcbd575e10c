"""A blocking PUB's fan-out in bursts: every subscriber gets whole messages, in order, each its
own queue's share, whether the I/O thread flushes its connections' pipes one message at a time
or in runs framed once for all of them (``codec._SharedBatch``), against purezmq and libzmq
subscribers alike."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from typing import Any

import pytest
import zmq

import purezmq

TIMEOUT_MS = 10_000
#: Enough for runs far longer than the codec's sharing minimum (16 messages).
COUNT = 3000


class Contexts:
    """A purezmq and a libzmq Context; every socket made through ``socket`` is closed at the
    end (pyzmq warns about a socket left to its Context's destroy)."""

    def __init__(self) -> None:
        self.ours = purezmq.Context()
        self.theirs = zmq.Context()
        self.sockets: list[Any] = []

    def socket(self, kind: int, *, libzmq: bool = False) -> Any:
        sock = (self.theirs if libzmq else self.ours).socket(kind)
        sock.linger = 0
        self.sockets.append(sock)
        return sock

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()
        self.ours.term()
        self.theirs.term()


@pytest.fixture
def contexts() -> Iterator[Contexts]:
    c = Contexts()
    yield c
    c.close()


def _endpoint(transport: str, pub: purezmq.Socket, tmp: str) -> str:
    if transport == "tcp":
        return f"tcp://127.0.0.1:{pub.bind_to_random_port('tcp://127.0.0.1')}"
    address = f"ipc://{tmp}/fan"
    pub.bind(address)
    return address


def _subscribers(contexts: Contexts, endpoint: str, rcvhwm: int) -> list[Any]:
    """Three purezmq SUBs and one libzmq SUB, subscribed to everything."""
    subs = [contexts.socket(zmq.SUB) for _ in range(3)] + [contexts.socket(zmq.SUB, libzmq=True)]
    for sub in subs:
        sub.rcvhwm = rcvhwm
        sub.rcvtimeo = TIMEOUT_MS
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        sub.connect(endpoint)
    return subs


def _sync(pub: purezmq.Socket, subs: list[Any]) -> None:
    """Probe until every subscriber hears one, then drain up to an end marker."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    pending = list(subs)
    while pending:
        assert time.monotonic() < deadline, "subscribers never received a probe"
        pub.send(b"probe")
        pending = [s for s in pending if not s.poll(20, zmq.POLLIN)]
    pub.send(b"synced")
    for sub in subs:
        while sub.recv() != b"synced":
            pass


def _receive_all(sub: Any) -> list[list[bytes]]:
    got: list[list[bytes]] = []
    while (msg := sub.recv_multipart()) != [b"end"]:
        got.append(msg)
    return got


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_every_subscriber_gets_every_message_whole_and_in_order(
    contexts: Contexts, transport: str
) -> None:
    pub = contexts.socket(zmq.PUB)
    pub.sndhwm = 0  # nothing dropped: every subscriber must get all of it
    with tempfile.TemporaryDirectory() as tmp:
        subs = _subscribers(contexts, _endpoint(transport, pub, tmp), rcvhwm=0)
        _sync(pub, subs)
        sent = [[b"%d" % i, bytes([i % 256]) * (i % 300)] for i in range(COUNT)]
        sent[100] = [b"100"]  # one-frame messages among the two-frame ones
        sent[101] = [b"101", b"", b"x" * 9000]  # a body queued uncopied
        for msg in sent:
            pub.send_multipart(msg)
        pub.send(b"end")
        for i, sub in enumerate(subs):
            assert _receive_all(sub) == sent, i


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_a_subscriber_that_falls_behind_loses_whole_messages_only(
    contexts: Contexts, transport: str
) -> None:
    # Small queues, subscribers that read only after the burst: what each one gets is a
    # subsequence of what was sent, whole messages in order.
    pub = contexts.socket(zmq.PUB)
    pub.sndhwm = 50
    with tempfile.TemporaryDirectory() as tmp:
        subs = _subscribers(contexts, _endpoint(transport, pub, tmp), rcvhwm=50)
        _sync(pub, subs)
        payload = b"p" * 200
        for i in range(COUNT):
            pub.send_multipart([b"%d" % i, payload, b"%d" % i])
        # The end marker may be dropped by a full queue: resend until each subscriber has it.
        for sub in subs:
            numbers: list[int] = []
            deadline = time.monotonic() + TIMEOUT_MS / 1000
            while True:
                assert time.monotonic() < deadline, "the end marker never arrived"
                if not sub.poll(20, zmq.POLLIN):
                    pub.send_multipart([b"end"])
                    continue
                msg = sub.recv_multipart()
                if msg == [b"end"]:
                    break
                assert len(msg) == 3 and msg[1] == payload and msg[0] == msg[2]
                numbers.append(int(msg[0]))
            assert numbers == sorted(set(numbers))
            assert numbers and numbers[-1] < COUNT


@pytest.fixture
def untracked(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a process that never made a tracked payload (another test may have): only then
    do connections share framing (``codec.payloads_tracked``)."""
    from purezmq.zmtp import codec

    monkeypatch.setattr(codec, "payloads_tracked", lambda: False)


def _burst_while_the_loop_is_held(pub: purezmq.Socket, sent: list[list[bytes]]) -> None:
    """Publish ``sent`` while the I/O thread is busy, so that every subscriber's queue holds
    the whole burst when the loop flushes them one after the other."""
    import threading

    busy, release = threading.Event(), threading.Event()

    def hold_the_loop() -> None:
        busy.set()
        release.wait(TIMEOUT_MS / 1000)

    pub._core.call_soon(hold_the_loop)
    assert busy.wait(TIMEOUT_MS / 1000)
    try:
        for msg in sent:
            pub.send_multipart(msg)
    finally:
        release.set()


@pytest.mark.usefixtures("untracked")
def test_subscribers_flushed_after_the_first_take_its_framing(contexts: Contexts) -> None:
    from purezmq.zmtp import codec

    pub = contexts.socket(zmq.PUB)
    pub.sndhwm = 0
    subs = _subscribers(contexts, _endpoint("tcp", pub, ""), rcvhwm=0)
    _sync(pub, subs)
    sent = [[b"%d" % i, bytes([i % 256]) * (i % 300)] for i in range(500)]
    sent[7] = [b"7", b"x" * 9000]  # a body queued uncopied, shared as it is
    taken = codec.shared_taken()
    _burst_while_the_loop_is_held(pub, sent)
    for sub in subs:
        assert [sub.recv_multipart() for _ in sent] == sent
    # One framing, taken by the three connections flushed after the first.
    assert codec.shared_taken() - taken == len(subs) - 1


@pytest.mark.usefixtures("untracked")
def test_curve_subscribers_get_a_burst_each_sealed_for_them(contexts: Contexts) -> None:
    pytest.importorskip("nacl")
    from purezmq.zmtp import codec

    server_public, server_secret = zmq.curve_keypair()
    pub = contexts.socket(zmq.PUB)
    pub.sndhwm = 0
    pub.curve_server = 1
    pub.curve_secretkey = server_secret
    endpoint = _endpoint("tcp", pub, "")
    subs = []
    for libzmq in (False, True):
        sub = contexts.socket(zmq.SUB, libzmq=libzmq)
        sub.curve_serverkey = server_public
        sub.curve_publickey, sub.curve_secretkey = zmq.curve_keypair()
        sub.rcvhwm = 0
        sub.rcvtimeo = TIMEOUT_MS
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        sub.connect(endpoint)
        subs.append(sub)
    _sync(pub, subs)
    sent = [[b"%d" % i, bytes([i % 256]) * (i % 300)] for i in range(300)]
    taken = codec.shared_taken()
    _burst_while_the_loop_is_held(pub, sent)
    for sub in subs:
        assert [sub.recv_multipart() for _ in sent] == sent
    assert codec.shared_taken() == taken  # each connection sealed its own


def test_a_burst_to_many_subscribers_wakes_the_io_thread_once(contexts: Contexts) -> None:
    # The caller runs the fan-out (the pattern writes each subscriber's queue); what crosses to
    # the I/O thread is one flush request per connection whose queue was empty, through one
    # wake-up of its loop, never one per message or per subscriber and message.
    import threading

    pub = contexts.socket(zmq.PUB)
    pub.sndhwm = 0
    subs = _subscribers(contexts, _endpoint("tcp", pub, ""), rcvhwm=0)
    _sync(pub, subs)
    wakeup = pub._core._io_wakeup()
    busy, release = threading.Event(), threading.Event()

    def hold_the_loop() -> None:
        busy.set()
        release.wait(TIMEOUT_MS / 1000)

    pub._core.call_soon(hold_the_loop)
    assert busy.wait(TIMEOUT_MS / 1000)
    kicks = wakeup.statistics().kicks
    for i in range(500):
        pub.send(b"%d" % i)
    pending = wakeup.statistics().pending
    assert wakeup.statistics().kicks == kicks  # the loop is busy: nothing to kick
    release.set()
    assert pending == len(subs)  # one flush request per subscriber's connection, for 500
    for sub in subs:
        assert [sub.recv() for _ in range(500)] == [b"%d" % i for i in range(500)]
    assert pub._core.statistics().pattern.messages_dropped == 0
