"""The PLAIN security mechanism (RFC 24 ZMTP-PLAIN; docs/protocol/mechanisms.md §2), both roles.

Owns PLAIN's handshake as libzmq 4.3 runs it::

    C: HELLO(username, password) ->
                                 <- S: WELCOME        (after ZAP said 200)
                                 <- S: ERROR "400"/"500" (ZAP refused; nothing for 300)
    C: INITIATE(metadata)        ->
                                 <- S: READY(metadata)

The client is ready when READY arrives, the server once it has sent READY (RFC 24 §"The
Handshake"). After the handshake frames pass untouched: PLAIN gives no confidentiality.

The server always needs a ZAP verdict (libzmq >= 4.3.0, spec note 22): after HELLO it stores the
credentials ``(username, password)`` for ``Mechanism.zap_request()`` and waits for
``zap_reply``. When no handler is bound the engine must fail the handshake (no ERROR is sent,
libzmq monitor HANDSHAKE_FAILED_NO_DETAIL/EFAULT) rather than answer 200.

ERROR: as client we accept both the RFC spelling ``05 'ERROR'`` and libzmq's mangled ``^RROR``
(spec note 21; ``commands.parse_command`` maps it to ``ERROR`` before we see it); as server we
send the RFC-correct form (``Mechanism._refuse_zap``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from ...constants import ProtocolErrorCode
from ...error import RemoteProtocolError
from .. import commands
from ..metadata import decode_metadata, encode_metadata
from .base import Mechanism, MechanismStatus, check_zap_status

_WELCOME_BODY = commands.command_body(commands.WELCOME)


class _State(Enum):
    # client
    SEND_HELLO = "send hello"
    EXPECT_WELCOME = "expect welcome"
    EXPECT_READY = "expect ready"
    # server
    EXPECT_HELLO = "expect hello"
    WAIT_ZAP = "wait for zap"
    EXPECT_INITIATE = "expect initiate"
    # both
    DONE = "done"


def hello(username: bytes, password: bytes) -> bytes:
    """A HELLO body (RFC 24: ``username-len username password-len password``)."""
    if len(username) > 255 or len(password) > 255:
        raise ValueError("PLAIN usernames and passwords are at most 255 bytes")
    return commands.command_body(
        commands.HELLO,
        bytes((len(username),)) + username + bytes((len(password),)) + password,
    )


def parse_hello(data: bytes) -> tuple[bytes, bytes]:
    """``(username, password)`` from HELLO data (after the name).

    Mirrors libzmq ``plain_server.cpp: process_hello``: each length must fit, and the password
    must end exactly at the end of the command.
    """
    if not data:
        raise _malformed_hello("it has no username length")
    ulen = data[0]
    if len(data) < 1 + ulen + 1:
        raise _malformed_hello(f"its {ulen}-byte username and password length do not fit")
    username = data[1 : 1 + ulen]
    plen = data[1 + ulen]
    rest = data[2 + ulen :]
    if len(rest) != plen:
        raise _malformed_hello(
            f"its password length says {plen} bytes but {len(rest)} bytes follow"
        )
    return username, rest


def _malformed_hello(why: str) -> RemoteProtocolError:
    return RemoteProtocolError(
        f"peer sent a malformed PLAIN HELLO: {why}", ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_HELLO
    )


class _PlainBase(Mechanism):
    name = b"PLAIN"

    def __init__(self, *, as_server: bool) -> None:
        super().__init__(as_server=as_server)
        self._metadata: Mapping[str, bytes] = {}
        self._state = _State.EXPECT_HELLO if as_server else _State.SEND_HELLO

    def _done(self) -> None:
        self._state = _State.DONE
        self.status = MechanismStatus.READY


class PlainClient(_PlainBase):
    """PLAIN client (PLAIN_USERNAME / PLAIN_PASSWORD set on the socket)."""

    def __init__(self, username: bytes = b"", password: bytes = b"") -> None:
        super().__init__(as_server=False)
        self._hello = hello(bytes(username), bytes(password))

    def start(self, metadata: Mapping[str, bytes]) -> list[bytes]:
        self._metadata = metadata
        self._state = _State.EXPECT_WELCOME
        return [self._hello]

    def receive_command(self, name: bytes, data: bytes) -> list[bytes]:
        state = self._state
        if state is _State.EXPECT_WELCOME:
            if name == commands.WELCOME:
                # libzmq accepts only an 8-byte WELCOME body (name and nothing else).
                if data:
                    raise RemoteProtocolError(
                        f"peer sent a PLAIN WELCOME with {len(data)} unexpected data bytes",
                        ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_WELCOME,
                    )
                self._state = _State.EXPECT_READY
                return [
                    commands.command_body(commands.INITIATE, encode_metadata(self._metadata))
                ]
            if name == commands.ERROR:
                return self._error(data)
            raise self._unexpected(name, "expected WELCOME or ERROR")
        if state is _State.EXPECT_READY:
            if name == commands.READY:
                self.peer_metadata = decode_metadata(data)
                self._done()
                return []
            if name == commands.ERROR:
                return self._error(data)
            raise self._unexpected(name, "expected READY or ERROR")
        raise self._unexpected(name, "was not expecting a command")

    def _error(self, data: bytes) -> list[bytes]:
        self._state = _State.DONE
        return self._peer_error(data)


class PlainServer(_PlainBase):
    """PLAIN server (PLAIN_SERVER=1); every client needs the ZAP handler's 200."""

    def __init__(self) -> None:
        super().__init__(as_server=True)
        #: The credentials the client sent, kept for inspection after the handshake.
        self.username: bytes | None = None
        self.password: bytes | None = None

    def start(self, metadata: Mapping[str, bytes]) -> list[bytes]:
        self._metadata = metadata
        return []

    def receive_command(self, name: bytes, data: bytes) -> list[bytes]:
        state = self._state
        if state is _State.EXPECT_HELLO:
            if name != commands.HELLO:
                raise self._unexpected(name, "expected HELLO")
            self.username, self.password = parse_hello(data)
            self._state = _State.WAIT_ZAP
            self._request_zap(self.username, self.password)
            return []
        if state is _State.EXPECT_INITIATE:
            if name != commands.INITIATE:
                raise self._unexpected(name, "expected INITIATE")
            self.peer_metadata = decode_metadata(data)
            self._done()
            return [commands.ready(self._metadata)]
        raise self._unexpected(
            name, "waits for the ZAP verdict" if state is _State.WAIT_ZAP else "is over"
        )

    def zap_reply(
        self, status: int, user_id: bytes = b"", metadata: Mapping[str, bytes] | None = None
    ) -> list[bytes]:
        if self._state is not _State.WAIT_ZAP:
            return super().zap_reply(status, user_id, metadata)
        if check_zap_status(status) != 200:
            self._state = _State.DONE
            return self._refuse_zap(status)
        self._accept_zap(user_id, metadata)
        self._state = _State.EXPECT_INITIATE
        return [_WELCOME_BODY]


__all__ = ["PlainClient", "PlainServer", "hello", "parse_hello"]
