"""The CURVE security mechanism (RFC 25 ZMTP-CURVE over RFC 26 CurveZMQ), both roles.

Owns the CurveZMQ handshake and the MESSAGE encryption exactly as libzmq 4.3 puts them on the
wire (docs/protocol/mechanisms.md §3)::

    C: HELLO    (C', Box[64 zeros](C'->S))                              200 bytes
                           <- S: WELCOME (Box[S' + cookie](S->C'))      168 bytes
    C: INITIATE (cookie, Box[C + vouch + metadata](C'->S'))          >= 257 bytes
                           <- S: READY   (Box[metadata](S'->C'))      >= 30 bytes
                           <- S: ERROR   (ZAP said 400/500; nothing for 300)
    both: MESSAGE (nonce, Box[flags + frame](C'<->S'))

* Short nonces: one counter per direction starting at 1 (client HELLO 1, INITIATE 2, first
  MESSAGE 3; server READY 1, first MESSAGE 2 — spec note 19). A received MESSAGE nonce must be
  strictly greater than the last nonce seen from the peer (handshake nonces count), else
  ZMTP_INVALID_SEQUENCE, as in libzmq ``curve_encoding_t::check_validity``.
* The inner flags byte of MESSAGE carries 0x01 MORE and libzmq's 0x02 COMMAND (PING, PONG,
  SUBSCRIBE, CANCEL... travel encrypted; spec note 17). ``wraps_frames`` is True: after the
  handshake the connection hands every frame to ``encode_frame``/``decode_frame`` and sends the
  MESSAGE body in a plain message frame, as libzmq does (note 18).
* The server keeps its transient key and cookie key per connection (libzmq does too) but still
  builds and verifies the cookie as RFC 26 §"The WELCOME Command" describes.
* Every failure is a ``RemoteProtocolError`` with libzmq's code: malformed sizes
  ZMTP_MALFORMED_COMMAND_*, a box that does not open ZMTP_CRYPTOGRAPHIC, a vouch for other keys
  ZMTP_KEY_EXCHANGE. No ERROR is ever sent for these (mechanisms.md §3.3, §3.8).
* ZAP (zap.md §4): with ``zap=True`` the server asks for a verdict on the client's long-term key
  after a valid INITIATE; with ``zap=False`` (no handler bound, ZAP_ENFORCE_DOMAIN off:
  "Stonehouse") it accepts every client.

All cryptography goes through ``_crypto`` (PyNaCl); constructing a CURVE mechanism without PyNaCl
raises ``ZMQError(ENOTSUP, "CURVE needs PyNaCl: pip install 'purezmq[curve]'")``.
"""

from __future__ import annotations

import hmac
import struct
from collections.abc import Callable, Mapping, Sequence
from enum import Enum

from ... import z85
from ..._typing import BytesLike
from ...constants import ProtocolErrorCode
from ...error import LocalProtocolError, RemoteProtocolError
from .. import codec, commands
from ..metadata import decode_metadata, encode_metadata
from . import _crypto
from .base import Mechanism, MechanismStatus, check_zap_status

_NONCE = struct.Struct(">Q")

# RFC 26 nonce prefixes (docs/protocol/mechanisms.md §3.2): 16-byte prefix + 8-byte short nonce, or
# 8-byte prefix + 16-byte long (random) nonce.
HELLO_PREFIX = b"CurveZMQHELLO---"
WELCOME_PREFIX = b"WELCOME-"
COOKIE_PREFIX = b"COOKIE--"
INITIATE_PREFIX = b"CurveZMQINITIATE"
VOUCH_PREFIX = b"VOUCH---"
READY_PREFIX = b"CurveZMQREADY---"
MESSAGE_CLIENT_PREFIX = b"CurveZMQMESSAGEC"
MESSAGE_SERVER_PREFIX = b"CurveZMQMESSAGES"

#: Inner MESSAGE flags (libzmq ``curve_mechanism_base.cpp``).
FLAG_MORE = 0x01
FLAG_COMMAND = 0x02

#: Body sizes (name included) that libzmq enforces.
HELLO_SIZE = 200
WELCOME_SIZE = 168
INITIATE_MIN_SIZE = 257
READY_MIN_SIZE = 30
MESSAGE_MIN_SIZE = 33

