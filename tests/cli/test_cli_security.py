"""CURVE and PLAIN from the command line: a secured pair works, wrong credentials exit 4."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .shell import Proc, run

pytest.importorskip("nacl")


def _certificates(tmp_path: Path) -> tuple[Path, Path]:
    for name in ("server", "client"):
        made = run("keygen", "--dir", str(tmp_path), "--name", name)
        assert made.returncode == 0, made.stderr
    return tmp_path / "server.key_secret", tmp_path / "client.key_secret"


def test_curve_pair_with_key_files(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    server_keys, client_keys = _certificates(tmp_path)
    rep = spawn(
        "rep", "-b", "tcp://127.0.0.1:*", "--echo", "-n", "1", "-t", "20",
        "--curve-server", "--curve-keys", str(server_keys),
    )
    req = run(
        "req", "-c", rep.endpoint(), "-t", "20", "--curve-keys", str(client_keys),
        "--curve-serverkey", str(tmp_path / "server.key"), input=b"secret\n",
    )
    assert req.returncode == 0, req.stderr
    assert req.stdout == b"secret\n"
    assert rep.finish() == (0, b"secret\n")


def test_curve_server_prints_a_fresh_public_key(spawn: Callable[..., Proc]) -> None:
    pull = spawn("pull", "-b", "tcp://127.0.0.1:*", "--curve-server", "-n", "1", "-t", "20")
    key = pull.wait_for(r"curve server key: (\S{40})").group(1)
    push = run("push", "-c", pull.endpoint(), f"--curve-serverkey={key}", input=b"hi\n")
    assert push.returncode == 0, push.stderr
    assert pull.finish() == (0, b"hi\n")


def test_curve_allow_refuses_an_unknown_client_with_status_4(
    spawn: Callable[..., Proc], tmp_path: Path
) -> None:
    server_keys, _ = _certificates(tmp_path)
    allowed = tmp_path / "allowed"
    allowed.mkdir()  # no client certificate in it: every client is denied
    pull = spawn(
        "pull", "-b", "tcp://127.0.0.1:*", "--curve-server", "--curve-keys", str(server_keys),
        "--curve-allow", str(allowed), "-t", "20",
    )
    push = run(
        "push", "-c", pull.endpoint(), "--curve-serverkey", str(tmp_path / "server.key"),
        "-t", "20", input=b"let me in\n",
    )
    assert push.returncode == 4, push.stderr
    assert b"refused" in push.stderr


def test_a_wrong_server_key_exits_4_at_the_timeout(spawn: Callable[..., Proc]) -> None:
    pull = spawn("pull", "-b", "tcp://127.0.0.1:*", "--curve-server", "-t", "20")
    endpoint = pull.endpoint()
    other_key = run("keygen").stdout.decode().split()[1]  # "public: KEY"
    push = run("push", "-c", endpoint, f"--curve-serverkey={other_key}", "-t", "3", input=b"x\n")
    assert push.returncode == 4, push.stderr
    assert b"handshakes failed" in push.stderr


def test_plain_user_and_password(spawn: Callable[..., Proc]) -> None:
    rep = spawn(
        "rep", "-b", "tcp://127.0.0.1:*", "--echo", "-n", "1", "-t", "20",
        "--plain-server", "--plain", "admin:s3cret",
    )
    endpoint = rep.endpoint()
    wrong = run("req", "-c", endpoint, "--plain", "admin:guess", "-t", "20", input=b"x\n")
    assert wrong.returncode == 4, wrong.stderr
    right = run("req", "-c", endpoint, "--plain", "admin:s3cret", "-t", "20", input=b"ok\n")
    assert (right.returncode, right.stdout) == (0, b"ok\n"), right.stderr
    assert rep.finish() == (0, b"ok\n")


def test_contradictory_security_flags_are_bad_usage() -> None:
    both = run("pull", "-b", "tcp://127.0.0.1:*", "--curve-server", "--curve-serverkey", "x" * 40)
    assert both.returncode == 2
    assert b"exclude each other" in both.stderr
