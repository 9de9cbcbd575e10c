"""The PyNaCl adapter: primitives agree with each other, and a clear error without PyNaCl."""

from __future__ import annotations

import os

import pytest

from purezmq._curve_keys import curve_keypair, curve_public
from purezmq.constants import Errno
from purezmq.error import ZMQError
from purezmq.zmtp.mechanisms import _crypto
from purezmq.zmtp.mechanisms.curve import CurveClient, CurveServer

from ._helpers import CLIENT_PUBLIC, CLIENT_SECRET, SERVER_PUBLIC, SERVER_SECRET, SERVER_SECRET_Z85

NONCE = bytes(range(24))


def test_available() -> None:
    assert _crypto.available()
    _crypto.require()


def test_box_forms_agree() -> None:
    boxed = _crypto.box(b"hello", NONCE, SERVER_PUBLIC, CLIENT_SECRET)
    assert len(boxed) == 5 + _crypto.BOX_OVERHEAD
    shared = _crypto.precompute(SERVER_PUBLIC, CLIENT_SECRET)
    assert _crypto.box_afternm(b"hello", NONCE, shared) == boxed
    assert _crypto.box_open(boxed, NONCE, CLIENT_PUBLIC, SERVER_SECRET) == b"hello"
    assert _crypto.box_open_afternm(boxed, NONCE, _crypto.precompute(CLIENT_PUBLIC, SERVER_SECRET)
                                    ) == b"hello"


@pytest.mark.parametrize("bad", [b"", b"x" * 15, b"x" * 21])
def test_open_failures_are_crypto_errors(bad: bytes) -> None:
    key = bytes(32)
    with pytest.raises(_crypto.CryptoError):
        _crypto.box_open(bad, NONCE, CLIENT_PUBLIC, SERVER_SECRET)
    with pytest.raises(_crypto.CryptoError):
        _crypto.box_open_afternm(bad, NONCE, key)
    with pytest.raises(_crypto.CryptoError):
        _crypto.secretbox_open(bad, NONCE, key)


def test_secretbox_round_trip() -> None:
    key = _crypto.random_bytes(32)
    sealed = _crypto.secretbox(b"cookie", NONCE, key)
    assert len(sealed) == 6 + 16
    assert _crypto.secretbox_open(sealed, NONCE, key) == b"cookie"


def test_keypair_and_random() -> None:
    public, secret = _crypto.keypair()
    assert _crypto.public_from_secret(secret) == public
    assert _crypto.random_bytes(16) != _crypto.random_bytes(16)
    with pytest.raises(ValueError):
        _crypto.public_from_secret(b"short")


@pytest.fixture
def without_pynacl(monkeypatch: pytest.MonkeyPatch) -> None:
    _crypto.available()  # PyNaCl is imported on first use: before patching it out
    monkeypatch.setattr(_crypto, "_bindings", None)
    monkeypatch.setattr(_crypto, "_resolved", {})


@pytest.mark.usefixtures("without_pynacl")
def test_clear_error_without_pynacl() -> None:
    assert not _crypto.available()
    calls = [
        lambda: CurveServer(secret_key=SERVER_SECRET),
        lambda: CurveClient(public_key=CLIENT_PUBLIC, secret_key=CLIENT_SECRET,
                            server_key=SERVER_PUBLIC),
        curve_keypair,
        lambda: curve_public(SERVER_SECRET_Z85),
        lambda: _crypto.box(b"", NONCE, SERVER_PUBLIC, CLIENT_SECRET),
        lambda: _crypto.secretbox_open(bytes(16), NONCE, bytes(32)),
    ]
    for call in calls:
        with pytest.raises(ZMQError) as info:
            call()
        assert info.value.errno == Errno.ENOTSUP
        assert str(info.value) == "CURVE needs PyNaCl: pip install 'purezmq[curve]'"


def test_core_imports_without_pynacl() -> None:
    """A fresh interpreter where ``import nacl`` fails still imports every security module."""
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['nacl'] = None\n"
        "import purezmq.zmtp.mechanisms.plain, purezmq.zmtp.zap, purezmq.auth\n"
        "from purezmq.zmtp.mechanisms import _crypto, curve\n"
        "from purezmq.error import ZMQError\n"
        "assert not _crypto.available()\n"
        "try:\n"
        "    curve.CurveServer(secret_key=bytes(32))\n"
        "except ZMQError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=30)
    assert out.stdout.strip() == "CURVE needs PyNaCl: pip install 'purezmq[curve]'"


@pytest.mark.parametrize("size", [0, 1, 64, 70_000])
def test_message_fast_path_matches_public_bindings(
    size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # seal_after/open_after call libsodium through PyNaCl's cffi handle; without it they fall
    # back to the public bindings. Both must give the same bytes, and refuse the same boxes.
    key, nonce = os.urandom(32), os.urandom(24)
    plain = os.urandom(size)
    fast = _crypto.seal_after(b"\x07MESSAGE", plain, nonce, key)
    assert bytes(_crypto.open_after(fast, 8, nonce, key)) == plain
    _crypto.available()  # PyNaCl is imported on first use: before patching it out
    monkeypatch.setattr(_crypto, "_sodium", None)
    assert _crypto.seal_after(b"\x07MESSAGE", plain, nonce, key) == fast
    assert bytes(_crypto.open_after(fast, 8, nonce, key)) == plain
    for fallback in (True, False):
        if not fallback:
            monkeypatch.undo()
        tampered = bytearray(fast)
        tampered[-1] ^= 1
        with pytest.raises(_crypto.CryptoError):
            _crypto.open_after(bytes(tampered), 8, nonce, key)
        with pytest.raises(_crypto.CryptoError):
            _crypto.open_after(fast[:20], 8, nonce, key)