_VERSION = b"\x01\x00"
#: 72 bytes, not RFC 26's prose "70": its grammar and libzmq use 72 (spec note 20).
_HELLO_PADDING = bytes(72)
_HELLO_SIGNATURE = bytes(64)
_MESSAGE_PREFIX = commands.command_body(commands.MESSAGE)  # b"\x07MESSAGE"

#: Bodies below 2 KiB are sealed straight into the encoder's buffer of small frames; larger
#: ones become a chunk of their own (docs/architecture.md §3: no joined copy).
_SMALL_BODY = 2047
#: A MESSAGE body is the payload + 33 bytes (``frame_overhead``); libzmq sends it in a message
#: frame, never a command frame and never with the outer MORE bit (mechanisms.md §3.8). Heads
#: (frame header + command name) of the short frames, by payload size.
_SHORT_HEADS = tuple(codec.frame_header(size + 33) + _MESSAGE_PREFIX for size in range(256 - 33))
_SHORT_HEAD_LIMIT = len(_SHORT_HEADS)
#: Inner flags byte → the ZMTP flags of the frame it carries (unknown bits ignored, as libzmq).
_ZMTP_FLAGS = tuple(
    (codec.FLAG_MORE if i & FLAG_MORE else 0) | (codec.FLAG_COMMAND if i & FLAG_COMMAND else 0)
    for i in range(256)
)


def _head(size: int) -> bytes:
    """Frame header + MESSAGE name for a ``size``-byte payload."""
    if size < _SHORT_HEAD_LIMIT:
        return _SHORT_HEADS[size]
    return codec.frame_header(size + 33) + _MESSAGE_PREFIX


RandomBytes = Callable[[int], bytes]


def curve_key(key: bytes | str, what: str = "CURVE key") -> bytes:
    """A 32-byte key from the forms libzmq's ``set_curve_key`` accepts: 32 raw bytes, 40 Z85
    characters, or 41 (40 Z85 + NUL)."""
    if isinstance(key, str):
        try:
            raw = key.encode("ascii")
        except UnicodeEncodeError:
            raise ValueError(f"{what} given as text must be 40 Z85 characters") from None
    else:
        raw = bytes(key)
    if len(raw) == 41 and raw[40] == 0:
        raw = raw[:40]
    if len(raw) == 40:
        try:
            return z85.decode(raw)
        except ValueError as exc:
            raise ValueError(f"{what} is not valid Z85: {exc}") from None
    if len(raw) == 32:
        return raw
    raise ValueError(f"{what} must be 32 raw bytes or 40 Z85 characters, not {len(raw)} bytes")


def _crypto_error(what: str) -> RemoteProtocolError:
    return RemoteProtocolError(
        f"CURVE {what} did not decrypt (wrong keys or tampered bytes)",
        ProtocolErrorCode.ZMTP_CRYPTOGRAPHIC,
    )


def _message_error(exc: _crypto.MessageRejected) -> RemoteProtocolError:
    """The protocol error libzmq reports for a MESSAGE that failed ``reason``."""
    if exc.reason == "size":
        return RemoteProtocolError(
            f"peer sent a {exc.size}-byte CURVE MESSAGE; the minimum is {MESSAGE_MIN_SIZE}",
            ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_MESSAGE,
        )
    if exc.reason == "name":
        return RemoteProtocolError(
            "peer sent a frame that is not a CURVE MESSAGE after the handshake",
            ProtocolErrorCode.ZMTP_UNEXPECTED_COMMAND,
        )
    if exc.reason == "nonce":
        # RFC 26 §"The MESSAGE Command": a nonce is never reused; libzmq requires it to grow
        # strictly, which also rejects replays and reordering.
        return RemoteProtocolError(
            f"peer sent CURVE MESSAGE nonce {exc.nonce} after nonce {exc.last_nonce} "
            "(replayed or reordered)",
            ProtocolErrorCode.ZMTP_INVALID_SEQUENCE,
        )
    return _crypto_error("MESSAGE")


class _State(Enum):
    SEND_HELLO = "send hello"
    EXPECT_WELCOME = "expect welcome"
    EXPECT_READY = "expect ready"
    EXPECT_HELLO = "expect hello"
    EXPECT_INITIATE = "expect initiate"
    WAIT_ZAP = "wait for zap"
    CONNECTED = "connected"
    FAILED = "failed"


