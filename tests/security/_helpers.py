"""Shared fixtures for the security tests: the spec's test keys and deterministic randomness."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from purezmq.zmtp import commands
from purezmq.zmtp.mechanisms.base import Mechanism

# spec mechanisms.md §3.10 (libzmq's zmq_curve manual keys)
CLIENT_PUBLIC = bytes.fromhex("BB88471D65E2659B30C55A5321CEBB5AAB2B70A398645C26DCA2B2FCB43FC518")
CLIENT_SECRET = bytes.fromhex("7BB864B489AFA3671FBE69101F94B38972F24816DFB01B51656B3FEC8DFD0888")
SERVER_PUBLIC = bytes.fromhex("54FCBA24E93249969316FB617C872BB0C1D1FF14800427C594CBFACF1BC2D652")
SERVER_SECRET = bytes.fromhex("8E0BDD697628B91D8F245587EE95C5B04D48963F79259877B49CD9063AEAD3B7")
CLIENT_PUBLIC_Z85 = b"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
CLIENT_SECRET_Z85 = b"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"
SERVER_PUBLIC_Z85 = b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
SERVER_SECRET_Z85 = b"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"

CLIENT_TRANSIENT_SECRET = bytes(range(0x01, 0x21))
SERVER_TRANSIENT_SECRET = bytes(range(0x21, 0x41))
COOKIE_KEY = bytes(range(0x41, 0x61))
WELCOME_NONCE = b"\x71" * 16
COOKIE_NONCE = b"\x81" * 16
VOUCH_NONCE = b"\x91" * 16

CLIENT_METADATA = {"Socket-Type": b"DEALER", "Identity": b""}
SERVER_METADATA = {"Socket-Type": b"ROUTER", "Identity": b""}


def scripted(values: Iterable[bytes]) -> Callable[[int], bytes]:
    """A ``random_bytes`` that hands out ``values`` in order, checking the requested sizes."""
    queue = list(values)

    def take(size: int) -> bytes:
        value = queue.pop(0)
        assert len(value) == size, (len(value), size)
        return value

    return take


def client_random() -> Callable[[int], bytes]:
    return scripted([CLIENT_TRANSIENT_SECRET, VOUCH_NONCE])


def server_random() -> Callable[[int], bytes]:
    return scripted([SERVER_TRANSIENT_SECRET, COOKIE_KEY, WELCOME_NONCE, COOKIE_NONCE])


def deliver(target: Mechanism, bodies: list[bytes]) -> list[bytes]:
    """Feed command bodies to a mechanism as the connection would; collect its answers."""
    out: list[bytes] = []
    for body in bodies:
        name, data = commands.parse_command(body)
        out.extend(target.receive_command(name, data))
    return out


def hexjoin(text: str) -> bytes:
    return bytes.fromhex("".join(text.split()))
