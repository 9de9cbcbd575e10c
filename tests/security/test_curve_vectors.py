"""CURVE byte for byte against the deterministic vectors of spec mechanisms.md §3.10."""

from __future__ import annotations

import pytest

from purezmq.zmtp import commands
from purezmq.zmtp.mechanisms import _crypto
from purezmq.zmtp.mechanisms.base import MechanismStatus
from purezmq.zmtp.mechanisms.curve import CurveClient, CurveServer

from ._helpers import (
    CLIENT_METADATA,
    CLIENT_PUBLIC,
    CLIENT_PUBLIC_Z85,
    CLIENT_SECRET,
    CLIENT_SECRET_Z85,
    CLIENT_TRANSIENT_SECRET,
    SERVER_METADATA,
    SERVER_PUBLIC,
    SERVER_PUBLIC_Z85,
    SERVER_SECRET,
    SERVER_SECRET_Z85,
    SERVER_TRANSIENT_SECRET,
    client_random,
    deliver,
    hexjoin,
    server_random,
)

C_TRANSIENT = hexjoin("07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c")
S_TRANSIENT = hexjoin("5869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67b")
SHARED = hexjoin("ec88f6e13b22bf9f04d480e0d8525c08ac7e2f48e212742bcbcafa104a74b08d")

HELLO = hexjoin("""
0548454c4c4f0100000000000000000000000000000000000000000000000000
0000000000000000000000000000000000000000000000000000000000000000
0000000000000000000000000000000007a37cbc142093c8b755dc1b10e86cb4
26374ad16aa853ed0bdfc0b2b86d1c7c00000000000000016e3f26f72fe2f05d
b20de7881ee6a08fc432afe73b138226f5930879c93bdd4d8586425a3a8d6bc5
d83598a3017e0f1792ff0381360d168b6fe1c5e0bb752b0d365e13ea8e8a29ce
1c5052c8c63eced7
""")

WELCOME = hexjoin("""
0757454c434f4d45717171717171717171717171717171719c38e6df10cc5408
fc8e453d38f5ddb3e98f394f320d3a632ab61143081d2c3ab1f182c0c5630d66
01e31220afef1bd85b9ef88700e6de375aee9668d0a443411d93cf7424f1f670
a59b0a1a8f2d68044979a1a6c06acfb1bd9974e3a2836cab26fe8ace23d678d2
37b1b3b115a47cc26b3dd1392015862f613ab6308ed49ca544f80944facebe75
ffebf5053301a367
""")

INITIATE = hexjoin("""
08494e4954494154458181818181818181818181818181818116d40ed652f1ff
b91a2354f3d10f20aca058c48ed3a012b688f7fd929a4ac275411a844cf4c65b
170b466d28ad319d3193b0ab7c8f35cd94223017d60af4a8f790dda1392fe7d0
6adb12d3753a396b9200000000000000024ca4283a776a51d815eadd439ec0b7
c0f4b83c445dabfe76b764205b74eeced08560918c380fe1f6615aa96926bbfd
8b8ca0f41f368d1dbeaf2e1c365e09ac610a3ad34f034fc352863266b6c1ef37
76ac19581023a2f17e61bc1ef34c70c800ee1041cd206a93598370bd5e46b08c
ebbd9c6689b036da399fcdc4f480b61b8fcaa9792cef16d07de7e4cd76e952ca
ac7523cdb6612d1dcd2e3c1025f1b8642572653b8096339e6dfabca005b814c1
5e89d3e2
""")

READY = hexjoin("""
0552454144590000000000000001640086d1ab154a21cf6b4b63c8994a57e5b9
76c483ec0654f901c19a18bef5ba8a058356adbb7f4fd971d3a3f9629bff74d7
9f
""")

MESSAGE_C3_HELLO = hexjoin("""
074d45535341474500000000000000032392739af151941d8293c3ab21586b77
220731a3f5fd
""")
MESSAGE_S2_WORLD_MORE = hexjoin("""
074d45535341474500000000000000029daf54f72d0da81c78bbef03e46eab76
2176eb04f186
""")
MESSAGE_C4_PING = hexjoin("""
074d455353414745000000000000000406507d4ea9deae564bb60ff692aa3427
6a89e651eb00d1dd
""")