class _CurveBase(Mechanism):
    name = b"CURVE"
    wraps_frames = True
    #: 8-byte name + 8-byte nonce + 16-byte tag + 1 flags byte (connection raises MAXMSGSIZE).
    frame_overhead = 33

    _send_prefix: bytes
    _recv_prefix: bytes

    def __init__(self, *, as_server: bool, random_bytes: RandomBytes | None) -> None:
        _crypto.require()
        super().__init__(as_server=as_server)
        self._random: RandomBytes = random_bytes or _crypto.random_bytes
        self._metadata: Mapping[str, bytes] = {}
        #: Next short nonce we send; libzmq starts both directions at 1.
        self._send_nonce = 1
        #: Last short nonce seen from the peer (HELLO/INITIATE/READY set it, MESSAGE checks it).
        self._peer_nonce = 0
        #: crypto_box_beforenm of the transient pair, for INITIATE, READY and MESSAGE.
        self._shared = b""
        self._state = _State.SEND_HELLO
        #: Built from the shared key once connected (MESSAGE boxes, both directions).
        self._sealer: _crypto.MessageSealer | None = None
        self._opener: _crypto.MessageOpener | None = None

    def _next_nonce(self) -> bytes:
        nonce = _NONCE.pack(self._send_nonce)
        self._send_nonce += 1
        return nonce

    def _connected(self) -> None:
        self._sealer = _crypto.MessageSealer(
            self._shared,
            self._send_prefix,
            heads=_SHORT_HEADS,
            head_for=_head,
            more_flag=FLAG_MORE,
            capacity=_SMALL_BODY,
        )
        self._opener = _crypto.MessageOpener(
            self._shared, self._recv_prefix, _MESSAGE_PREFIX, _ZMTP_FLAGS, _SMALL_BODY + 1
        )
        self._state = _State.CONNECTED
        self.status = MechanismStatus.READY

    # -- after the handshake ----------------------------------------------------------------
    #
    # One MESSAGE per ZMTP frame (RFC 26 §"The MESSAGE Command", docs/protocol/mechanisms.md §3.8):
    # name, short nonce, Box[flags + frame](C'<->S'). The connection hands over whole batches
    # (``wrap_messages``, ``unwrap_frames``); the per-frame ``encode_frame``/``decode_frame``
    # go through the same code, so the wire format lives in one place (``_crypto`` holds the
    # loops because they call libsodium).

    def _not_connected(self, what: str) -> LocalProtocolError:
        return LocalProtocolError(
            f"CURVE cannot {what} frames before its handshake has finished",
            ProtocolErrorCode.ZMTP_UNSPECIFIED,
        )

    def wrap_messages(
        self, messages: Sequence[Sequence[BytesLike]], encoder: codec.FrameEncoder
    ) -> None:
        # The sealer exists from the end of the handshake on (the state never changes again).
        sealer = self._sealer
        if sealer is None:
            raise self._not_connected("encrypt")
        self._send_nonce = sealer.seal_messages(messages, encoder, self._send_nonce)

    def wrap_message(self, frames: Sequence[BytesLike], encoder: codec.FrameEncoder) -> None:
        self.wrap_messages((frames,), encoder)

    def wrap_command(self, body: bytes, encoder: codec.FrameEncoder) -> None:
        self._wrap_one(body, FLAG_COMMAND, encoder)

    def _wrap_one(self, body: BytesLike, flags: int, encoder: codec.FrameEncoder) -> None:
        sealer = self._sealer
        if sealer is None:
            raise self._not_connected("encrypt")
        nonce = self._send_nonce
        self._send_nonce = nonce + 1
        sealer.seal_frame(encoder, body, flags, nonce)

    def unwrap_frames(
        self, frames: Sequence[tuple[int, bytes]], out: list[tuple[int, bytes]]
    ) -> None:
        """Checks each MESSAGE in libzmq's order: size, name, nonce strictly increasing, then
        the box (``_crypto.MessageOpener``). The outer frame flags are ignored: libzmq accepts
        MESSAGE in message and command frames alike (mechanisms.md §3.8)."""
        opener = self._opener
        if opener is None:
            raise self._not_connected("decrypt")
        try:
            self._peer_nonce = opener.open_frames(frames, out, self._peer_nonce)
        except _crypto.MessageRejected as exc:
            self._peer_nonce = exc.last_nonce
            raise _message_error(exc) from None

    def unwrap_data(
        self,
        data: bytes,
        out: list[tuple[int, bytes]],
        max_size: int,
        messages: list[list[bytes]] | None = None,
    ) -> int:
        opener = self._opener
        if opener is None:
            return 0
        try:
            used, self._peer_nonce = opener.open_stream(
                data, out, self._peer_nonce, max_size, messages
            )
        except _crypto.MessageRejected as exc:
            self._peer_nonce = exc.last_nonce
            raise _message_error(exc) from None
        return used

    def encode_frame(self, body: bytes, *, more: bool, command: bool) -> bytes:
        """One frame → a MESSAGE body (RFC 26 §"The MESSAGE Command" + libzmq's COMMAND bit)."""
        encoder = codec.FrameEncoder()
        self._wrap_one(body, (FLAG_MORE if more else 0) | (FLAG_COMMAND if command else 0), encoder)
        frames: list[tuple[int, bytes]] = []
        codec.FrameDecoder().decode(b"".join(encoder.drain()), frames)
        return frames[0][1]

    def decode_frame(self, body: bytes) -> tuple[bytes, bool, bool]:
        """A received frame body (a MESSAGE command) → ``(payload, more, command)``."""
        out: list[tuple[int, bytes]] = []
        self.unwrap_frames([(0, body if type(body) is bytes else bytes(body))], out)
        flags, payload = out[0]
        return payload, bool(flags & codec.FLAG_MORE), bool(flags & codec.FLAG_COMMAND)


