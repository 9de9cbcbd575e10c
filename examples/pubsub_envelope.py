"""PUB → SUB with envelopes: the topic travels in a frame of its own.

A SUB filters on the *first frame's* prefix. Putting the topic (the "envelope") in a separate
first frame keeps the payload free of routing data. A subscriber subscribes before it can
receive anything; messages published before its subscription reached the publisher are not
delivered to it (ØMQ's "slow joiner"), so the publisher here waits for the subscription with
an XPUB socket, which hands subscriptions to the application.
"""

from __future__ import annotations

import purezmq as zmq


def main() -> None:
    ctx = zmq.Context()
    publisher = ctx.socket(zmq.XPUB)  # a PUB that shows us the subscriptions
    port = publisher.bind_to_random_port("tcp://127.0.0.1")

    subscriber = ctx.socket(zmq.SUB)
    subscriber.connect(f"tcp://127.0.0.1:{port}")
    subscriber.subscribe(b"weather")

    print("publisher saw subscription:", publisher.recv())  # b'\x01weather'

    publisher.send_multipart([b"sports", b"3-1"])
    publisher.send_multipart([b"weather", b"sunny, 21 C"])
    publisher.send_multipart([b"weather.alerts", b"storm at 18:00"])

    for _ in range(2):
        topic, payload = subscriber.recv_multipart()
        print(f"[{topic.decode()}] {payload.decode()}")

    subscriber.close()
    publisher.close()
    ctx.term()


if __name__ == "__main__":
    main()
