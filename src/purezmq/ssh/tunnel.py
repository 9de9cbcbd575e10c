"""Connect a socket to an address only reachable from an SSH server, through a tunnel.

``tunnel_connection(sock, "tcp://10.0.0.5:5555", "user@gateway")`` forwards a free local port
to 10.0.0.5:5555 as seen from ``gateway`` and connects ``sock`` to that local port.

Two ways to make the tunnel, as in pyzmq:

* ``openssh_tunnel`` runs the system ``ssh`` client: it reuses a running control master
  (``ssh -O forward``) when there is one, else starts ``ssh -f -S none -L ... sleep TIMEOUT``,
  which closes the tunnel once it has been idle and the ``sleep`` is over. A password, when
  given, is handed to ssh through ``SSH_ASKPASS``; otherwise ssh asks on the terminal as usual.
* ``paramiko_tunnel`` forwards from a child process with paramiko (``pip install
  'purezmq[ssh]'``); the default on Windows.
"""

from __future__ import annotations

import atexit
import os
import re
import socket as _socket
import stat
import subprocess
import sys
import tempfile
import warnings
from getpass import getpass, getuser
from multiprocessing import Process
from typing import Any

#: What to install for the paramiko functions.
PARAMIKO_HINT = "pip install 'purezmq[ssh]' (or pip install paramiko)"


class SSHException(Exception):
    """An SSH failure (``paramiko.SSHException`` when paramiko is installed)."""


class MaxRetryExceeded(Exception):
    """pyzmq's error for a login that kept asking for a password."""


def _paramiko() -> Any:
    """The paramiko module, or ImportError naming the extra that installs it."""
    try:
        with warnings.catch_warnings():
            # paramiko's own imports warn about deprecated ciphers on some versions.
            warnings.simplefilter("ignore", DeprecationWarning)
            import paramiko  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError as exc:
        raise ImportError(
            f"SSH tunnels through paramiko need paramiko: {PARAMIKO_HINT}"
        ) from exc
    return paramiko


def select_random_ports(n: int) -> list[int]:
    """``n`` distinct TCP ports free on this machine right now (bound together, then freed)."""
    probes = []
    try:
        for _ in range(n):
            probe = _socket.socket()
            probes.append(probe)
            probe.bind(("", 0))
        return [int(p.getsockname()[1]) for p in probes]
    finally:
        for probe in probes:
            probe.close()


def _split_server(server: str) -> tuple[str, str, int]:
    """``[user@]host[:port]`` -> (user, host, port), defaulting to the local user and 22."""
    user, _, hostport = server.rpartition("@")
    host, _, port = hostport.partition(":")
    return user or getuser(), host, int(port) if port else 22


def _ssh_base(server: str, keyfile: str | None) -> tuple[list[str], str]:
    """The ``ssh`` argv prefix for ``server`` (``[user@]host[:port]``) and the destination."""
    argv = ["ssh"]
    if keyfile:
        argv += ["-i", keyfile]
    destination, _, port = server.partition(":")
    if port:
        argv += ["-p", port]
    return argv, destination


# -- how ssh is run (tests replace these two) ---------------------------------------------


def _ssh_output(argv: list[str]) -> tuple[int, str]:
    """Run a short ssh command; its exit status and combined output."""
    done = subprocess.run(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        check=False,
    )
    return done.returncode, done.stdout.decode("utf-8", "replace")


def _ssh_spawn(argv: list[str], env: dict[str, str]) -> tuple[int, int]:
    """Run an ssh that goes to the background (``-f``) once logged in; its pid and status.

    Output is not captured: the backgrounded ssh keeps its stdout, and ssh's own prompts and
    errors belong on the user's terminal.
    """
    proc = subprocess.Popen(argv, env=env)
    return proc.pid, proc.wait()


# -- passwords ----------------------------------------------------------------------------


