"""Request-reply and routing subcommands: REQ/REP, CLIENT/SERVER, DEALER/ROUTER, PAIR."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from .shell import Proc, run


def test_rep_echo_answers_each_req_line(spawn: Callable[..., Proc]) -> None:
    rep = spawn("rep", "--bind", "tcp://127.0.0.1:*", "--echo", "--count", "3", "-t", "20")
    req = run("req", "--connect", rep.endpoint(), "-t", "20", input=b"a\nb\nc\n")
    assert req.returncode == 0, req.stderr
    assert req.stdout == b"a\nb\nc\n"
    assert rep.finish() == (0, b"a\nb\nc\n")  # the replier prints the requests it answered


def test_rep_transform_computes_the_reply(spawn: Callable[..., Proc]) -> None:
    rep = spawn("rep", "-b", "tcp://127.0.0.1:*", "--transform", "text.upper()", "-n", "2")
    req = run("req", "-c", rep.endpoint(), "-t", "20", input=b"hello\nworld\n")
    assert req.stdout == b"HELLO\nWORLD\n"
    assert rep.finish()[0] == 0


def test_rep_replies_with_data_or_its_own_stdin(spawn: Callable[..., Proc]) -> None:
    rep = spawn("rep", "-b", "tcp://127.0.0.1:*", "--data", "OK", "-t", "20")
    assert run("req", "-c", rep.endpoint(), input=b"1\n2\n3\n").stdout == b"OK\nOK\nOK\n"
    rep = spawn("rep", "-b", "tcp://127.0.0.1:*", stdin=subprocess.PIPE)
    assert rep.popen.stdin is not None
    rep.popen.stdin.write(b"first\nsecond\n")
    rep.popen.stdin.close()  # two replies, then the replier's input ends and so does it
    assert run("req", "-c", rep.endpoint(), input=b"x\ny\n").stdout == b"first\nsecond\n"
    assert rep.finish() == (0, b"x\ny\n")


def test_client_and_server_reply_by_routing_id(spawn: Callable[..., Proc]) -> None:
    server = spawn("server", "-b", "tcp://127.0.0.1:*", "--transform", "text * 2", "-n", "2")
    client = run("client", "-c", server.endpoint(), "-t", "20", input=b"ab\ncd\n")
    assert client.returncode == 0, client.stderr
    assert client.stdout == b"abab\ncdcd\n"
    status, out = server.finish()
    assert status == 0
    ids = {line.split(b"\t")[0] for line in out.splitlines()}
    assert len(ids) == 1 and ids.pop().isdigit()  # the server prints ROUTING_ID<TAB>request
    assert [line.split(b"\t")[1] for line in out.splitlines()] == [b"ab", b"cd"]


def test_router_prints_the_dealer_identity_first(spawn: Callable[..., Proc]) -> None:
    router = spawn(
        "router", "-b", "tcp://127.0.0.1:*", "-n", "1", "-t", "20",
        "--transform", "[msg[0], b'', b'hi ' + msg[-1]]",
    )
    spawn(
        "dealer", "-c", router.endpoint(), "--identity", "worker-1", "-n", "1", "-t", "20",
        "--data", "\thello",  # an empty delimiter frame, then the body
    )
    status, out = router.finish()
    assert status == 0, router.stderr()
    assert out == b"worker-1\t\thi hello\n"


def test_router_sends_to_the_identity_in_the_first_frame(spawn: Callable[..., Proc]) -> None:
    dealer = spawn("dealer", "-b", "tcp://127.0.0.1:*", "--identity", "w1", "-n", "1", "-t", "20")
    router = spawn("router", "-c", dealer.endpoint(), "-v", "-t", "20", stdin=subprocess.PIPE)
    # Without ROUTER_MANDATORY a message to a peer whose identity is not known yet is
    # dropped: write once the handshake (which carries the identity) is done.
    router.wait_for("HANDSHAKE_SUCCEEDED")
    assert router.popen.stdin is not None
    router.popen.stdin.write(b"w1\tto you\n")
    router.popen.stdin.flush()
    assert dealer.finish() == (0, b"to you\n"), dealer.stderr()


def test_binary_identities_print_as_hex(spawn: Callable[..., Proc]) -> None:
    router = spawn("router", "-b", "tcp://127.0.0.1:*", "-n", "1", "-t", "20")
    spawn("dealer", "-c", router.endpoint(), "--identity", "0x00ff", "-n", "1", "--data", "x")
    assert router.finish() == (0, b"0x00ff\tx\n")


def test_pair_talks_both_ways(spawn: Callable[..., Proc]) -> None:
    left = spawn("pair", "-b", "tcp://127.0.0.1:*", "-n", "1", "-t", "20", "--data", "from left")
    right = spawn("pair", "-c", left.endpoint(), "-n", "1", "-t", "20", "--data", "from right")
    assert left.finish() == (0, b"from right\n")
    assert right.finish() == (0, b"from left\n")
