"""The only door to PyNaCl: the NaCl primitives CurveZMQ needs, and nothing else.

Owns every use of the optional ``curve`` extra (DESIGN.md §7), so that the rest of purezmq (and
its core install without PyNaCl) never imports ``nacl``; a layering test enforces it. CURVE
(RFC 26) needs X25519 key pairs, ``crypto_box`` (X25519 + XSalsa20-Poly1305) with explicit
24-byte nonces, the precomputed-key forms for the per-connection transient pair, and
``crypto_secretbox`` for the server cookie (spec mechanisms.md §3.1). Every box here is the
"easy" wire form: 16-byte Poly1305 tag, then ciphertext — what libzmq puts on the wire after
stripping the classic API's zero padding.

Randomness for keys and nonces also comes from here (libsodium's ``randombytes``), so a single
place decides where secrets come from.

Without PyNaCl, ``available()`` is False and every other function raises ``ZMQError(ENOTSUP)``
with the message ``CURVE needs PyNaCl: pip install 'purezmq[curve]'``.
"""

from __future__ import annotations

from typing import Any

from ...constants import Errno
from ...error import ZMQError

_bindings: Any
_CryptoError: type[Exception]
try:
    import nacl.bindings as _nacl_bindings
    import nacl.exceptions as _nacl_exceptions
except ImportError:  # pragma: no cover - exercised only without the curve extra
    _bindings = None
    _CryptoError = Exception
else:
    _bindings = _nacl_bindings
    _CryptoError = _nacl_exceptions.CryptoError

# The per-MESSAGE hot path calls libsodium through PyNaCl's cffi handle directly, writing the
# box straight into the frame it belongs to: PyNaCl's wrappers cost about as much again as the
# cipher itself for small messages. ``nacl._sodium`` is PyNaCl's private module, so its absence
# (or any change) falls back to the public bindings, which give the very same bytes.
_ffi: Any = None
_sodium: Any = None
if _bindings is not None:
    try:
        from nacl._sodium import ffi as _nacl_ffi
        from nacl._sodium import lib as _nacl_lib

        _ = (_nacl_lib.crypto_box_easy_afternm, _nacl_lib.crypto_box_open_easy_afternm)
    except (ImportError, AttributeError):  # pragma: no cover - other PyNaCl builds
        pass
    else:
        _ffi, _sodium = _nacl_ffi, _nacl_lib

# The "easy" bindings (PyNaCl >= 1.5 on recent builds) skip the classic API's zero-padding
# copies; the classic ones return the same wire form (PyNaCl strips the padding), so either
# gives identical bytes.
_EASY = {
    "crypto_box_easy": "crypto_box",
    "crypto_box_open_easy": "crypto_box_open",
    "crypto_box_easy_afternm": "crypto_box_afternm",
    "crypto_box_open_easy_afternm": "crypto_box_open_afternm",
    "crypto_secretbox_easy": "crypto_secretbox",
    "crypto_secretbox_open_easy": "crypto_secretbox_open",
}


_resolved: dict[str, Any] = {}


def _fn(name: str) -> Any:
    found = _resolved.get(name)
    if found is None:
        lib = _lib()
        found = getattr(lib, name, None) or getattr(lib, _EASY[name])
        _resolved[name] = found
    return found

#: Sizes fixed by NaCl (and so by RFC 26): keys, nonces, the Poly1305 tag every box adds.
KEY_SIZE = 32
NONCE_SIZE = 24
BOX_OVERHEAD = 16

MISSING_MESSAGE = "CURVE needs PyNaCl: pip install 'purezmq[curve]'"


class CryptoError(Exception):
    """A box did not open: wrong key, wrong nonce or tampered bytes (PyNaCl's error, rewrapped
    so that callers need not import ``nacl``)."""


def available() -> bool:
    """True when PyNaCl is installed, i.e. CURVE can be used."""
    return _bindings is not None


def require() -> None:
    """Raise the documented ``ZMQError`` when PyNaCl is missing (libzmq answers ENOTSUP for
    CURVE functions when built without libsodium)."""
    if _bindings is None:
        raise ZMQError(Errno.ENOTSUP, MISSING_MESSAGE)


def _lib() -> Any:
    if _bindings is None:
        raise ZMQError(Errno.ENOTSUP, MISSING_MESSAGE)
    return _bindings


def random_bytes(size: int) -> bytes:
    """``size`` bytes from libsodium's CSPRNG (keys, long nonces, cookie keys)."""
    return bytes(_lib().randombytes(size))


def public_from_secret(secret: bytes) -> bytes:
    """The X25519 public key of a 32-byte secret key (``crypto_scalarmult_base``)."""
    if len(secret) != KEY_SIZE:
        raise ValueError(f"a CURVE secret key is 32 bytes, not {len(secret)}")
    return bytes(_lib().crypto_scalarmult_base(bytes(secret)))


def keypair() -> tuple[bytes, bytes]:
    """A fresh ``(public, secret)`` X25519 pair, 32 raw bytes each.

    Built as libsodium's ``crypto_box_keypair`` does (random secret, then base-point
    multiplication) so that injected randomness in tests gives the same keys."""
    secret = random_bytes(KEY_SIZE)
    return public_from_secret(secret), secret


