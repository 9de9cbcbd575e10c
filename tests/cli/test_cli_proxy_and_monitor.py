"""``purezmq proxy`` forwards between two endpoints; ``purezmq monitor`` prints events."""

from __future__ import annotations

import json
from collections.abc import Callable

from .shell import Proc, run


def test_proxy_streams_from_pushers_to_pullers(spawn: Callable[..., Proc]) -> None:
    proxy = spawn(
        "proxy", "--frontend", "pull", "@tcp://127.0.0.1:*",
        "--backend", "push", "@tcp://127.0.0.1:*",
    )
    front = proxy.wait_for(r"frontend bound (\S+)").group(1)
    back = proxy.wait_for(r"backend bound (\S+)").group(1)
    pull = spawn("pull", "-c", back, "-n", "10", "-t", "20")
    push = run("push", "-c", front, "-t", "20", input=b"".join(b"%d\n" % i for i in range(10)))
    assert push.returncode == 0, push.stderr
    status, out = pull.finish()
    assert status == 0, pull.stderr()
    assert sorted(out.split()) == sorted(b"%d" % i for i in range(10))


def test_proxy_shares_a_queue_between_req_and_rep(spawn: Callable[..., Proc]) -> None:
    proxy = spawn(
        "proxy", "--frontend", "router", "@tcp://127.0.0.1:*",
        "--backend", "dealer", "@tcp://127.0.0.1:*",
    )
    front = proxy.wait_for(r"frontend bound (\S+)").group(1)
    back = proxy.wait_for(r"backend bound (\S+)").group(1)
    spawn("rep", "-c", back, "--transform", "'re: ' + text", "-t", "20")
    req = run("req", "-c", front, "-t", "20", input=b"one\ntwo\n")
    assert (req.returncode, req.stdout) == (0, b"re: one\nre: two\n"), req.stderr


def test_proxy_bad_socket_type_is_bad_usage() -> None:
    result = run("proxy", "--frontend", "nope", "@tcp://127.0.0.1:*", "--backend", "push", "x")
    assert result.returncode == 2


def test_monitor_prints_connection_events(spawn: Callable[..., Proc]) -> None:
    pull = spawn("pull", "-b", "tcp://127.0.0.1:*", "-t", "20")
    endpoint = pull.endpoint()
    result = run("monitor", endpoint, "--type", "push", "--count", "3", "-f", "json", "-t", "20")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["event"] for e in events] == ["CONNECT_DELAYED", "CONNECTED", "HANDSHAKE_SUCCEEDED"]
    assert {e["endpoint"] for e in events} == {endpoint}


def test_monitor_shows_a_refused_socket_type(spawn: Callable[..., Proc]) -> None:
    pull = spawn("pull", "-b", "tcp://127.0.0.1:*", "-t", "20")
    # A PULL accepts only PUSH peers: a SUB's handshake fails, and the monitor says so.
    result = run("monitor", pull.endpoint(), "--type", "sub", "--count", "3", "-t", "20")
    assert result.returncode == 0, result.stderr
    names = [line.split("\t")[0] for line in result.stdout.decode().splitlines()]
    assert names[-1].startswith("HANDSHAKE_FAILED"), names


def test_monitor_timeout_exits_3() -> None:
    result = run("monitor", "@tcp://127.0.0.1:*", "--type", "pull", "-n", "2", "-t", "0.3")
    assert result.returncode == 3  # LISTENING, then nobody comes
