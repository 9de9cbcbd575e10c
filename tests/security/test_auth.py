"""purezmq.auth: the Authenticator's decisions (RFC 27 replies), the thread and asyncio
authenticators serving purezmq servers end to end, ``purezmq keygen``, and CURVE options
without PyNaCl."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import purezmq
import purezmq.asyncio as azmq
from purezmq import _keygen, z85
from purezmq.auth import (
    CURVE_ALLOW_ANY,
    Authenticator,
    create_certificates,
    load_certificate,
)
from purezmq.auth.asyncio import AsyncioAuthenticator
from purezmq.auth.thread import ThreadAuthenticator
from purezmq.constants import Errno
from purezmq.utils.monitor import recv_monitor_message
from purezmq.zmtp.mechanisms import _crypto

from ._helpers import CLIENT_PUBLIC, CLIENT_PUBLIC_Z85

TIMEOUT_MS = 5000


def _request(
    mechanism: bytes, *credentials: bytes, address: bytes = b"127.0.0.1", domain: bytes = b""
) -> list[bytes]:
    # RFC 27 §"Request" as a REP handler receives it (no delimiter).
    return [b"1.0", b"1", domain, address, b"", mechanism, *credentials]


def _decide(auth: Authenticator, msg: list[bytes]) -> list[bytes] | None:
    return asyncio.run(auth.zap_reply(msg))


@pytest.fixture
def auth() -> Authenticator:
    return Authenticator(context=object(), log=logging.getLogger("test.auth"))


# -- decisions -----------------------------------------------------------------------------


def test_null_passes_unless_address_refused(auth: Authenticator) -> None:
    assert _decide(auth, _request(b"NULL")) == [b"1.0", b"1", b"200", b"OK", b"anonymous", b""]
    auth.deny("10.0.0.1")
    assert _decide(auth, _request(b"NULL", address=b"10.0.0.1"))[2:4] == [  # type: ignore[index]
        b"400",
        b"Address denied",
    ]
    assert _decide(auth, _request(b"NULL"))[2] == b"200"  # type: ignore[index]


def test_allow_list_refuses_others(auth: Authenticator) -> None:
    auth.allow("127.0.0.1")
    assert _decide(auth, _request(b"NULL"))[2] == b"200"  # type: ignore[index]
    reply = _decide(auth, _request(b"NULL", address=b"10.1.1.1"))
    assert reply is not None and reply[2:5] == [b"400", b"Address not allowed", b""]
    with pytest.raises(ValueError):
        auth.deny("1.2.3.4")


def test_plain_passwords(auth: Authenticator) -> None:
    assert _decide(auth, _request(b"PLAIN", b"u", b"p"))[3] == b"No passwords defined"  # type: ignore[index]
    auth.configure_plain(passwords={"admin": "secret"})
    assert _decide(auth, _request(b"PLAIN", b"admin", b"secret"))[2:5] == [  # type: ignore[index]
        b"200",
        b"OK",
        b"admin",
    ]
    assert _decide(auth, _request(b"PLAIN", b"admin", b"nope"))[2:4] == [  # type: ignore[index]
        b"400",
        b"Invalid password",
    ]
    assert _decide(auth, _request(b"PLAIN", b"who", b"secret"))[3] == b"Invalid username"  # type: ignore[index]
    assert _decide(auth, _request(b"PLAIN", b"admin", b"secret", domain=b"x"))[3] == (  # type: ignore[index]
        b"Invalid domain"
    )
    assert _decide(auth, _request(b"PLAIN", b"admin"))[2:4] == [b"400", b"Invalid credentials"]  # type: ignore[index]


def test_curve_certificates_allow_any_and_callback(auth: Authenticator, tmp_path: Path) -> None:
    assert _decide(auth, _request(b"CURVE", CLIENT_PUBLIC))[3] == b"Unknown domain"  # type: ignore[index]
    (tmp_path / "c.key").write_text(
        f'curve\n    public-key = "{CLIENT_PUBLIC_Z85.decode()}"\n', encoding="utf8"
    )
    auth.configure_curve(location=tmp_path)
    assert _decide(auth, _request(b"CURVE", CLIENT_PUBLIC))[2:5] == [  # type: ignore[index]
        b"200",
        b"OK",
        CLIENT_PUBLIC_Z85,
    ]
    assert _decide(auth, _request(b"CURVE", bytes(32)))[2:4] == [b"400", b"Unknown key"]  # type: ignore[index]
    auth.configure_curve(location=CURVE_ALLOW_ANY)
    assert _decide(auth, _request(b"CURVE", bytes(32)))[2] == b"200"  # type: ignore[index]

    seen: list[tuple[str, bytes]] = []

    class Provider:
        def callback(self, domain: str, key: bytes) -> Any:
            seen.append((domain, key))

            async def answer() -> bool:
                return key == CLIENT_PUBLIC_Z85

            return answer()

    auth.configure_curve_callback("*", Provider())
    assert _decide(auth, _request(b"CURVE", CLIENT_PUBLIC))[2] == b"200"  # type: ignore[index]
    assert _decide(auth, _request(b"CURVE", bytes(32)))[3] == b"Unknown key"  # type: ignore[index]
    assert seen == [("*", CLIENT_PUBLIC_Z85), ("*", z85.encode(bytes(32)))]


def test_malformed_requests(auth: Authenticator) -> None:
    assert _decide(auth, [b"1.0"]) is None
    assert _decide(auth, [b"1.0", b"7"]) == [b"1.0", b"7", b"400", b"Not enough frames", b"", b""]
    reply = _decide(auth, [b"2.0", b"1", b"", b"", b"", b"NULL"])
    assert reply is not None and reply[2:4] == [b"400", b"Invalid version"]
    reply = _decide(auth, _request(b"GSSAPI", b"x"))
    assert reply is not None and reply[2] == b"400"


def test_every_decision_is_logged(auth: Authenticator, caplog: pytest.LogCaptureFixture) -> None:
    auth.configure_plain(passwords={"a": "b"})
    with caplog.at_level(logging.DEBUG, logger="test.auth"):
        _decide(auth, _request(b"PLAIN", b"a", b"b"))
        _decide(auth, _request(b"PLAIN", b"a", b"x"))
    text = caplog.text
    assert "ALLOWED (PLAIN)" in text and "DENIED (PLAIN)" in text
    assert "code=b'200'" in text and "code=b'400'" in text


# -- end to end over purezmq ----------------------------------------------------------------


@pytest.fixture
def ctx() -> Iterator[purezmq.Context]:
    c = purezmq.Context()
    yield c
    c.destroy(linger=0)


def _sock(ctx: Any, kind: int, **options: Any) -> Any:
    sock = ctx.socket(kind)
    for name, value in options.items():
        setattr(sock, name, value)
    return sock


def _roundtrip(server: Any, client: Any) -> Any:
    port = server.bind_to_random_port("tcp://127.0.0.1")
    client.connect(f"tcp://127.0.0.1:{port}")
    client.send(b"hi")
    assert server.poll(TIMEOUT_MS)
    return server.recv(copy=False)


def test_thread_authenticator_plain_and_curve(ctx: purezmq.Context, tmp_path: Path) -> None:
    _, client_secret_file = create_certificates(tmp_path, "client")
    server_pub, server_sec = purezmq.curve_keypair()
    client_pub, client_sec = load_certificate(client_secret_file)
    assert client_sec is not None
    with ThreadAuthenticator(ctx) as auth:
        auth.configure_plain(passwords={"admin": "secret"})
        auth.configure_curve(location=tmp_path)

        server = _sock(ctx, purezmq.PULL, plain_server=1)
        client = _sock(ctx, purezmq.PUSH, plain_username=b"admin", plain_password=b"secret")
        frame = _roundtrip(server, client)
        assert frame.bytes == b"hi" and frame.get("User-Id") == "admin"
        assert frame.get("Peer-Address") == "127.0.0.1"

        server = _sock(ctx, purezmq.PULL, curve_server=1, curve_secretkey=server_sec)
        client = _sock(
            ctx,
            purezmq.PUSH,
            curve_serverkey=server_pub,
            curve_publickey=client_pub,
            curve_secretkey=client_sec,
        )
        frame = _roundtrip(server, client)
        assert frame.get("User-Id") == client_pub.decode()
    assert not auth.is_alive()


def test_thread_authenticator_refuses_wrong_password(ctx: purezmq.Context) -> None:
    with ThreadAuthenticator(ctx) as auth:
        auth.configure_plain(passwords={"admin": "secret"})
        server = _sock(ctx, purezmq.PULL, plain_server=1)
        mon = server.get_monitor_socket(purezmq.EVENT_HANDSHAKE_FAILED_AUTH)
        client = _sock(ctx, purezmq.PUSH, plain_username=b"admin", plain_password=b"bad")
        port = server.bind_to_random_port("tcp://127.0.0.1")
        client.connect(f"tcp://127.0.0.1:{port}")
        with contextlib.suppress(purezmq.Again):
            client.send(b"never", purezmq.DONTWAIT)
        assert mon.poll(TIMEOUT_MS)
        event = recv_monitor_message(mon)
        assert event["event"] == purezmq.EVENT_HANDSHAKE_FAILED_AUTH and event["value"] == 400
        assert server.poll(0) == 0


def test_asyncio_authenticator_plain() -> None:
    async def main() -> None:
        ctx = azmq.Context()
        auth = AsyncioAuthenticator(ctx)
        auth.start()
        auth.configure_plain(passwords={"admin": "secret"})
        server = _sock(ctx, purezmq.PULL, plain_server=1)
        port = server.bind_to_random_port("tcp://127.0.0.1")
        good = _sock(ctx, purezmq.PUSH, plain_username=b"admin", plain_password=b"secret")
        good.connect(f"tcp://127.0.0.1:{port}")
        await good.send(b"hi")
        frame = await asyncio.wait_for(server.recv(copy=False), TIMEOUT_MS / 1000)
        assert frame.get("User-Id") == "admin"
        auth.stop()
        ctx.destroy(linger=0)

    asyncio.run(main())


def test_thread_authenticator_serves_an_asyncio_context() -> None:
    # Servers written for asyncio hand their asyncio Context to the thread authenticator (as
    # pyzmq's own tests do): its thread still needs blocking sockets to wait on.
    async def main() -> None:
        ctx = azmq.Context()
        auth = ThreadAuthenticator(ctx)
        auth.start()
        try:
            assert isinstance(auth.zap_socket, purezmq.Socket)
            assert isinstance(auth.pipe, purezmq.Socket)
            auth.configure_plain(passwords={"admin": "secret"})
            server = _sock(ctx, purezmq.PULL, plain_server=1)
            port = server.bind_to_random_port("tcp://127.0.0.1")
            client = _sock(ctx, purezmq.PUSH, plain_username=b"admin", plain_password=b"secret")
            client.connect(f"tcp://127.0.0.1:{port}")
            await client.send(b"hi")
            frame = await asyncio.wait_for(server.recv(copy=False), TIMEOUT_MS / 1000)
            assert frame.bytes == b"hi" and frame.get("User-Id") == "admin"
        finally:
            auth.stop()
            ctx.destroy(linger=0)
        assert not auth.is_alive()

    asyncio.run(main())


# -- keygen and PyNaCl's absence --------------------------------------------------------------


def test_keygen_prints_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _keygen.main([]) == 0
    lines = capsys.readouterr().out.splitlines()
    public = lines[0].split(": ", 1)[1].encode()
    secret = lines[1].split(": ", 1)[1].encode()
    assert purezmq.curve_public(secret) == public
    assert _keygen.main(["--dir", str(tmp_path / "certs"), "--name", "srv", "--meta", "a=b"]) == 0
    pub, sec = load_certificate(tmp_path / "certs" / "srv.key_secret")
    assert sec is not None and purezmq.curve_public(sec) == pub
    assert load_certificate(tmp_path / "certs" / "srv.key") == (pub, None)
    with pytest.raises(SystemExit):
        _keygen.main(["--meta", "novalue"])


def test_curve_options_without_pynacl(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_crypto, "available", lambda: False)
    assert not purezmq.has("curve")
    ctx = purezmq.Context()
    try:
        sock = ctx.socket(purezmq.REP)
        for name, value in [
            ("curve_server", 1),
            ("curve_secretkey", bytes(32)),
            ("curve_publickey", bytes(32)),
            ("curve_serverkey", bytes(32)),
        ]:
            with pytest.raises(purezmq.ZMQError) as info:
                setattr(sock, name, value)
            assert info.value.errno == Errno.ENOTSUP
            assert "pip install 'purezmq[curve]'" in str(info.value)
        sock.plain_server = 1  # PLAIN needs nothing extra
        assert sock.mechanism == purezmq.PLAIN
    finally:
        ctx.destroy(linger=0)
    monkeypatch.undo()
    assert purezmq.has("curve")


def test_thread_authenticator_survives_a_failing_callback() -> None:
    # A callback that raises is answered 500 "Internal error" (RFC 27 §"Reply"); the handler
    # keeps serving.
    ctx = purezmq.Context()
    server_pub, server_sec = purezmq.curve_keypair()
    client_pub, client_sec = purezmq.curve_keypair()
    calls: list[bytes] = []

    class Provider:
        def callback(self, domain: str, key: bytes) -> bool:
            calls.append(key)
            if len(calls) == 1:
                raise RuntimeError("database down")
            return True

    try:
        with ThreadAuthenticator(ctx) as auth:
            auth.configure_curve_callback("*", Provider())
            server = _sock(ctx, purezmq.PULL, curve_server=1, curve_secretkey=server_sec)
            mon = server.get_monitor_socket(purezmq.EVENT_HANDSHAKE_FAILED_AUTH)
            port = server.bind_to_random_port("tcp://127.0.0.1")
            for expect_refusal in (True, False):
                client = _sock(
                    ctx,
                    purezmq.PUSH,
                    curve_serverkey=server_pub,
                    curve_publickey=client_pub,
                    curve_secretkey=client_sec,
                )
                client.connect(f"tcp://127.0.0.1:{port}")
                with contextlib.suppress(purezmq.Again):
                    client.send(b"hi", purezmq.DONTWAIT)
                if expect_refusal:
                    assert mon.poll(TIMEOUT_MS)
                    assert recv_monitor_message(mon)["value"] == 500
                else:
                    assert server.poll(TIMEOUT_MS) and server.recv() == b"hi"
    finally:
        ctx.destroy(linger=0)


def test_thread_authenticator_stops_after_context_destroyed() -> None:
    ctx = purezmq.Context()
    auth = ThreadAuthenticator(ctx)
    auth.start()
    ctx.destroy(linger=0)
    auth.stop()  # neither raises nor hangs
    assert not auth.is_alive() and auth.zap_socket is None
