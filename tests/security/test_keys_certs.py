"""curve_keypair/curve_public and certificate files, checked against pyzmq (libzmq 4.3.5)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from purezmq import z85
from purezmq._curve_keys import curve_keypair, curve_public
from purezmq.auth import create_certificates, load_certificate, load_certificates
from purezmq.error import ZMQError
from purezmq.zmtp.mechanisms import _crypto

from ._helpers import SERVER_PUBLIC_Z85, SERVER_SECRET_Z85

zmq = pytest.importorskip("zmq")
zmq_auth = pytest.importorskip("zmq.auth")


def test_keypair_shape_and_consistency() -> None:
    public, secret = curve_keypair()
    assert isinstance(public, bytes) and isinstance(secret, bytes)
    assert len(public) == len(secret) == 40
    assert curve_public(secret) == public
    assert z85.decode(public) == _crypto.public_from_secret(z85.decode(secret))
    assert curve_keypair() != (public, secret)


def test_public_matches_spec_vector_and_accepts_text() -> None:
    assert curve_public(SERVER_SECRET_Z85) == SERVER_PUBLIC_Z85
    assert curve_public(SERVER_SECRET_Z85.decode()) == SERVER_PUBLIC_Z85


def test_public_from_pyzmq_secret_equals_pyzmq_public() -> None:
    for _ in range(5):
        public, secret = zmq.curve_keypair()
        assert curve_public(secret) == public
        assert zmq.curve_public(secret) == public
    ours_public, ours_secret = curve_keypair()
    assert zmq.curve_public(ours_secret) == ours_public


def test_public_errors_like_pyzmq() -> None:
    with pytest.raises(ValueError):
        curve_public(b"x" * 39)
    with pytest.raises(ZMQError):
        curve_public(b"~" * 40)


def _same_keys(path: str) -> None:
    assert load_certificate(path) == zmq_auth.load_certificate(path)


def test_our_certificates_load_in_pyzmq(tmp_path: Path) -> None:
    public_file, secret_file = create_certificates(tmp_path, "server", {"name": "srv"})
    assert public_file == os.path.join(tmp_path, "server.key")
    assert secret_file == os.path.join(tmp_path, "server.key_secret")
    public, none = zmq_auth.load_certificate(public_file)
    assert none is None
    pub2, secret = zmq_auth.load_certificate(secret_file)
    assert pub2 == public and secret is not None
    assert zmq.curve_public(secret) == public
    _same_keys(public_file)
    _same_keys(secret_file)
    text = Path(secret_file).read_text()
    assert "metadata\n    name = srv\ncurve\n" in text
    assert zmq_auth.load_certificates(str(tmp_path)) == load_certificates(tmp_path)
    assert load_certificates(tmp_path) == {public: True}


def test_pyzmq_certificates_load_in_ours(tmp_path: Path) -> None:
    public_file, secret_file = zmq_auth.create_certificates(str(tmp_path), "client")
    public, secret = load_certificate(secret_file)
    assert secret is not None
    assert curve_public(secret) == public
    assert load_certificate(public_file) == (public, None)
    assert load_certificates(str(tmp_path)) == zmq_auth.load_certificates(str(tmp_path))


def test_files_match_pyzmq_layout_apart_from_generator(tmp_path: Path) -> None:
    ours = tmp_path / "ours"
    theirs = tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    _, our_secret = create_certificates(ours, "a", {"k": "v"})
    _, their_secret = zmq_auth.create_certificates(str(theirs), "a", {"k": "v"})

    def shape(path: str) -> list[str]:
        lines = Path(path).read_text().splitlines()
        return [
            line.split("=")[0] if "-key" in line else line
            for line in lines
            if not line.startswith("#   ****")
        ]

    assert shape(our_secret) == shape(their_secret)


def test_czmq_style_certificate(tmp_path: Path) -> None:
    path = tmp_path / "czmq.key_secret"
    path.write_text(
        "#   ****  Generated on 2024-01-01 00:00:00 by CZMQ  ****\n"
        "metadata\n"
        "curve\n"
        f"    public-key = \"{SERVER_PUBLIC_Z85.decode()}\"\n"
        f"    secret-key = '{SERVER_SECRET_Z85.decode()}'\n"
    )
    assert load_certificate(path) == (SERVER_PUBLIC_Z85, SERVER_SECRET_Z85)


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        load_certificate(tmp_path / "missing.key")
    empty = tmp_path / "empty.key"
    empty.write_text("metadata\ncurve\n")
    with pytest.raises(ValueError):
        load_certificate(empty)
    with pytest.raises(OSError):
        load_certificates(tmp_path / "nowhere")
