"""Write the seed corpora in fuzz/corpus/<target>/: valid inputs the fuzzer mutates from.

Connection targets get the bytes a real peer sends (greeting, handshake, then traffic),
recorded from a client ``Connection`` talking to the target's server one. Run it again after
a protocol change: ``python fuzz/make_corpus.py``.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from targets import SERVER_SECRET, TARGETS, client_mechanism, counter_random

from purezmq.constants import SocketType
from purezmq.zmtp import commands
from purezmq.zmtp.codec import FLAG_COMMAND, FLAG_MORE, encode_frame
from purezmq.zmtp.connection import Connection
from purezmq.zmtp.events import ZapRequest
from purezmq.zmtp.greeting import encode_greeting
from purezmq.zmtp.mechanisms.curve import CurveServer
from purezmq.zmtp.mechanisms.null import NullMechanism
from purezmq.zmtp.mechanisms.plain import PlainServer, hello
from purezmq.zmtp.metadata import encode_metadata
from purezmq.zmtp.zap import build_reply
from purezmq.zmtp.zws import ZwsConnection

CORPUS = Path(__file__).resolve().parent / "corpus"

#: Connection target → (its socket type, the peer's socket type).
PEERS = {
    "null_pub": (SocketType.PUB, SocketType.SUB),
    "null_xpub": (SocketType.XPUB, SocketType.XSUB),
    "null_router": (SocketType.ROUTER, SocketType.DEALER),
    "null_radio": (SocketType.RADIO, SocketType.DISH),
    "null_sub": (SocketType.SUB, SocketType.PUB),
    "plain_server": (SocketType.REP, SocketType.REQ),
    "curve_server": (SocketType.REP, SocketType.REQ),
    "ws_router": (SocketType.ROUTER, SocketType.DEALER),
    "ws_plain_server": (SocketType.REP, SocketType.REQ),
}


def server_mechanism(target: str) -> NullMechanism | PlainServer | CurveServer:
    if target in ("plain_server", "ws_plain_server"):
        return PlainServer()
    if target == "curve_server":
        return CurveServer(secret_key=SERVER_SECRET, random_bytes=counter_random())
    return NullMechanism()


def transcript(target: str) -> bytes:
    """What the peer sends to the target's connection: greeting, handshake, some traffic."""
    ours, theirs = PEERS[target]
    server: Connection
    client: Connection
    if target.startswith("ws_"):
        server = ZwsConnection(ours, server_mechanism(target), client=False)
        client = ZwsConnection(theirs, client_mechanism(target), client=True)
    else:
        server = Connection(ours, server_mechanism(target))
        client = Connection(theirs, client_mechanism(target))
    server.start(0.0)
    client.start(0.0)
    sent = bytearray()
    for _ in range(20):
        out = b"".join(bytes(b) for b in client.data_to_send())
        sent += out
        server.receive_data(out, 0.0)
        for event in server.events_received():
            if isinstance(event, ZapRequest):
                server.zap_reply(200)
        client.receive_data(b"".join(bytes(b) for b in server.data_to_send()), 0.0)
        client.events_received()
        if client.ready and server.ready:
            break
    else:
        raise RuntimeError(f"{target}: the recorded handshake did not complete")
    if theirs is SocketType.SUB or theirs is SocketType.XSUB:
        client.send_subscribe(b"topic")
        client.send_cancel(b"topic")
    elif theirs is SocketType.DISH:
        client.send_join(b"group")
        client.send_leave(b"group")
    elif theirs is SocketType.PUB:
        client.send_message([b"topic", b"body"])
    else:
        client.send_message([b"", b"hello"])
    sent += b"".join(bytes(b) for b in client.data_to_send())
    return bytes(sent)


def seeds(target: str) -> list[bytes]:
    if target in PEERS:
        record = transcript(target)
        # First byte: the chunk size (0 = all at once; 1 = a byte at a time).
        return [b"\x00" + record, b"\x01" + record, b"\x07" + record]
    if target == "greeting":
        return [
            b"\x00" + encode_greeting(name, as_server=server, minor=minor)
            for name in (b"NULL", b"PLAIN", b"CURVE")
            for server in (False, True)
            for minor in (0, 1)
        ]
    if target == "frame_decoder":
        frames = (
            encode_frame(b"hello", FLAG_MORE)
            + encode_frame(b"x" * 300)
            + encode_frame(commands.subscribe(b"t"), FLAG_COMMAND)
        )
        return [b"\x00" + frames, b"\x13" + frames, b"\x05" + encode_frame(b"")]
    if target == "message_splitter":
        one = encode_frame(b"x" * 16)
        envelope = encode_frame(b"id01", FLAG_MORE) + encode_frame(b"y" * 16)
        ping = encode_frame(commands.ping(0, b"c"), FLAG_COMMAND)
        # First byte: how many times the rest repeats; second: where the read is cut.
        return [
            b"\x07\x00" + one,
            b"\x07\x35" + envelope,
            b"\x05\x11" + one * 4 + ping + envelope,
            b"\x03\xff" + envelope + encode_frame(b"z" * 300) + one,
        ]
    if target == "command":
        return [
            commands.ready({"Socket-Type": b"DEALER", "Identity": b""}),
            commands.error(b"400"),
            commands.ping(100, b"ctx"),
            commands.pong(b"ctx"),
            commands.subscribe(b"topic"),
            commands.cancel(b"topic"),
            commands.join(b"group"),
            commands.leave(b"group"),
            hello(b"admin", b"secret"),
        ]
    if target == "metadata":
        return [encode_metadata({"Socket-Type": b"ROUTER", "X-Custom": b"v" * 40}), b""]
    if target == "zap_reply":
        reply = build_reply(200, b"OK", b"user", {"X-Role": b"admin"}, request_id=b"1")
        return [b"\x00\xff".join(reply)]
    if target == "udp_datagram":
        return [b"\x05groupbody", b"\x00", b"\xff" + b"g" * 255 + b"body"]
    if target == "pgm_packet":
        # Captured from libzmq 4.3.4 + OpenPGM: an SPM, ODATA "hello", a NAK list.
        return [
            bytes.fromhex(h)
            for h in (
                "c9ab15b300005066fc982a932a0c00000000000000000000ffffffff000100007f000001",
                "c1f415b304004d6fb7c6d1bc038a000900000000000000000000060068656c6c6f",
                "15b387bd08038cc5c4676eb0a8bc000000000003000100007f00000100010000efc00101"
                "00040010820c00000000000400000005",
            )
        ]
    if target == "pgm_apdus":
        from purezmq.pgm.framing import ApduEncoder

        apdus = ApduEncoder(64).encode([[b"hello"], [b"a", b"bc"], [b"x" * 300]])
        return [b"".join(a.ljust(64, b"\0") for a in apdus), b"\xff\xff" + b"\0" * 62]
    if target == "endpoint":
        return [
            s.encode()
            for s in (
                "tcp://127.0.0.1:5555",
                "tcp://[::1]:*",
                "tcp://eth0;192.168.1.1:5555",
                "tcp://*:!",
                "ipc:///tmp/sock",
                "ipc://@abstract",
                "inproc://name",
                "ws://127.0.0.1:8080/path",
                "wss://localhost:*",
                "udp://239.0.0.1:5555",
                "udp://lo;239.0.0.1:5555",
                "epgm://127.0.0.1;239.192.1.1:5555",
            )
        ]
    raise KeyError(target)


def main() -> int:
    for target in TARGETS:
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        for seed in seeds(target):
            name = hashlib.sha1(seed).hexdigest()
            (folder / name).write_bytes(seed)
        print(f"{target}: {len(list(folder.iterdir()))} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