def test_vector_sizes() -> None:
    assert (len(HELLO), len(WELCOME), len(INITIATE), len(READY)) == (200, 168, 292, 65)


def test_crypto_primitives_match_vectors() -> None:
    assert _crypto.public_from_secret(CLIENT_SECRET) == CLIENT_PUBLIC
    assert _crypto.public_from_secret(SERVER_SECRET) == SERVER_PUBLIC
    assert _crypto.public_from_secret(CLIENT_TRANSIENT_SECRET) == C_TRANSIENT
    assert _crypto.public_from_secret(SERVER_TRANSIENT_SECRET) == S_TRANSIENT
    assert _crypto.precompute(C_TRANSIENT, SERVER_TRANSIENT_SECRET) == SHARED
    assert _crypto.precompute(S_TRANSIENT, CLIENT_TRANSIENT_SECRET) == SHARED


def _client() -> CurveClient:
    return CurveClient(
        public_key=CLIENT_PUBLIC,
        secret_key=CLIENT_SECRET,
        server_key=SERVER_PUBLIC,
        random_bytes=client_random(),
    )


def _server(zap: bool = False) -> CurveServer:
    return CurveServer(secret_key=SERVER_SECRET, zap=zap, random_bytes=server_random())


def test_handshake_reproduces_every_vector() -> None:
    client, server = _client(), _server()
    assert server.start(SERVER_METADATA) == []
    assert client.start(CLIENT_METADATA) == [HELLO]
    assert deliver(server, [HELLO]) == [WELCOME]
    assert deliver(client, [WELCOME]) == [INITIATE]
    assert deliver(server, [INITIATE]) == [READY]
    assert server.status is MechanismStatus.READY
    assert server.peer_metadata == CLIENT_METADATA
    assert server.client_public_key == CLIENT_PUBLIC
    assert deliver(client, [READY]) == []
    assert client.status is MechanismStatus.READY
    assert client.peer_metadata == SERVER_METADATA

    # Client MESSAGEs start at nonce 3, the server's at 2 (spec note 19).
    assert client.encode_frame(b"Hello", more=False, command=False) == MESSAGE_C3_HELLO
    assert server.decode_frame(MESSAGE_C3_HELLO) == (b"Hello", False, False)
    assert server.encode_frame(b"World", more=True, command=False) == MESSAGE_S2_WORLD_MORE
    assert client.decode_frame(MESSAGE_S2_WORLD_MORE) == (b"World", True, False)
    ping = commands.ping(0)
    assert client.encode_frame(ping, more=False, command=True) == MESSAGE_C4_PING
    assert server.decode_frame(MESSAGE_C4_PING) == (ping, False, True)


def test_z85_keys_are_accepted() -> None:
    client = CurveClient(
        public_key=CLIENT_PUBLIC_Z85,
        secret_key=CLIENT_SECRET_Z85.decode(),
        server_key=SERVER_PUBLIC_Z85 + b"\0",
        random_bytes=client_random(),
    )
    assert client.start(CLIENT_METADATA) == [HELLO]
    server = CurveServer(secret_key=SERVER_SECRET_Z85, zap=False, random_bytes=server_random())
    server.start(SERVER_METADATA)
    assert deliver(server, [HELLO]) == [WELCOME]


@pytest.mark.parametrize("bad", [b"", b"x" * 31, b"~" * 40, "é" * 40])
def test_bad_keys_are_value_errors(bad: bytes | str) -> None:
    with pytest.raises(ValueError):
        CurveServer(secret_key=bad)


def test_server_accepts_vector_hello_with_fresh_randomness() -> None:
    server = CurveServer(secret_key=SERVER_SECRET, zap=False)
    server.start(SERVER_METADATA)
    (welcome,) = deliver(server, [HELLO])
    assert len(welcome) == 168 and welcome[:8] == b"\x07WELCOME"
