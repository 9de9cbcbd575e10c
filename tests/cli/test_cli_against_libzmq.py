"""The command line against real libzmq (pyzmq) peers, in both directions."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .shell import Proc, run

zmq = pytest.importorskip("zmq")
pytestmark = pytest.mark.interop


@pytest.fixture
def lib_socket(libzmq_ctx: Any) -> Iterator[Callable[[int], Any]]:
    """Make libzmq sockets that are closed after the test."""
    made: list[Any] = []

    def make(kind: int) -> Any:
        sock = libzmq_ctx.socket(kind)
        sock.linger = 0
        made.append(sock)
        return sock

    yield make
    for sock in made:
        sock.close(0)


def _serve(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_cli_push_to_libzmq_pull(lib_socket: Any) -> None:
    pull = lib_socket(zmq.PULL)
    pull.rcvtimeo = 20000
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push = run("push", "-c", f"tcp://127.0.0.1:{port}", "-f", "json", "-t", "20",
               input=b'["a","b"]\n["c"]\n')
    assert push.returncode == 0, push.stderr
    assert [pull.recv_multipart(), pull.recv_multipart()] == [[b"a", b"b"], [b"c"]]


def test_libzmq_push_to_cli_pull(spawn: Callable[..., Proc], lib_socket: Any) -> None:
    cli = spawn("pull", "-b", "tcp://127.0.0.1:*", "-n", "100", "-t", "20")
    push = lib_socket(zmq.PUSH)
    push.connect(cli.endpoint())
    for i in range(100):
        push.send(b"%d" % i)
    status, out = cli.finish()
    assert status == 0, cli.stderr()
    assert out.split() == [b"%d" % i for i in range(100)]


def test_cli_req_to_libzmq_rep(lib_socket: Any) -> None:
    rep = lib_socket(zmq.REP)
    rep.rcvtimeo = 20000
    port = rep.bind_to_random_port("tcp://127.0.0.1")

    def answer() -> None:
        for _ in range(2):
            rep.send(rep.recv()[::-1])

    server = _serve(answer)
    req = run("req", "-c", f"tcp://127.0.0.1:{port}", "-t", "20", input=b"abc\nxyz\n")
    server.join(20)
    assert (req.returncode, req.stdout) == (0, b"cba\nzyx\n"), req.stderr


def test_libzmq_dealer_to_cli_router(spawn: Callable[..., Proc], lib_socket: Any) -> None:
    cli = spawn("router", "-b", "tcp://127.0.0.1:*", "-n", "1", "-t", "20")
    dealer = lib_socket(zmq.DEALER)
    dealer.routing_id = b"lib"
    dealer.connect(cli.endpoint())
    dealer.send_multipart([b"", b"hello"])
    assert cli.finish() == (0, b"lib\t\thello\n")


def test_cli_curve_client_of_a_libzmq_server(lib_socket: Any) -> None:
    if not zmq.has("curve"):
        pytest.skip("libzmq without CURVE")
    public, secret = zmq.curve_keypair()
    pull = lib_socket(zmq.PULL)
    pull.curve_server = True
    pull.curve_publickey = public
    pull.curve_secretkey = secret
    pull.rcvtimeo = 20000
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push = run("push", "-c", f"tcp://127.0.0.1:{port}", f"--curve-serverkey={public.decode()}",
               "-t", "20", input=b"encrypted\n")
    assert push.returncode == 0, push.stderr
    assert pull.recv() == b"encrypted"


def test_libzmq_curve_client_of_a_cli_server(spawn: Callable[..., Proc], lib_socket: Any) -> None:
    pytest.importorskip("nacl")
    cli = spawn("pull", "-b", "tcp://127.0.0.1:*", "--curve-server", "-n", "1", "-t", "20")
    server_key = cli.wait_for(r"curve server key: (\S{40})").group(1)
    push = lib_socket(zmq.PUSH)
    push.curve_serverkey = server_key.encode()
    push.curve_publickey, push.curve_secretkey = zmq.curve_keypair()
    push.connect(cli.endpoint())
    push.send(b"to purezmq")
    assert cli.finish() == (0, b"to purezmq\n")