def box(plaintext: bytes, nonce: bytes, public: bytes, secret: bytes) -> bytes:
    """``crypto_box`` of ``plaintext`` from ``secret``'s owner to ``public``'s owner."""
    return bytes(_fn("crypto_box_easy")(plaintext, nonce, public, secret))


def box_open(ciphertext: bytes, nonce: bytes, public: bytes, secret: bytes) -> bytes:
    """Open a ``crypto_box``; raises ``CryptoError`` when it does not authenticate."""
    if len(ciphertext) < BOX_OVERHEAD:
        raise CryptoError("box shorter than its authentication tag")
    try:
        return bytes(_fn("crypto_box_open_easy")(ciphertext, nonce, public, secret))
    except _CryptoError as exc:
        raise CryptoError(str(exc)) from None


def precompute(public: bytes, secret: bytes) -> bytes:
    """The shared key of ``crypto_box_beforenm``; libzmq computes it once per connection for
    the transient pair and uses it for INITIATE, READY and every MESSAGE (mechanisms.md §3.1)."""
    return bytes(_lib().crypto_box_beforenm(public, secret))


def box_afternm(plaintext: bytes, nonce: bytes, shared: bytes) -> bytes:
    """``crypto_box`` with a precomputed shared key (same bytes as ``box`` with the pair)."""
    return bytes(_fn("crypto_box_easy_afternm")(plaintext, nonce, shared))


def box_open_afternm(ciphertext: bytes, nonce: bytes, shared: bytes) -> bytes:
    """Open a box with a precomputed shared key; raises ``CryptoError`` on failure."""
    if len(ciphertext) < BOX_OVERHEAD:
        raise CryptoError("box shorter than its authentication tag")
    try:
        return bytes(_fn("crypto_box_open_easy_afternm")(ciphertext, nonce, shared))
    except _CryptoError as exc:
        raise CryptoError(str(exc)) from None


def seal_after(header: bytes, plaintext: bytes, nonce: bytes, shared: bytes) -> bytes:
    """``header + box_afternm(plaintext, nonce, shared)`` in one buffer (a CURVE MESSAGE body:
    RFC 26 §"The MESSAGE Command", header = name + short nonce)."""
    if _sodium is None:
        return header + box_afternm(plaintext, nonce, shared)
    start = len(header)
    out = bytearray(start + BOX_OVERHEAD + len(plaintext))
    out[:start] = header
    if len(nonce) != NONCE_SIZE or len(shared) != KEY_SIZE:
        raise ValueError("bad nonce or shared key size")
    _sodium.crypto_box_easy_afternm(
        _ffi.from_buffer(out) + start, plaintext, len(plaintext), nonce, shared
    )
    return bytes(out)


def open_after(data: bytes, start: int, nonce: bytes, shared: bytes) -> bytearray:
    """Open the box at ``data[start:]`` with a precomputed key; the plaintext, or
    ``CryptoError``."""
    size = len(data) - start - BOX_OVERHEAD
    if size < 0:
        raise CryptoError("box shorter than its authentication tag")
    if _sodium is None:
        return bytearray(box_open_afternm(bytes(data[start:]), nonce, shared))
    if len(nonce) != NONCE_SIZE or len(shared) != KEY_SIZE:
        raise ValueError("bad nonce or shared key size")
    out = bytearray(size)
    # Small boxes: slicing is cheaper than a cffi view at an offset; large ones: no copy.
    box = data[start:] if size < 4096 else _ffi.from_buffer(data) + start
    if _sodium.crypto_box_open_easy_afternm(
        _ffi.from_buffer(out), box, size + BOX_OVERHEAD, nonce, shared
    ):
        raise CryptoError("An error occurred trying to decrypt the message")
    return out


def secretbox(plaintext: bytes, nonce: bytes, key: bytes) -> bytes:
    """``crypto_secretbox`` (the CURVE cookie, RFC 26 §WELCOME)."""
    return bytes(_fn("crypto_secretbox_easy")(plaintext, nonce, key))


def secretbox_open(ciphertext: bytes, nonce: bytes, key: bytes) -> bytes:
    """Open a ``crypto_secretbox``; raises ``CryptoError`` on failure."""
    if len(ciphertext) < BOX_OVERHEAD:
        raise CryptoError("secretbox shorter than its authentication tag")
    try:
        return bytes(_fn("crypto_secretbox_open_easy")(ciphertext, nonce, key))
    except _CryptoError as exc:
        raise CryptoError(str(exc)) from None


__all__ = [
    "KEY_SIZE",
    "NONCE_SIZE",
    "BOX_OVERHEAD",
    "MISSING_MESSAGE",
    "CryptoError",
    "available",
    "require",
    "random_bytes",
    "public_from_secret",
    "keypair",
    "box",
    "box_open",
    "precompute",
    "box_afternm",
    "box_open_afternm",
    "seal_after",
    "open_after",
    "secretbox",
    "secretbox_open",
]
