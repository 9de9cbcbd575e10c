"""CURVE with certificates and a ZAP authenticator: only known clients get in.

The server has a key pair; each client has its own. The server's authenticator accepts a
client only if the client's public key is in its directory of allowed certificates. The
client must know the server's public key beforehand (that is what makes the server
impossible to impersonate). Needs the ``curve`` extra: ``pip install 'purezmq[curve]'``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import purezmq as zmq
from purezmq.auth import create_certificates, load_certificate
from purezmq.auth.thread import ThreadAuthenticator


def main() -> None:
    keys = Path(tempfile.mkdtemp())
    allowed = keys / "allowed"
    allowed.mkdir()
    _, server_secret_file = create_certificates(keys, "server")
    client_public_file, client_secret_file = create_certificates(keys, "client")
    # Allow the client: its public certificate goes into the allowed directory.
    (allowed / "client.key").write_bytes(Path(client_public_file).read_bytes())
    # A stranger with a key pair of its own, not allowed.
    _, stranger_secret_file = create_certificates(keys, "stranger")

    ctx = zmq.Context()
    auth = ThreadAuthenticator(ctx)
    auth.start()
    auth.configure_curve(domain="*", location=str(allowed))

    server = ctx.socket(zmq.REP)
    server_public, server_secret = load_certificate(server_secret_file)
    server.curve_secretkey = server_secret
    server.curve_publickey = server_public
    server.curve_server = True
    port = server.bind_to_random_port("tcp://127.0.0.1")

    def client(secret_file: str) -> zmq.Socket:
        sock: zmq.Socket = ctx.socket(zmq.REQ)
        public, secret = load_certificate(secret_file)
        sock.curve_secretkey = secret
        sock.curve_publickey = public
        sock.curve_serverkey = server_public
        sock.rcvtimeo = 1000
        sock.connect(f"tcp://127.0.0.1:{port}")
        return sock

    friend = client(client_secret_file)
    friend.send(b"hello, encrypted")
    print("server got:", server.recv())
    server.send(b"welcome")
    print("client got:", friend.recv())

    stranger = client(stranger_secret_file)
    stranger.send(b"let me in")
    try:
        stranger.recv()
    except zmq.Again:
        print("stranger: no answer (refused by the authenticator)")

    for sock in (friend, stranger, server):
        sock.close(linger=0)
    auth.stop()
    ctx.term()


if __name__ == "__main__":
    main()
