"""REQ ⇄ REP: the simplest request/reply.

The REQ socket strictly alternates send and recv; the REP socket answers each request in turn.
The server socket is bound here and then handed to its thread (a socket may move to another
thread before that thread uses it; it must never be used by two threads at once).
"""

from __future__ import annotations

import threading

import purezmq as zmq


def serve(rep: zmq.Socket, requests: int) -> None:
    for _ in range(requests):
        name = rep.recv_string()
        rep.send_string(f"Hello, {name}")
    rep.close()


def main() -> None:
    ctx = zmq.Context()
    rep = ctx.socket(zmq.REP)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    names = ["Ada", "Grace", "Linus"]
    server = threading.Thread(target=serve, args=(rep, len(names)))
    server.start()

    req = ctx.socket(zmq.REQ)
    req.connect(f"tcp://127.0.0.1:{port}")
    for name in names:
        req.send_string(name)
        print(req.recv_string())
    req.close()
    server.join()
    ctx.term()


if __name__ == "__main__":
    main()
