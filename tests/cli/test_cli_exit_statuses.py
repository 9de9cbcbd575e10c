"""The documented exit statuses: 0 done, 1 error, 2 bad usage, 3 timeout, 4 refused."""

from __future__ import annotations

from collections.abc import Callable

from .shell import Proc, run


def test_timeout_waiting_for_a_message_exits_3() -> None:
    result = run("pull", "--bind", "tcp://127.0.0.1:*", "--timeout", "0.2")
    assert result.returncode == 3
    assert b"timed out after 0.2 s" in result.stderr


def test_timeout_waiting_for_a_peer_to_send_to_exits_3() -> None:
    # Nobody listens there: with IMMEDIATE the message has nowhere to go.
    result = run("push", "--connect", "tcp://127.0.0.1:9", "--timeout", "0.2", input=b"x\n")
    assert result.returncode == 3


def test_bad_usage_exits_2() -> None:
    assert run("pull", "--no-such-option").returncode == 2
    assert run("pull").returncode == 2  # neither --bind nor --connect
    assert run("dish", "-b", "tcp://127.0.0.1:*").returncode == 2  # no --join
    bad = run("pull", "-b", "tcp://127.0.0.1:*", "--transform", "text +")
    assert bad.returncode == 2
    assert b"--transform" in bad.stderr


def test_errors_exit_1_with_one_line(spawn: Callable[..., Proc]) -> None:
    pull = spawn("pull", "-b", "tcp://127.0.0.1:*")
    taken = run("pull", "-b", pull.endpoint())
    assert taken.returncode == 1
    assert taken.stderr.decode().strip().startswith("purezmq pull: cannot bind")
    pull2 = spawn("pull", "-b", "tcp://127.0.0.1:*", "-t", "20")
    raising = run(
        "push", "-c", pull2.endpoint(), "--transform", "1 / 0", "-t", "20", input=b"x\n"
    )
    assert raising.returncode == 1
    assert b"ZeroDivisionError" in raising.stderr
    bad_hex = run("push", "-c", pull2.endpoint(), "-f", "hex", "-t", "20", input=b"zz\n")
    assert bad_hex.returncode == 1
    assert b"not hexadecimal" in bad_hex.stderr


def test_count_reached_and_input_exhausted_exit_0(spawn: Callable[..., Proc]) -> None:
    pull = spawn("pull", "-b", "tcp://127.0.0.1:*", "-n", "2", "-t", "20")
    assert run("push", "-c", pull.endpoint(), "-t", "20", input=b"1\n2\n").returncode == 0
    assert pull.finish()[0] == 0
