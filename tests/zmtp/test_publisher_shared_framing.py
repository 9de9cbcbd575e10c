"""A publisher's connections share the framing of one run of messages: the second and later
subscribers' connections take the bytes the first one made (``Connection.send_framed``,
``FrameEncoder.take_shared``), exactly the bytes they would have made themselves; CURVE
connections, a subscriber's connection, and runs that are not the very same message objects
frame on their own."""

from __future__ import annotations

import pytest

from purezmq.constants import SocketType as T
from purezmq.testing import connected_pair, transfer
from purezmq.zmtp import Connection, NullMechanism, codec
from purezmq.zmtp.codec import FrameEncoder


@pytest.fixture(autouse=True)
def untracked(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a process that never made a tracked payload (another test may have)."""
    monkeypatch.setattr(codec, "payloads_tracked", lambda: False)


def _run(n: int = 100) -> list[list[bytes]]:
    run = [[bytes([i % 256]) * 64] for i in range(n)]
    run[3] = [b"topic", b"", b"body"]
    run[4] = [b"x" * 300]
    run[5] = [b"big", b"y" * 9000]  # a body queued uncopied (codec.COPY_THRESHOLD)
    return run


def _framed_alone(messages: list[list[bytes]]) -> bytes:
    enc = FrameEncoder()
    for msg in messages:
        enc.message(msg)
    return b"".join(enc.drain())


def _publishers(n: int) -> list[tuple[Connection, Connection]]:
    pairs = [connected_pair(T.PUB, T.SUB) for _ in range(n)]
    for pub, _ in pairs:
        pub.data_to_send()
    return pairs


def test_later_subscribers_take_the_bytes_of_the_first_and_receive_the_run() -> None:
    (first, first_sub), *others = _publishers(4)
    run = _run()
    assert not first.send_framed(run)  # nobody framed it yet: the caller frames it
    first.send_messages(run)
    wire = first.data_to_send()
    assert b"".join(wire) == _framed_alone(run)
    taken = codec.shared_taken()
    for pub, _ in others:
        assert pub.send_framed(run)
    assert codec.shared_taken() == taken + len(others)
    for pub, sub in others:
        chunks = pub.data_to_send()
        assert b"".join(chunks) == b"".join(wire)
        assert all(a is b for a, b in zip(chunks, wire, strict=True))  # framed once
        for chunk in chunks:
            sub.receive_data(bytes(chunk))
        assert [list(msg) for msg in sub.messages_received()] == run
    for chunk in wire:
        first_sub.receive_data(bytes(chunk))
    assert [list(msg) for msg in first_sub.messages_received()] == run


def test_curve_connections_seal_their_own() -> None:
    from purezmq.zmtp.mechanisms import _crypto
    from purezmq.zmtp.mechanisms.curve import CurveClient, CurveServer

    ((plain, _),) = _publishers(1)
    run = _run()
    plain.send_messages(run)
    plain.data_to_send()
    spk, ssk = _crypto.keypair()
    for _ in range(2):
        cpk, csk = _crypto.keypair()
        pub, sub = connected_pair(
            T.PUB,
            T.SUB,
            mechanism_a=CurveServer(secret_key=ssk, zap=False),
            mechanism_b=CurveClient(public_key=cpk, secret_key=csk, server_key=spk),
        )
        taken = codec.shared_taken()
        assert not pub.send_framed(run)
        pub.send_messages(run)
        assert codec.shared_taken() == taken
        transfer(pub, sub)
        assert [list(msg) for msg in sub.messages_received()] == run


def test_only_the_very_same_run_on_an_idle_publisher_connection_is_taken() -> None:
    (first, _), (second, second_sub) = _publishers(2)
    run = _run()
    first.send_messages(run)
    first.data_to_send()
    late = run[10:]  # a subscriber that joined mid-run: a shorter run, framed on its own
    copies = [list(msg) for msg in run]  # equal, but other objects
    for messages in (late, copies):
        assert not second.send_framed(messages)
        second.send_messages(messages)
        transfer(second, second_sub)
        assert [list(msg) for msg in second_sub.messages_received()] == messages
    first.send_messages(run)  # the run just framed again, for the checks below
    first.data_to_send()
    second.send_message([b"pending"])  # bytes already queued: they go first, unshared
    assert not second.send_framed(run)
    second.send_messages(run)
    transfer(second, second_sub)
    assert [list(msg) for msg in second_sub.messages_received()] == [[b"pending"], *run]
    short = run[:10]  # too short a run to share
    first.send_messages(short)
    first.data_to_send()
    assert not second.send_framed(short)


def test_a_subscriber_or_unready_connection_takes_nothing() -> None:
    run = _run()
    pub = Connection(T.PUB, NullMechanism())
    assert not pub.send_framed(run)  # not started: nothing queued, no error
    subscriptions = [[b"\x01" + bytes([i])] for i in range(20)]
    (first, _), (second, _) = connected_pair(T.SUB, T.PUB), connected_pair(T.SUB, T.PUB)
    second.data_to_send()
    first.send_messages(subscriptions)
    # A SUB's pipe messages become SUBSCRIBE/CANCEL commands: never another's bytes.
    assert not second.send_framed(subscriptions)
