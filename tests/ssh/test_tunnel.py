"""purezmq.ssh: what can be checked without an SSH server — free ports, the ssh command lines
(the process runner is replaced), the paramiko extra's error, and the import circus does."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from typing import Any

import pytest

import purezmq
from purezmq.ssh import tunnel


class FakeSSH:
    """Stands in for the ssh client: records argv, answers with canned exit statuses."""

    def __init__(self, check_status: int = 255, forward_status: int = 0, spawn_status: int = 0):
        self.calls: list[list[str]] = []
        self.envs: list[dict[str, str]] = []
        self.askpass_output: list[str] = []
        self.check_status = check_status
        self.forward_status = forward_status
        self.spawn_status = spawn_status

    def output(self, argv: list[str]) -> tuple[int, str]:
        self.calls.append(argv)
        if "check" in argv:
            return self.check_status, "Master running (pid=4242)\n"
        return self.forward_status, ""

    def spawn(self, argv: list[str], env: dict[str, str]) -> tuple[int, int]:
        self.calls.append(argv)
        self.envs.append(env)
        if "SSH_ASKPASS" in env:
            # What ssh would get from the askpass program, while it still exists.
            self.askpass_output.append(
                subprocess.run(
                    [env["SSH_ASKPASS"]], env=env, capture_output=True, text=True, check=True
                ).stdout
            )
        return 999, self.spawn_status


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeSSH:
    ssh = FakeSSH()
    monkeypatch.setattr(tunnel, "_ssh_output", ssh.output)
    monkeypatch.setattr(tunnel, "_ssh_spawn", ssh.spawn)
    return ssh


def test_select_random_ports_are_distinct_and_bindable() -> None:
    ports = tunnel.select_random_ports(5)
    assert len(set(ports)) == 5
    for port in ports:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_openssh_tunnel_starts_a_background_ssh(fake: FakeSSH) -> None:
    pid = tunnel.openssh_tunnel(
        5555, 6666, "me@gateway:2222", remoteip="10.0.0.5", keyfile="/k/id", timeout=30
    )
    assert pid == 999
    assert fake.calls == [
        ["ssh", "-i", "/k/id", "-p", "2222", "-O", "check", "me@gateway"],
        ["ssh", "-i", "/k/id", "-p", "2222", "-f", "-S", "none",
         "-L", "127.0.0.1:5555:10.0.0.5:6666", "me@gateway", "sleep", "30"],
    ]
    assert "SSH_ASKPASS" not in fake.envs[0]


def test_openssh_tunnel_reuses_a_control_master(fake: FakeSSH) -> None:
    fake.check_status = 0
    assert tunnel.openssh_tunnel(5555, 6666, "gateway") == 4242
    assert fake.calls == [
        ["ssh", "-O", "check", "gateway"],
        ["ssh", "-O", "forward", "-L", "127.0.0.1:5555:127.0.0.1:6666", "gateway"],
    ]


def test_openssh_tunnel_password_goes_through_askpass(fake: FakeSSH) -> None:
    tunnel.openssh_tunnel(5555, 6666, "gateway", password="s3cret pass")
    env = fake.envs[0]
    assert env["SSH_ASKPASS_REQUIRE"] == "force"
    assert fake.askpass_output == ["s3cret pass\n"]
    assert not os.path.exists(env["SSH_ASKPASS"])  # the helper is removed afterwards
    assert "s3cret" not in " ".join(fake.calls[-1])  # never on the command line


def test_openssh_tunnel_failure_raises(fake: FakeSSH) -> None:
    fake.spawn_status = 255
    with pytest.raises(RuntimeError, match="failed to start"):
        tunnel.openssh_tunnel(5555, 6666, "gateway")


def test_tunnel_connection_connects_the_socket_to_the_local_end(
    fake: FakeSSH, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tunnel, "select_random_ports", lambda n: [40404])

    class Recorder:
        def __init__(self) -> None:
            self.urls: list[str] = []

        def connect(self, url: str) -> None:
            self.urls.append(url)

    sock = Recorder()
    result = tunnel.tunnel_connection(sock, "tcp://10.1.2.3:5555", "gw", paramiko=False)
    assert result == 999 and sock.urls == ["tcp://127.0.0.1:40404"]
    assert fake.calls[-1][-5:] == ["-L", "127.0.0.1:40404:10.1.2.3:5555", "gw", "sleep", "60"]
    with pytest.raises(purezmq.ZMQError) as info:
        tunnel.open_tunnel("ipc:///tmp/x", "gw")
    assert info.value.errno == purezmq.EINVAL


def test_try_passwordless_openssh_uses_batch_mode(fake: FakeSSH) -> None:
    fake.forward_status = 0
    assert tunnel.try_passwordless_ssh("gw:22", "/k", paramiko=False) is True
    assert fake.calls[-1] == ["ssh", "-i", "/k", "-p", "22", "-o", "BatchMode=yes", "gw", "exit"]
    fake.forward_status = 255
    assert tunnel.try_passwordless_ssh("gw", None, paramiko=False) is False


def test_paramiko_functions_name_the_extra_when_paramiko_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "paramiko", None)  # import paramiko -> ImportError
    for call in (
        lambda: tunnel.paramiko_tunnel(1, 2, "gw"),
        lambda: tunnel.try_passwordless_ssh("gw", None, paramiko=True),
        lambda: tunnel.open_tunnel("tcp://127.0.0.1:1", "gw", paramiko=True),
    ):
        with pytest.raises(ImportError, match=r"purezmq\[ssh\]"):
            call()


def test_split_server_defaults() -> None:
    user, host, port = tunnel._split_server("gw")
    assert (host, port) == ("gw", 22) and user
    assert tunnel._split_server("a@b:2200") == ("a", "b", 2200)


def test_circus_style_import_works_with_install_as_zmq() -> None:
    script = (
        "import purezmq; purezmq.install_as_zmq()\n"
        "from zmq import ssh\n"
        "from zmq.ssh.tunnel import select_random_ports\n"
        "import purezmq.ssh\n"
        "assert ssh is purezmq.ssh and callable(ssh.tunnel_connection)\n"
        "assert select_random_ports is purezmq.ssh.tunnel.select_random_ports\n"
        "print('ok')\n"
    )
    out: Any = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
