"""``curve_keypair()`` and ``curve_public()``: CURVE keys as Z85 text, like pyzmq's.

Layer 5 helper behind ``purezmq.curve_keypair``/``purezmq.curve_public`` (pyzmq's
``zmq.curve_keypair``/``zmq.curve_public``, libzmq's ``zmq_curve_keypair``/``zmq_curve_public``):
keys are 40-byte Z85 ``bytes`` (RFC 32; docs/protocol/mechanisms.md §4). The X25519 arithmetic and
the randomness come from ``zmtp.mechanisms._crypto``, the only module that touches PyNaCl.
"""

from __future__ import annotations

from . import z85
from .constants import Errno
from .error import ZMQError
from .zmtp.mechanisms import _crypto


def curve_keypair() -> tuple[bytes, bytes]:
    """A new CURVE key pair ``(public, secret)``, each 40 Z85 bytes.

    Raises ``ZMQError(ENOTSUP)`` without PyNaCl (libzmq without libsodium does the same).
    """
    public, secret = _crypto.keypair()
    return z85.encode(public), z85.encode(secret)


def curve_public(secret_key: bytes | str) -> bytes:
    """The Z85 public key of a Z85 secret key (40 characters, ``bytes`` or ``str``).

    Like pyzmq: ``ValueError`` when the key is not 40 bytes long, ``ZMQError(EINVAL)`` when it
    is not valid Z85 (libzmq's ``zmq_curve_public`` fails in ``zmq_z85_decode``).
    """
    raw = secret_key.encode("utf-8") if isinstance(secret_key, str) else bytes(secret_key)
    if len(raw) != 40:
        raise ValueError("secret key must be a 40 byte z85 encoded string")
    _crypto.require()
    try:
        secret = z85.decode(raw)
    except ValueError as exc:
        raise ZMQError(Errno.EINVAL, f"secret key is not valid Z85: {exc}") from None
    return z85.encode(_crypto.public_from_secret(secret))


__all__ = ["curve_keypair", "curve_public"]
