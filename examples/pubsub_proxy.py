"""A pub/sub forwarder: publishers → XSUB | XPUB → subscribers.

Publishers connect to the proxy's XSUB, subscribers to its XPUB. ``purezmq.proxy`` passes
messages downstream and subscriptions upstream, so each publisher only sends what some
subscriber wants. The proxy runs in a thread and stops when the Context is terminated.
"""

from __future__ import annotations

import threading

import purezmq as zmq


def forward(xsub: zmq.Socket, xpub: zmq.Socket) -> None:
    try:
        zmq.proxy(xsub, xpub)
    except zmq.ContextTerminated:
        xsub.close()
        xpub.close()


def main() -> None:
    ctx = zmq.Context()
    xsub = ctx.socket(zmq.XSUB)
    upstream = f"tcp://127.0.0.1:{xsub.bind_to_random_port('tcp://127.0.0.1')}"
    xpub = ctx.socket(zmq.XPUB)
    downstream = f"tcp://127.0.0.1:{xpub.bind_to_random_port('tcp://127.0.0.1')}"
    proxy = threading.Thread(target=forward, args=(xsub, xpub))
    proxy.start()

    publisher = ctx.socket(zmq.XPUB)  # XPUB: it tells us when the subscription has arrived
    publisher.connect(upstream)
    subscriber = ctx.socket(zmq.SUB)
    subscriber.connect(downstream)
    subscriber.subscribe(b"news")
    print("subscription reached the publisher:", publisher.recv())

    publisher.send_multipart([b"news", b"purezmq speaks ZMTP 3.1"])
    publisher.send_multipart([b"gossip", b"nobody subscribed to this"])
    publisher.send_multipart([b"news", b"and it forwards through proxies"])
    for _ in range(2):
        print(subscriber.recv_multipart())

    publisher.close()
    subscriber.close()
    ctx.term()
    proxy.join()


if __name__ == "__main__":
    main()
