"""REQ ⇄ ROUTER: one server answering many synchronous clients.

The ROUTER sees each request as ``[client identity, b"", request]`` and routes the reply back
by putting the same identity first. Here the clients choose their identities (ROUTING_ID);
otherwise the ROUTER makes up a unique one per connection.
"""

from __future__ import annotations

import threading

import purezmq as zmq


def client(ctx: zmq.Context, endpoint: str, name: str) -> None:
    with ctx.socket(zmq.REQ) as req:
        req.setsockopt(zmq.ROUTING_ID, name.encode())
        req.connect(endpoint)
        req.send_string(f"hello from {name}")
        print(f"{name} got: {req.recv_string()}")


def main() -> None:
    ctx = zmq.Context()
    router = ctx.socket(zmq.ROUTER)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    names = ["alice", "bob", "carol"]
    clients = [
        threading.Thread(target=client, args=(ctx, f"tcp://127.0.0.1:{port}", name))
        for name in names
    ]
    for t in clients:
        t.start()
    for _ in names:
        identity, empty, request = router.recv_multipart()
        assert empty == b""
        router.send_multipart([identity, b"", request.upper()])
    for t in clients:
        t.join()
    router.close()
    ctx.term()


if __name__ == "__main__":
    main()
