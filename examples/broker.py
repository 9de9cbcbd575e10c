"""A request/reply broker: REQ clients → ROUTER | DEALER → REP workers.

Clients and workers both connect to the broker, so either side can come and go. The broker is
``purezmq.proxy(frontend, backend)``: it moves whole messages between a ROUTER (facing the
clients) and a DEALER (facing the workers), and the envelopes route each reply back to the
client that asked.
"""

from __future__ import annotations

import threading

import purezmq as zmq


def run_broker(frontend: zmq.Socket, backend: zmq.Socket) -> None:
    try:
        zmq.proxy(frontend, backend)
    except zmq.ContextTerminated:
        frontend.close()
        backend.close()


def worker(ctx: zmq.Context, backend_at: str, name: str) -> None:
    rep = ctx.socket(zmq.REP)
    rep.connect(backend_at)
    try:
        while True:
            rep.send_string(f"{rep.recv_string()} -> answered by {name}")
    except zmq.ContextTerminated:
        rep.close()


def main() -> None:
    ctx = zmq.Context()
    frontend = ctx.socket(zmq.ROUTER)
    frontend_at = f"tcp://127.0.0.1:{frontend.bind_to_random_port('tcp://127.0.0.1')}"
    backend = ctx.socket(zmq.DEALER)
    backend_at = f"tcp://127.0.0.1:{backend.bind_to_random_port('tcp://127.0.0.1')}"
    threads = [threading.Thread(target=run_broker, args=(frontend, backend))]
    threads += [
        threading.Thread(target=worker, args=(ctx, backend_at, f"worker-{i}")) for i in range(2)
    ]
    for t in threads:
        t.start()

    client = ctx.socket(zmq.REQ)
    client.connect(frontend_at)
    for n in range(4):
        client.send_string(f"request {n}")
        print(client.recv_string())
    client.close()
    ctx.term()  # wakes the broker and the workers with ContextTerminated
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
