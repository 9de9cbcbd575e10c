"""One side of an epgm/pgm exchange, run inside a private network namespace by
``tests/interop/test_epgm_libzmq434.py``: a PUB or a SUB, on libzmq (pyzmq built against
Debian's libzmq 4.3.4 with OpenPGM) or on purezmq.

A purezmq peer can drop, reorder and black-hole PGM data packets at its datagram boundary
(``--loss``, ``--black-hole``, ``--drop-last``): outgoing ones on a PUB, incoming ones on a
SUB, so loss hits the exchange in either direction without kernel support. A purezmq PUB can
also keep its SPMs off the wire for a while (``--spm-blackout``).

Messages are ``[b"<seq>", payload]`` with a payload whose size cycles through ``--sizes`` and
whose bytes are derived from the sequence number, so a receiver checks every one. The SUB
prints ``ready`` once connected, then one JSON line: the sequence numbers it received, how
many were corrupt, and (purezmq) how much loss it reported and what its relay did. The PUB
prints one JSON line too (what its relay did).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import sys
import time
from typing import Any


def payload(seq: int, sizes: list[int]) -> bytes:
    size = sizes[seq % len(sizes)]
    return bytes((seq + i) & 0xFF for i in range(min(size, 256))) * (size // 256) + bytes(
        (seq + i) & 0xFF for i in range(size % 256)
    )


#: The ``[b"END", b""]`` message closing every stream, as it ends the last APDU (ZMTP 1.0 frames).
END_FRAMES = b"\x04\x01END\x01\x00"


class Relay:
    """What a purezmq peer does to the PGM datagrams at its boundary (``direction``: "out" on a
    PUB, "in" on a SUB; NAKs and SPMRs go the other way and always pass)."""

    def __init__(self, direction: str, args: argparse.Namespace) -> None:
        self.direction = direction
        self.rng = random.Random(args.seed)
        self.loss = float(args.loss)
        self.black_hole = {int(s) for s in args.black_hole.split(",") if s}
        self.drop_last = bool(args.drop_last)
        self.spm_blackout_until = time.monotonic() + args.spm_blackout
        self.held: list[bytes] = []
        #: What happened, for the JSON report.
        self.dropped_last = False
        self.spms_dropped = 0
        #: The first message starting in an ODATA sent after the first SPM that got out.
        self.first_seq_after_spm: int | None = None
        self._spm_out = False

    def __call__(self, way: str, data: bytes) -> list[bytes]:
        from purezmq.pgm import packet as pk

        if len(data) < 5:
            return [data]
        kind = data[4]
        if way != self.direction:
            return [data]
        if kind == pk.SPM and way == "out":
            if time.monotonic() < self.spm_blackout_until:
                self.spms_dropped += 1
                return []
            self._spm_out = True
            return [data]
        if kind not in (pk.ODATA, pk.RDATA):
            return [data]
        if kind == pk.ODATA and self._spm_out and self.first_seq_after_spm is None:
            self.first_seq_after_spm = first_message(data)
        if self.drop_last and kind == pk.ODATA and data.endswith(END_FRAMES):
            self.dropped_last = True
            return []
        if self.black_hole and int.from_bytes(data[16:20], "big") in self.black_hole:
            return []
        if self.rng.random() < self.loss:
            return []
        if self.rng.random() < self.loss:
            self.held.append(data)  # delivered after the next one: reordered
            return []
        out = [data, *self.held]
        self.held.clear()
        return out

    def report(self) -> dict[str, Any]:
        return {
            "dropped_last": self.dropped_last,
            "spms_dropped": self.spms_dropped,
            "first_seq_after_spm": self.first_seq_after_spm,
        }


def first_message(odata: bytes) -> int | None:
    """The sequence number of the first message starting in an ODATA without options (its
    APDU: offset(2) then ZMTP 1.0 frames; the first frame is ``b"<seq>"``)."""
    apdu = odata[24:]
    offset = int.from_bytes(apdu[:2], "big")
    if offset == 0xFFFF or len(apdu) < offset + 4:
        return None
    size = apdu[2 + offset] - 1
    if len(apdu) < 4 + offset + size:
        return None  # the sequence number continues in the next APDU
    try:
        return int(apdu[4 + offset : 4 + offset + size])
    except ValueError:
        return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", choices=["libzmq", "purezmq"], required=True)
    ap.add_argument("--role", choices=["pub", "sub", "xpub", "xsub"], required=True)
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--bind", action="store_true", help="bind() instead of connect()")
    ap.add_argument("--src", default="")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--sizes", default="0,1,64,1000,1500,5000,65536")
    ap.add_argument("--rate", type=int, default=100_000)
    ap.add_argument("--recovery-ivl", type=int, default=10_000)
    ap.add_argument("--maxtpdu", type=int, default=1500, help="MULTICAST_MAXTPDU")
    ap.add_argument(
        "--wait-go",
        action="store_true",
        help="PUB: after a quarter of the messages, wait for a line on stdin (a late joiner is in)",
    )
    ap.add_argument("--loss", type=float, default=0.0)
    ap.add_argument("--black-hole", default="")
    ap.add_argument("--drop-last", action="store_true", help="drop the ODATA carrying END")
    ap.add_argument(
        "--spm-blackout", type=float, default=0.0, help="PUB: no SPM gets out for these seconds"
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--quiet",
        type=float,
        default=3.0,
        help="SUB: stop after this silence; PUB: wait at most this long for the SUB",
    )
    args = ap.parse_args()
    # OpenPGM writes notes to the C library's stdout, which would interleave with this
    # protocol's lines: give the C side stderr and keep our own copy of stdout.
    sys.stdout.flush()
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sizes = [int(s) for s in args.sizes.split(",")]
    zmq: Any
    relay: Relay | None = None
    if args.impl == "purezmq":
        sys.path.insert(0, args.src)
        import purezmq as zmq
        from purezmq._engine import pgm_session

        relay = Relay("out" if "pub" in args.role else "in", args)
        pgm_session.set_datagram_hook(relay)
    else:
        import zmq
    ctx = zmq.Context()
    kind = {"pub": zmq.PUB, "sub": zmq.SUB, "xpub": zmq.XPUB, "xsub": zmq.XSUB}[args.role]
    sock = ctx.socket(kind)
    sock.setsockopt(zmq.RATE, args.rate)
    sock.setsockopt(zmq.RECOVERY_IVL, args.recovery_ivl)
    sock.setsockopt(zmq.MULTICAST_MAXTPDU, args.maxtpdu)
    sock.setsockopt(zmq.LINGER, 2000)
    if args.role == "sub":
        sock.setsockopt(zmq.SUBSCRIBE, b"")
    if args.role in ("sub", "xsub"):
        sock.setsockopt(zmq.RCVHWM, 100_000)
    else:
        # Before connect(): a PUB drops what its pipe cannot hold, and the pipe takes the HWM
        # the socket has when it opens.
        sock.setsockopt(zmq.SNDHWM, 100_000)
    if args.bind:
        sock.bind(args.endpoint)
    else:
        sock.connect(args.endpoint)
    if "pub" in args.role:
        # Receivers are running already (the driver waited for their "ready").
        for seq in range(args.count):
            sock.send_multipart([b"%d" % seq, payload(seq, sizes)])
            if seq == args.count // 4:
                print("started", file=out)
                if args.wait_go:
                    # The driver starts a subscriber now and says "go" once it has joined: it
                    # then meets the stream in the middle of a message.
                    sys.stdin.readline()
        sock.send_multipart([b"END", b""])
        # The source must stay up to repair what its receivers NAK after the last message:
        # until the driver closes our stdin (its subscriber is done), at most --quiet seconds.
        select.select([sys.stdin], [], [], float(args.quiet))
        report = {"sent": args.count, "relay": relay.report() if relay else None}
        print(json.dumps(report), file=out)
    else:
        if args.role == "xsub":
            sock.send(b"\x01")
        print("ready", file=out)
        seqs: list[int] = []
        bad = 0
        ended = False
        while sock.poll(int(args.quiet * 1000)):
            msg = sock.recv_multipart()
            if msg[0] == b"END":
                ended = True
                break
            try:
                seq = int(msg[0])
            except ValueError:
                bad += 1  # not a message this test sent: a receiver joined mid-message
                continue
            seqs.append(seq)
            if len(msg) != 2 or msg[1] != payload(seq, sizes):
                bad += 1
        lost = None
        if args.impl == "purezmq":
            # The engine counts what it gave up on (no public accessor for it yet).
            lost = sock._core.statistics().pgm_data_lost
        report = {"seqs": seqs, "bad": bad, "ended": ended, "lost": lost}
        report["relay"] = relay.report() if relay else None
        print(json.dumps(report), file=out)
    sock.close()
    ctx.term()


if __name__ == "__main__":
    main()