class CurveClient(_CurveBase):
    """CURVE client: our long-term pair (C, c) and the server's long-term public key S.

    Keys are 32 raw bytes or Z85 (see ``curve_key``). ``random_bytes`` replaces libsodium's
    CSPRNG for the transient key and the vouch nonce (tests only).
    """

    def __init__(
        self,
        *,
        public_key: bytes | str,
        secret_key: bytes | str,
        server_key: bytes | str,
        random_bytes: RandomBytes | None = None,
    ) -> None:
        super().__init__(as_server=False, random_bytes=random_bytes)
        self._send_prefix = MESSAGE_CLIENT_PREFIX
        self._recv_prefix = MESSAGE_SERVER_PREFIX
        self._public = curve_key(public_key, "CURVE_PUBLICKEY")
        self._secret = curve_key(secret_key, "CURVE_SECRETKEY")
        self._server_key = curve_key(server_key, "CURVE_SERVERKEY")
        self._transient_secret = b""
        self._transient_public = b""
        self._server_transient = b""
        self._cookie = b""

    def start(self, metadata: Mapping[str, bytes]) -> list[bytes]:
        self._metadata = metadata
        secret = self._random(_crypto.KEY_SIZE)
        self._transient_secret = secret
        self._transient_public = _crypto.public_from_secret(secret)
        nonce = self._next_nonce()
        signature = _crypto.box(_HELLO_SIGNATURE, HELLO_PREFIX + nonce, self._server_key, secret)
        self._state = _State.EXPECT_WELCOME
        return [
            commands.command_body(
                commands.HELLO,
                _VERSION + _HELLO_PADDING + self._transient_public + nonce + signature,
            )
        ]

    def receive_command(self, name: bytes, data: bytes) -> list[bytes]:
        state = self._state
        if state is _State.EXPECT_WELCOME:
            if name == commands.WELCOME:
                return self._welcome(data)
            if name == commands.ERROR:
                return self._error(data)
            raise self._unexpected(name, "expected WELCOME or ERROR")
        if state is _State.EXPECT_READY:
            if name == commands.READY:
                return self._ready(data)
            if name == commands.ERROR:
                return self._error(data)
            raise self._unexpected(name, "expected READY or ERROR")
        raise self._unexpected(name, "was not expecting a command")

    def _error(self, data: bytes) -> list[bytes]:
        self._state = _State.FAILED
        return self._peer_error(data)

    def _welcome(self, data: bytes) -> list[bytes]:
        if len(data) != WELCOME_SIZE - 8:
            raise RemoteProtocolError(
                f"peer sent a {len(data) + 8}-byte CURVE WELCOME; it must be {WELCOME_SIZE}",
                ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_WELCOME,
            )
        try:
            plain = _crypto.box_open(
                data[16:], WELCOME_PREFIX + data[:16], self._server_key, self._transient_secret
            )
        except _crypto.CryptoError:
            # Usually: we hold the wrong server key (the server used its real one).
            raise _crypto_error("WELCOME") from None
        self._server_transient = plain[:32]
        self._cookie = plain[32:]
        self._shared = _crypto.precompute(self._server_transient, self._transient_secret)
        # c' is needed no further: INITIATE is sealed with the session key and the vouch with c.
        self._transient_secret = b""

        vouch_nonce = self._random(16)
        vouch = _crypto.box(
            self._transient_public + self._server_key,
            VOUCH_PREFIX + vouch_nonce,
            self._server_transient,
            self._secret,
        )
        nonce = self._next_nonce()
        box = _crypto.box_afternm(
            self._public + vouch_nonce + vouch + encode_metadata(self._metadata),
            INITIATE_PREFIX + nonce,
            self._shared,
        )
        self._state = _State.EXPECT_READY
        return [commands.command_body(commands.INITIATE, self._cookie + nonce + box)]

    def _ready(self, data: bytes) -> list[bytes]:
        if len(data) < READY_MIN_SIZE - 6:
            raise RemoteProtocolError(
                f"peer sent a {len(data) + 6}-byte CURVE READY; the minimum is {READY_MIN_SIZE}",
                ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_READY,
            )
        nonce_bytes = data[:8]
        try:
            plain = _crypto.box_open_afternm(data[8:], READY_PREFIX + nonce_bytes, self._shared)
        except _crypto.CryptoError:
            raise _crypto_error("READY") from None
        # libzmq takes the READY nonce as the peer's latest without comparing it.
        self._peer_nonce = _NONCE.unpack(nonce_bytes)[0]
        self.peer_metadata = decode_metadata(plain)
        self._cookie = b""
        self._connected()
        return []