def _askpass_env(password: str | None) -> tuple[dict[str, str], str | None]:
    """ssh's environment: no inherited askpass, or one that answers ``password``.

    Returns the environment and the helper script to delete afterwards.
    """
    env = dict(os.environ)
    env.pop("SSH_ASKPASS", None)
    if password is None:
        return env, None
    fd, script = tempfile.mkstemp(prefix="purezmq-askpass-", suffix=".sh")
    with os.fdopen(fd, "w") as f:
        f.write('#!/bin/sh\nprintf "%s\\n" "$PUREZMQ_SSH_PASSWORD"\n')
    os.chmod(script, stat.S_IRWXU)
    env.update(
        SSH_ASKPASS=script,
        SSH_ASKPASS_REQUIRE="force",  # OpenSSH >= 8.4: use it even with a terminal
        DISPLAY=env.get("DISPLAY", ":0"),  # older OpenSSH only asks askpass with a DISPLAY
        PUREZMQ_SSH_PASSWORD=password,
    )
    return env, script


# -- passwordless check -------------------------------------------------------------------


def try_passwordless_ssh(server: str, keyfile: str | None, paramiko: bool | None = None) -> bool:
    """Whether ``server`` accepts a login without a password (keys or an agent).

    Lets a program ask for a password once for many tunnels. ``paramiko=None`` picks
    paramiko on Windows and the ssh command elsewhere.
    """
    if paramiko is None:
        paramiko = sys.platform == "win32"
    if paramiko:
        return _try_passwordless_paramiko(server, keyfile)
    return _try_passwordless_openssh(server, keyfile)


def _try_passwordless_openssh(server: str, keyfile: str | None) -> bool:
    argv, destination = _ssh_base(server, keyfile)
    # BatchMode: never prompt; a login that needs a password (or an unknown host key) fails.
    status, _ = _ssh_output([*argv, "-o", "BatchMode=yes", destination, "exit"])
    return status == 0


def _connect_client(
    pm: Any, server: str, keyfile: str | None, password: str | None
) -> Any:
    username, host, port = _split_server(server)
    client = pm.SSHClient()
    client.load_system_host_keys()
    policy_name = os.environ.get("PYZMQ_PARAMIKO_HOST_KEY_POLICY")
    if policy_name:
        client.set_missing_host_key_policy(getattr(pm, f"{policy_name}Policy")())
    client.connect(
        host, port, username=username, key_filename=keyfile, look_for_keys=True,
        password=password,
    )
    return client


def _try_passwordless_paramiko(server: str, keyfile: str | None) -> bool:
    pm = _paramiko()
    try:
        client = _connect_client(pm, server, keyfile, None)
    except pm.AuthenticationException:
        return False
    client.close()
    return True


# -- tunnels ------------------------------------------------------------------------------


def openssh_tunnel(
    lport: int,
    rport: int,
    server: str,
    remoteip: str = "127.0.0.1",
    keyfile: str | None = None,
    password: str | None = None,
    timeout: int = 60,
) -> int:
    """Forward 127.0.0.1:``lport`` here to ``remoteip``:``rport`` as seen from ``server``
    (``[user@]host[:port]``), with the system ssh client. Returns the pid of the ssh process.

    The tunnel stays up at least ``timeout`` seconds for a first connection, then as long as
    it is used. Raises ``RuntimeError`` when ssh fails.
    """
    argv, destination = _ssh_base(server, keyfile)
    forward = f"127.0.0.1:{lport}:{remoteip}:{rport}"
    # A control master (ControlMaster/ControlPath in ssh_config) already logged in: add the
    # forwarding to it instead of logging in again.
    status, output = _ssh_output([*argv, "-O", "check", destination])
    if status == 0:
        found = re.search(r"\(pid=(\d+)\)", output)
        status, _ = _ssh_output([*argv, "-O", "forward", "-L", forward, destination])
        if status == 0 and found:
            cancel = [*argv, "-O", "cancel", "-L", forward, destination]
            atexit.register(_ssh_output, cancel)
            return int(found.group(1))
    command = [
        *argv, "-f", "-S", "none", "-L", forward, destination, "sleep", str(int(timeout))
    ]
    env, script = _askpass_env(password)
    try:
        pid, status = _ssh_spawn(command, env)
    finally:
        if script is not None:
            os.unlink(script)
    if status != 0:
        raise RuntimeError(f"tunnel {' '.join(command)!r} failed to start (ssh exit {status})")
    return pid


