"""ROUTER ⇄ ROUTER: peers that address each other by identity.

A ROUTER can only send to a peer whose identity it knows, so the connecting side sets its own
identity (ROUTING_ID) and speaks first; the binding side learns it from that first message.
The connecting side names the binding side with CONNECT_ROUTING_ID. ROUTER_MANDATORY makes an
unknown identity an error (EHOSTUNREACH) instead of a silent drop.
"""

from __future__ import annotations

import purezmq as zmq


def main() -> None:
    ctx = zmq.Context()
    hub = ctx.socket(zmq.ROUTER)
    hub.setsockopt(zmq.ROUTING_ID, b"hub")
    hub.setsockopt(zmq.ROUTER_MANDATORY, 1)
    port = hub.bind_to_random_port("tcp://127.0.0.1")

    node = ctx.socket(zmq.ROUTER)
    node.setsockopt(zmq.ROUTING_ID, b"node-1")
    node.setsockopt(zmq.ROUTER_MANDATORY, 1)
    node.setsockopt(zmq.CONNECT_ROUTING_ID, b"hub")
    node.connect(f"tcp://127.0.0.1:{port}")

    # The node knows the hub by the name it gave the connection: it may speak first. Until
    # the connection is up the send fails with EHOSTUNREACH, so wait for POLLOUT first.
    node.poll(5000, zmq.POLLOUT)
    node.send_multipart([b"hub", b"hello hub"])
    sender, text = hub.recv_multipart()
    print(f"hub got {text!r} from {sender!r}")
    hub.send_multipart([sender, b"hello " + sender])
    print("node got", node.recv_multipart())

    try:
        hub.send_multipart([b"nobody", b"lost?"])
    except zmq.ZMQError as e:
        print("sending to an unknown peer:", e.strerror)

    node.close()
    hub.close()
    ctx.term()


if __name__ == "__main__":
    main()