class CurveServer(_CurveBase):
    """CURVE server: our long-term secret key s (the public S is derived from it).

    ``zap``: ask the ZAP handler about each client's long-term key (see the module docstring
    for when the engine should pass False). ``random_bytes`` replaces libsodium's CSPRNG for
    the transient key, the cookie key and the two long nonces (tests only), requested in that
    order.
    """

    def __init__(
        self,
        *,
        secret_key: bytes | str,
        zap: bool = True,
        random_bytes: RandomBytes | None = None,
    ) -> None:
        super().__init__(as_server=True, random_bytes=random_bytes)
        self._send_prefix = MESSAGE_SERVER_PREFIX
        self._recv_prefix = MESSAGE_CLIENT_PREFIX
        self._secret = curve_key(secret_key, "CURVE_SECRETKEY")
        self._public = _crypto.public_from_secret(self._secret)
        self._zap = zap
        self._state = _State.EXPECT_HELLO
        self._client_transient = b""
        self._transient_secret = b""
        self._cookie_key = b""
        #: The client's long-term public key C (32 bytes), known after a valid INITIATE.
        self.client_public_key: bytes | None = None

    def start(self, metadata: Mapping[str, bytes]) -> list[bytes]:
        self._metadata = metadata
        return []

    def receive_command(self, name: bytes, data: bytes) -> list[bytes]:
        state = self._state
        if state is _State.EXPECT_HELLO:
            if name != commands.HELLO:
                raise self._unexpected(name, "expected HELLO")
            return self._hello(data)
        if state is _State.EXPECT_INITIATE:
            if name != commands.INITIATE:
                raise self._unexpected(name, "expected INITIATE")
            return self._initiate(data)
        raise self._unexpected(
            name, "waits for the ZAP verdict" if state is _State.WAIT_ZAP else "is over"
        )

    def _hello(self, data: bytes) -> list[bytes]:
        if len(data) != HELLO_SIZE - 6:
            raise RemoteProtocolError(
                f"peer sent a {len(data) + 6}-byte CURVE HELLO; it must be {HELLO_SIZE}",
                ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_HELLO,
            )
        if data[:2] != _VERSION:
            raise RemoteProtocolError(
                f"peer sent CURVE HELLO version {data[0]}.{data[1]}; only 1.0 exists",
                ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_HELLO,
            )
        client_transient = data[74:106]
        nonce_bytes = data[106:114]
        try:
            # The signature box proves the client knows our public key (RFC 26 §HELLO); the
            # 64 zero bytes inside are not checked, as in libzmq.
            _crypto.box_open(data[114:], HELLO_PREFIX + nonce_bytes, client_transient, self._secret)
        except _crypto.CryptoError:
            raise _crypto_error("HELLO (the client may hold a wrong server key)") from None
        self._client_transient = client_transient
        self._peer_nonce = _NONCE.unpack(nonce_bytes)[0]

        transient_secret = self._random(_crypto.KEY_SIZE)
        self._transient_secret = transient_secret
        self._cookie_key = self._random(_crypto.KEY_SIZE)
        welcome_nonce = self._random(16)
        cookie_nonce = self._random(16)
        cookie = cookie_nonce + _crypto.secretbox(
            client_transient + transient_secret, COOKIE_PREFIX + cookie_nonce, self._cookie_key
        )
        box = _crypto.box(
            _crypto.public_from_secret(transient_secret) + cookie,
            WELCOME_PREFIX + welcome_nonce,
            client_transient,
            self._secret,
        )
        self._shared = _crypto.precompute(client_transient, transient_secret)
        self._state = _State.EXPECT_INITIATE
        return [commands.command_body(commands.WELCOME, welcome_nonce + box)]

    def _initiate(self, data: bytes) -> list[bytes]:
        if len(data) < INITIATE_MIN_SIZE - 9:
            raise RemoteProtocolError(
                f"peer sent a {len(data) + 9}-byte CURVE INITIATE; the minimum is "
                f"{INITIATE_MIN_SIZE}",
                ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_INITIATE,
            )
        try:
            cookie = _crypto.secretbox_open(
                data[16:96], COOKIE_PREFIX + data[:16], self._cookie_key
            )
        except _crypto.CryptoError:
            raise _crypto_error("INITIATE cookie") from None
        # Constant-time: the cookie holds our transient secret.
        if not hmac.compare_digest(cookie, self._client_transient + self._transient_secret):
            raise _crypto_error("INITIATE cookie (it names another connection)")
        nonce_bytes = data[96:104]
        try:
            plain = _crypto.box_open_afternm(
                data[104:], INITIATE_PREFIX + nonce_bytes, self._shared
            )
        except _crypto.CryptoError:
            raise _crypto_error("INITIATE") from None
        client_key = plain[:32]
        try:
            vouch = _crypto.box_open(
                plain[48:128], VOUCH_PREFIX + plain[32:48], client_key, self._transient_secret
            )
        except _crypto.CryptoError:
            raise _crypto_error("INITIATE vouch") from None
        if not hmac.compare_digest(vouch, self._client_transient + self._public):
            # RFC 26 §INITIATE: the vouch must name this connection's C' and our S.
            raise RemoteProtocolError(
                "peer's CURVE vouch names other keys than this connection's",
                ProtocolErrorCode.ZMTP_KEY_EXCHANGE,
            )
        self._peer_nonce = _NONCE.unpack(nonce_bytes)[0]
        self.peer_metadata = decode_metadata(plain[128:])
        self.client_public_key = client_key
        # The cookie has served its purpose; forget its key and our transient secret.
        self._cookie_key = b""
        self._transient_secret = b""
        if self._zap:
            self._state = _State.WAIT_ZAP
            self._request_zap(client_key)
            return []
        return self._send_ready()

    def _send_ready(self) -> list[bytes]:
        nonce = self._next_nonce()
        box = _crypto.box_afternm(
            encode_metadata(self._metadata), READY_PREFIX + nonce, self._shared
        )
        self._connected()
        return [commands.command_body(commands.READY, nonce + box)]

    def zap_reply(
        self, status: int, user_id: bytes = b"", metadata: Mapping[str, bytes] | None = None
    ) -> list[bytes]:
        if self._state is not _State.WAIT_ZAP:
            return super().zap_reply(status, user_id, metadata)
        if check_zap_status(status) != 200:
            self._state = _State.FAILED
            return self._refuse_zap(status)
        self._accept_zap(user_id, metadata)
        return self._send_ready()


__all__ = [
    "CurveClient",
    "CurveServer",
    "curve_key",
    "FLAG_MORE",
    "FLAG_COMMAND",
    "HELLO_PREFIX",
    "WELCOME_PREFIX",
    "COOKIE_PREFIX",
    "INITIATE_PREFIX",
    "VOUCH_PREFIX",
    "READY_PREFIX",
    "MESSAGE_CLIENT_PREFIX",
    "MESSAGE_SERVER_PREFIX",
]