def paramiko_tunnel(
    lport: int,
    rport: int,
    server: str,
    remoteip: str = "127.0.0.1",
    keyfile: str | None = None,
    password: str | None = None,
    timeout: int = 60,
) -> Process:
    """The tunnel of ``openssh_tunnel`` made with paramiko, in a daemon child process
    (returned; terminate it to close the tunnel). Needs paramiko (``purezmq[ssh]``).

    Asks for a password on the terminal when none is given and keys do not suffice.
    """
    _paramiko()
    if password is None and not _try_passwordless_paramiko(server, keyfile):
        password = getpass(f"{server}'s password: ")
    child = Process(
        target=_paramiko_forward,
        args=(lport, rport, server, remoteip),
        kwargs={"keyfile": keyfile, "password": password},
        daemon=True,
    )
    child.start()
    return child


def _paramiko_forward(
    lport: int,
    rport: int,
    server: str,
    remoteip: str,
    keyfile: str | None = None,
    password: str | None = None,
) -> None:
    """The body of ``paramiko_tunnel``'s child process."""
    import signal

    from .forward import forward_tunnel

    pm = _paramiko()
    try:
        client = _connect_client(pm, server, keyfile, password)
    except Exception as exc:
        print(f"*** Failed to connect to {server}: {exc!r}", file=sys.stderr)
        sys.exit(1)
    # Ctrl-C in the terminal goes to the parent; the tunnel ends with it (daemon process).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forward_tunnel(lport, remoteip, rport, client.get_transport())
    except Exception as exc:
        print(f"Port forwarding stopped uncleanly: {exc}", file=sys.stderr)
        sys.exit(255)


def open_tunnel(
    addr: str,
    server: str,
    keyfile: str | None = None,
    password: str | None = None,
    paramiko: bool | None = None,
    timeout: int = 60,
) -> tuple[str, Any]:
    """Open a tunnel to ``addr`` (``tcp://ip:port`` as seen from ``server``).

    Returns ``(local url, tunnel)``: the ``tcp://127.0.0.1:PORT`` to connect to, and the
    tunnel (an ssh pid, or the paramiko Process).
    """
    transport, _, hostport = addr.partition("://")
    ip, _, port = hostport.rpartition(":")
    if transport != "tcp" or not ip or not port.isdigit():
        from ..constants import Errno
        from ..error import ZMQError

        raise ZMQError(Errno.EINVAL, f"ssh tunnels carry tcp://host:port addresses, not {addr!r}")
    if paramiko is None:
        paramiko = sys.platform == "win32"
    make = paramiko_tunnel if paramiko else openssh_tunnel
    lport = select_random_ports(1)[0]
    tunnel = make(
        lport, int(port), server, remoteip=ip, keyfile=keyfile, password=password,
        timeout=timeout,
    )
    return f"tcp://127.0.0.1:{lport}", tunnel


def tunnel_connection(
    socket: Any,
    addr: str,
    server: str,
    keyfile: str | None = None,
    password: str | None = None,
    paramiko: bool | None = None,
    timeout: int = 60,
) -> Any:
    """``socket.connect(addr)`` through an SSH tunnel via ``server``; returns the tunnel."""
    url, tunnel = open_tunnel(
        addr, server, keyfile=keyfile, password=password, paramiko=paramiko, timeout=timeout
    )
    socket.connect(url)
    return tunnel


#: The platform's default: paramiko on Windows, the ssh command elsewhere.
ssh_tunnel = paramiko_tunnel if sys.platform == "win32" else openssh_tunnel

__all__ = [
    "tunnel_connection",
    "ssh_tunnel",
    "openssh_tunnel",
    "paramiko_tunnel",
    "try_passwordless_ssh",
]
