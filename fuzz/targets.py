"""Fuzz targets: every parser a peer (or a user's endpoint string) can reach.

Each target takes the fuzzer's bytes and either returns, or raises ``Crash`` (or any exception
that is not the parser's documented refusal). A documented refusal is the outcome a peer's
garbage must get: ``RemoteProtocolError`` from a parser, a ``ZMQError`` for an endpoint, or,
for a whole ``Connection``, a closed connection whose error blames the peer. An "internal
error" (``Connection`` catching a bug of ours and blaming itself) is a crash.

The targets are plain functions so that ``fuzz/run.py`` (atheris, coverage-guided) and the
regression test that replays ``fuzz/corpus/`` (tests/zmtp/test_fuzz_corpus.py) share them.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator

from purezmq._typing import Received
from purezmq.constants import SocketType
from purezmq.endpoint import parse as parse_endpoint
from purezmq.error import LocalProtocolError, ProtocolError, RemoteProtocolError, ZMQError
from purezmq.pgm import packet as pgm_codec
from purezmq.pgm.framing import ApduDecoder
from purezmq.zmtp import commands, udp_datagram
from purezmq.zmtp.codec import FrameDecoder, encode_frame
from purezmq.zmtp.connection import Connection, ConnectionOptions
from purezmq.zmtp.events import Event, ZapRequest
from purezmq.zmtp.greeting import GreetingParser
from purezmq.zmtp.mechanisms.base import Mechanism
from purezmq.zmtp.mechanisms.curve import CurveClient, CurveServer
from purezmq.zmtp.mechanisms.null import NullMechanism
from purezmq.zmtp.mechanisms.plain import PlainClient, PlainServer, parse_hello
from purezmq.zmtp.metadata import decode_metadata
from purezmq.zmtp.zap import parse_reply
from purezmq.zmtp.zws import ZwsConnection

Target = Callable[[bytes], None]

# The test keys of libzmq's zmq_curve(7) page. With them, and a counter for the randomness of
# both sides instead of the CSPRNG, a recorded CURVE handshake replays byte for byte.
SERVER_PUBLIC = b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
SERVER_SECRET = b"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
CLIENT_PUBLIC = b"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
CLIENT_SECRET = b"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"


class Crash(AssertionError):
    """The input found a bug: the parser broke its contract."""


def counter_random() -> Callable[[int], bytes]:
    """Deterministic stand-in for the CSPRNG: recorded CURVE handshakes replay byte for byte."""
    counter = itertools.count(1)

    def random_bytes(size: int) -> bytes:
        return next(counter).to_bytes(8, "big").rjust(size, b"\x00")[:size]

    return random_bytes


def chunks(data: bytes) -> Iterator[bytes]:
    """Split the input the way a transport might: the first byte picks the chunk size, so the
    fuzzer explores frame boundaries that fall across reads."""
    if not data:
        return
    size = data[0] % 17 or len(data)
    body = data[1:]
    for start in range(0, len(body), size):
        yield body[start : start + size]


# -- layer-1 parsers ---------------------------------------------------------------------------


def greeting(data: bytes) -> None:
    for mechanism in (b"NULL", b"PLAIN", b"CURVE"):
        parser = GreetingParser(mechanism)
        try:
            for chunk in chunks(data):
                used = parser.receive(chunk)
                if not 0 <= used <= len(chunk):
                    raise Crash(f"receive() used {used} of {len(chunk)} bytes")
                if parser.greeting is not None:
                    break
        except RemoteProtocolError:
            continue


def frame_decoder(data: bytes) -> None:
    """Decoding in chunks must give the frames decoding at once gives (or the same refusal)."""
    limit = 1 << (data[0] % 20) if data else -1

    def decode(pieces: list[bytes]) -> tuple[list[tuple[int, bytes]], str | None]:
        decoder = FrameDecoder(limit)
        out: list[tuple[int, bytes]] = []
        try:
            for piece in pieces:
                decoder.decode(piece, out)
        except RemoteProtocolError as exc:
            return out, type(exc).__name__
        return out, None

    whole, whole_error = decode([data[1:]])
    split, split_error = decode(list(chunks(data)))
    if whole_error is None and split_error is None and whole != split:
        raise Crash(f"split decoding differs: {whole!r} != {split!r}")
    for flags, body in whole:
        if flags & 0x04 and not body:
            # An empty command only arrives as libzmq 4.3.3's long-form header (see
            # FrameDecoder.decode); a short one is held back, so it has no short re-encoding.
            continue
        again, error = decode([encode_frame(body, flags & 0x05)])
        if error is not None or [(f & 0x05, b) for f, b in again] != [(flags & 0x05, body)]:
            raise Crash(f"frame ({flags}, {body!r}) does not survive a re-encode")


def message_splitter(data: bytes) -> None:
    """The hot path that cuts whole messages from a read (runs of one-frame and multipart
    messages included) must read what the frame decoder alone reads, wherever the read ends.
    The first byte repeats the rest (repeated messages make runs), the second picks the cut."""
    if len(data) < 2:
        return
    wire = data[2:] * (data[0] % 9 + 1)
    cut = data[1] * 131 % (len(wire) + 1)
    keep = 0x01 | 0x04  # MORE and COMMAND: the flags a message keeps

    reference: list[tuple[int, bytes]] = []
    try:
        FrameDecoder().decode(wire, reference)
    except RemoteProtocolError:
        return
    messages: list[Received] = []
    decoder = FrameDecoder()
    partial, used = decoder.split_messages(wire[:cut], [], messages)
    if used > cut:
        raise Crash(f"split_messages used {used} bytes of a {cut}-byte read")
    read = [
        (0x01 if i < len(msg) - 1 else 0, body) for msg in messages for i, body in enumerate(msg)
    ] + [(0x01, body) for body in partial]
    if any(type(body) is not bytes for _, body in read):
        raise Crash("split_messages handed on a frame that is not bytes")
    rest: list[tuple[int, bytes]] = []
    decoder.decode(wire[used:cut], rest)
    decoder.decode(wire[cut:], rest)
    got = [(flags & keep, body) for flags, body in read + rest]
    if got != [(flags & keep, body) for flags, body in reference]:
        raise Crash(f"split_messages then decode differs: {got!r}")


def command(data: bytes) -> None:
    try:
        name, rest = commands.parse_command(data)
    except RemoteProtocolError:
        return
    if commands.command_body(name, rest) != data and not data.startswith(b"^RROR"):
        raise Crash("parse_command does not split the body it was given")
    for parse in (commands.parse_ping, commands.parse_error, decode_metadata, parse_hello):
        with contextlib.suppress(RemoteProtocolError):
            parse(rest)


def metadata(data: bytes) -> None:
    try:
        props = decode_metadata(data)
    except RemoteProtocolError:
        return
    for name, value in props.items():
        if not isinstance(value, bytes) or not isinstance(name, str):
            raise Crash(f"property {name!r} decoded to {value!r}")


def zap_reply(data: bytes) -> None:
    frames = data.split(b"\x00\xff")
    try:
        reply = parse_reply(frames, request_id=b"1")
    except RemoteProtocolError:
        return
    if reply.status not in (200, 300, 400, 500):
        raise Crash(f"accepted a reply with status {reply.status}")


def udp(data: bytes) -> None:
    """A RADIO/DISH datagram: refused with a reason, or decoded to what re-encodes to it."""
    decoded = udp_datagram.decode(data)
    if isinstance(decoded, str):
        if decoded not in (udp_datagram.BROKEN_GROUP, udp_datagram.OVERSIZE):
            raise Crash(f"unknown refusal {decoded!r}")
        return
    group, body = decoded
    if udp_datagram.encode(group, body) != data:
        raise Crash(f"({group!r}, {body!r}) does not re-encode to the datagram")


def pgm_packet(data: bytes) -> None:
    """A PGM packet: refused with ValueError, or decoded; plain data packets re-encode to it.

    The checksum is put right first, so the inputs reach the parser behind it.
    """
    if len(data) >= pgm_codec.HEADER_SIZE:
        fixed = bytearray(data)
        fixed[6:8] = b"\0\0"
        fixed[6:8] = pgm_codec.checksum(fixed).to_bytes(2, "big")
        data = bytes(fixed)
    try:
        packet = pgm_codec.decode(data)
    except ValueError:
        return
    if packet.type in (pgm_codec.ODATA, pgm_codec.RDATA) and data[5] == 0:
        again = pgm_codec.encode_data(
            packet.sport,
            packet.dport,
            packet.gsi,
            packet.sqn,
            packet.trail,
            packet.payload,
            repair=packet.type == pgm_codec.RDATA,
        )
        if again != data:
            raise Crash("a data packet does not re-encode to itself")


def pgm_apdus(data: bytes) -> None:
    """libzmq's message stream over PGM: APDUs (cut every 64 bytes) either decode to messages
    that re-encode losslessly or are refused with ValueError."""
    decoder = ApduDecoder(max_message_size=1 << 20)
    try:
        for i in range(0, len(data), 64):
            for msg in decoder.feed(data[i : i + 64]):
                if not msg:
                    raise Crash("an empty message")
    except ValueError:
        return


def endpoint(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    for for_bind in (True, False):
        with contextlib.suppress(ZMQError):
            parse_endpoint(text, for_bind=for_bind)


# -- whole connections: what a peer's bytes do to the state machine ---------------------------


def _drive(conn: Connection, data: bytes) -> Connection:
    """Feed ``data`` after start(), answer ZAP requests, and check the failure contract."""
    conn.start(0.0)
    conn.data_to_send()
    for now, chunk in enumerate(chunks(data)):
        conn.receive_data(chunk, float(now))
        for event in conn.events_received():
            if not isinstance(event, Event):
                raise Crash(f"events_received() gave {event!r}")
            if isinstance(event, ZapRequest):
                conn.zap_reply(200 if event.credentials[:1] != (b"deny",) else 400)
        conn.messages_received()
        conn.data_to_send()
        if conn.closed:
            break
    error = conn.error
    if isinstance(error, LocalProtocolError) and "internal error" in str(error):
        raise Crash(str(error))
    if error is not None and not isinstance(error, ProtocolError):
        raise Crash(f"connection failed with {error!r}")
    if not conn.closed:
        conn.handle_timer(1e9)  # the handshake or heartbeat timers must end it cleanly
        if conn.error is not None and "internal error" in str(conn.error):
            raise Crash(str(conn.error))
    return conn


def _options() -> ConnectionOptions:
    return ConnectionOptions(max_msg_size=4096, heartbeat_ivl=1.0, heartbeat_timeout=2.0)


Driver = Callable[[bytes], Connection]


def _connection_target(socket_type: SocketType, make: Callable[[], Mechanism]) -> Driver:
    def drive(data: bytes) -> Connection:
        return _drive(Connection(socket_type, make(), options=_options()), data)

    return drive


def _ws_target(socket_type: SocketType, make: Callable[[], Mechanism]) -> Driver:
    def drive(data: bytes) -> Connection:
        return _drive(ZwsConnection(socket_type, make(), client=False, options=_options()), data)

    return drive


def plain_server() -> Mechanism:
    return PlainServer()


def curve_server() -> Mechanism:
    return CurveServer(secret_key=SERVER_SECRET, random_bytes=counter_random())


#: Whole connections, by target name: each drives a server-side connection with the input
#: (the peer's bytes) and returns it.
DRIVERS: dict[str, Driver] = {
    # NULL handshakes into each family of socket, then traffic: READY, SUBSCRIBE/CANCEL (PUB,
    # XPUB), JOIN/LEAVE (RADIO), PING/PONG and messages (all).
    "null_pub": _connection_target(SocketType.PUB, NullMechanism),
    "null_xpub": _connection_target(SocketType.XPUB, NullMechanism),
    "null_router": _connection_target(SocketType.ROUTER, NullMechanism),
    "null_radio": _connection_target(SocketType.RADIO, NullMechanism),
    "null_sub": _connection_target(SocketType.SUB, NullMechanism),
    "plain_server": _connection_target(SocketType.REP, plain_server),
    "curve_server": _connection_target(SocketType.REP, curve_server),
    # ZWS 2.0 (RFC 45) servers: the HTTP upgrade, WebSocket frames, then ZMTP inside them.
    "ws_router": _ws_target(SocketType.ROUTER, NullMechanism),
    "ws_plain_server": _ws_target(SocketType.REP, plain_server),
}


def _discard(driver: Driver) -> Target:
    def target(data: bytes) -> None:
        driver(data)

    return target


TARGETS: dict[str, Target] = {
    "greeting": greeting,
    "frame_decoder": frame_decoder,
    "message_splitter": message_splitter,
    "command": command,
    "metadata": metadata,
    "zap_reply": zap_reply,
    "endpoint": endpoint,
    "udp_datagram": udp,
    "pgm_packet": pgm_packet,
    "pgm_apdus": pgm_apdus,
    **{name: _discard(driver) for name, driver in DRIVERS.items()},
}


def client_mechanism(target: str) -> Mechanism:
    """The mechanism of the peer whose bytes a connection target's seeds record."""
    if target in ("plain_server", "ws_plain_server"):
        return PlainClient(b"admin", b"secret")
    if target == "curve_server":
        return CurveClient(
            public_key=CLIENT_PUBLIC,
            secret_key=CLIENT_SECRET,
            server_key=SERVER_PUBLIC,
            random_bytes=counter_random(),
        )
    return NullMechanism()
