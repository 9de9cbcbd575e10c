"""DEALER ⇄ DEALER: an asynchronous conversation between two peers that know each other.

Both sides may send at any time; with one connection, this is a full-duplex channel of
multipart messages (what PAIR gives, but DEALER also reconnects and load-balances).
"""

from __future__ import annotations

import purezmq as zmq


def main() -> None:
    ctx = zmq.Context()
    left = ctx.socket(zmq.DEALER)
    port = left.bind_to_random_port("tcp://127.0.0.1")
    right = ctx.socket(zmq.DEALER)
    right.connect(f"tcp://127.0.0.1:{port}")

    left.send_multipart([b"ping", b"1"])
    right.send_multipart([b"ping", b"2"])  # no need to wait for the other side
    print("right got", right.recv_multipart())
    print("left got", left.recv_multipart())

    left.close()
    right.close()
    ctx.term()


if __name__ == "__main__":
    main()
