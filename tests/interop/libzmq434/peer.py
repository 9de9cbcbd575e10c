"""The libzmq side of the ws interop tests: one socket, driven from the command line.

Runs under the Python of the venv ``setup.sh`` builds (pyzmq over Debian's libzmq 4.3.4, which
has ws://), never under purezmq. Protocol with the test: it prints ``READY <endpoint>`` once
bound or connected, then plays its role and prints ``OK`` (or a traceback and exit 1).

    peer.py TYPE (bind|connect) ENDPOINT ROLE COUNT MECH [SERVER_PUBLIC]

ROLE: ``echo`` (REP/ROUTER: answer each request with it), ``echo-after-silence`` (one
message, answered after a second; ``PEER_HEARTBEAT_MS`` in the environment turns heartbeats
on), ``request`` (REQ/DEALER: send and check the echo), ``send`` (PUSH), ``recv``
(PULL/SUB), ``publish`` (PUB: send until a line arrives on stdin).

MECH: ``null``, ``plain`` or ``curve``; the binding side is the mechanism server. PLAIN: user
``admin``/``secret`` through a ZAP handler. CURVE: the server prints its public key as
``KEY <z85>`` before READY; the client takes it as SERVER_PUBLIC.
"""

from __future__ import annotations

import os
import select
import sys

import zmq
import zmq.auth.thread

#: ``PEER_TIMEOUT_MS`` in the environment lengthens it (a peer that waits for a browser).
TIMEOUT_MS = int(os.environ.get("PEER_TIMEOUT_MS", "10000"))


def main() -> int:
    type_name, side, endpoint, role, count_text, mech = sys.argv[1:7]
    server_public = sys.argv[7].encode() if len(sys.argv) > 7 else b""
    count = int(count_text)
    ctx = zmq.Context()
    sock = ctx.socket(getattr(zmq, type_name))
    sock.linger = TIMEOUT_MS  # a CURVE handshake under load may outlast a short LINGER
    sock.rcvtimeo = TIMEOUT_MS
    sock.sndtimeo = TIMEOUT_MS
    auth = None
    server = side == "bind"
    if mech == "plain":
        if server:
            auth = zmq.auth.thread.ThreadAuthenticator(ctx)
            auth.start()
            auth.configure_plain(domain="*", passwords={"admin": "secret"})
            sock.plain_server = True
        else:
            sock.plain_username = b"admin"
            sock.plain_password = b"secret"
    elif mech == "curve":
        public, secret = zmq.curve_keypair()
        if server:
            sock.curve_server = True
            sock.curve_secretkey = secret
            print("KEY", public.decode(), flush=True)
        else:
            sock.curve_publickey = public
            sock.curve_secretkey = secret
            sock.curve_serverkey = server_public
    heartbeat = int(os.environ.get("PEER_HEARTBEAT_MS", "0"))
    if heartbeat:
        sock.heartbeat_ivl = heartbeat
        sock.heartbeat_timeout = heartbeat * 3
    if server:
        sock.bind(endpoint)
        endpoint = sock.getsockopt_string(zmq.LAST_ENDPOINT)
    else:
        sock.connect(endpoint)
    if role == "recv" and type_name == "SUB":
        sock.subscribe(b"t")
    print("READY", endpoint, flush=True)

    if role == "echo":
        for _ in range(count):
            sock.send_multipart(sock.recv_multipart())
    elif role == "request":
        envelope = [b""] if type_name == "DEALER" else []
        for i in range(count):
            msg = [b"req-%d" % i, b"x" * (i * 100)]
            sock.send_multipart(envelope + msg)
            reply = sock.recv_multipart()
            assert reply == envelope + msg, reply
    elif role == "send":
        for i in range(count):
            sock.send_multipart([b"msg-%d" % i, b"y" * (i * 100)])
    elif role == "recv":
        for i in range(count):
            msg = sock.recv_multipart()
            if type_name == "SUB":
                assert msg[0].startswith(b"t"), msg
            else:
                assert msg == [b"msg-%d" % i, b"y" * (i * 100)], msg
    elif role == "echo-after-silence":
        # Heartbeats alone must keep the connection up through a second of silence.
        msg = sock.recv_multipart()
        select.select([sys.stdin], [], [], 1.0)
        sock.send_multipart(msg)
    elif role == "publish":
        # Slow joiner (the subscription arrives after some messages): publish until the test
        # says it has what it needs.
        i = 0
        while not select.select([sys.stdin], [], [], 0.02)[0]:
            sock.send_multipart([b"t-%d" % i, b"z" * 10])
            sock.send(b"other topic")
            i += 1
    else:
        raise SystemExit(f"unknown role {role}")
    print("OK", flush=True)
    sock.close()
    if auth is not None:
        auth.stop()
    ctx.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())
