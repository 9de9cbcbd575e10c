"""DEALER ⇄ REP: an asynchronous client talking to plain REP servers.

A DEALER may send several requests without waiting. To a REP it must look like a REQ: each
request starts with an empty delimiter frame, and so does each reply. A DEALER connected to
two REP servers deals its requests to them in turn (load balancing) -- to those whose
connection is up when it sends.

The servers run until the Context is terminated: ``term()`` wakes their blocked ``recv`` with
``ContextTerminated``, they close their sockets, and ``term()`` returns.
"""

from __future__ import annotations

import threading

import purezmq as zmq


def serve(rep: zmq.Socket, name: str) -> None:
    try:
        while True:
            request = rep.recv_string()
            rep.send_string(f"{request} handled by {name}")
    except zmq.ContextTerminated:
        rep.close()


def main() -> None:
    ctx = zmq.Context()
    dealer = ctx.socket(zmq.DEALER)
    servers = []
    for name in ("server-A", "server-B"):
        rep = ctx.socket(zmq.REP)
        port = rep.bind_to_random_port("tcp://127.0.0.1")
        dealer.connect(f"tcp://127.0.0.1:{port}")
        servers.append(threading.Thread(target=serve, args=(rep, name)))
    for t in servers:
        t.start()

    for n in range(4):
        dealer.send_multipart([b"", f"request {n}".encode()])
    for _ in range(4):
        _delimiter, reply = dealer.recv_multipart()
        print(reply.decode())
    dealer.close()
    ctx.term()
    for t in servers:
        t.join()


if __name__ == "__main__":
    main()
