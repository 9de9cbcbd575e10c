"""DEALER ⇄ ROUTER: fully asynchronous request/reply.

Neither side has to alternate: the DEALER sends a burst of requests and collects the replies
as they come; the ROUTER answers out of order if it likes. No empty delimiter is needed when
no REQ or REP socket takes part, so the messages are just ``[identity, payload]`` at the
ROUTER and ``[payload]`` at the DEALER.
"""

from __future__ import annotations

import purezmq as zmq


def main() -> None:
    ctx = zmq.Context()
    router = ctx.socket(zmq.ROUTER)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    dealer = ctx.socket(zmq.DEALER)
    dealer.connect(f"tcp://127.0.0.1:{port}")

    for n in range(3):
        dealer.send_string(f"job {n}")
    jobs = [router.recv_multipart() for _ in range(3)]
    for identity, job in reversed(jobs):  # answer in the opposite order
        router.send_multipart([identity, job + b" done"])
    for _ in range(3):
        print(dealer.recv_string())

    dealer.close()
    router.close()
    ctx.term()


if __name__ == "__main__":
    main()
