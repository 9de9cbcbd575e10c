"""CURVE certificate files, read and written exactly as pyzmq's ``zmq.auth.certs`` (and czmq's
``zcert``) do.

A certificate is a small ZPL-style text file (czmq's format)::

    #   ****  Generated on <date> by purezmq  ****
    #   ZeroMQ CURVE Public Certificate
    ...
    metadata
        name = value
    curve
        public-key = "<40 Z85 chars>"
        secret-key = "<40 Z85 chars>"      (only in the .key_secret file)

``create_certificates`` writes ``<name>.key`` (public) and ``<name>.key_secret`` (public +
secret + metadata, as pyzmq does: the public file carries no metadata); ``load_certificate``
accepts files from pyzmq, czmq or purezmq; ``load_certificates`` collects the public keys of
every ``*.key`` file in a directory, as the authenticators expect.
"""

from __future__ import annotations

import datetime
import glob
import os
from collections.abc import Mapping

from .._curve_keys import curve_keypair

_SECRET_BANNER = """#   ****  Generated on {0} by purezmq  ****
#   ZeroMQ CURVE **Secret** Certificate
#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.

"""

_PUBLIC_BANNER = """#   ****  Generated on {0} by purezmq  ****
#   ZeroMQ CURVE Public Certificate
#   Exchange securely, or use a secure mechanism to verify the contents
#   of this file after exchange. Store public certificates in your home
#   directory, in the .curve subdirectory.

"""


def _text(value: str | bytes, encoding: str = "utf-8") -> str:
    return value.decode(encoding) if isinstance(value, bytes) else value


def _write_key_file(
    key_filename: str | os.PathLike[str],
    banner: str,
    public_key: str | bytes,
    secret_key: str | bytes | None = None,
    metadata: Mapping[str | bytes, str | bytes] | None = None,
) -> None:
    """Write one certificate file in the layout pyzmq and czmq use."""
    with open(key_filename, "w", encoding="utf8") as f:
        f.write(banner)
        f.write("metadata\n")
        if metadata:
            for key, value in metadata.items():
                f.write(f"    {_text(key)} = {_text(value)}\n")
        f.write("curve\n")
        f.write(f'    public-key = "{_text(public_key)}"\n')
        if secret_key:
            f.write(f'    secret-key = "{_text(secret_key)}"\n')


def create_certificates(
    key_dir: str | os.PathLike[str],
    name: str,
    metadata: Mapping[str | bytes, str | bytes] | None = None,
) -> tuple[str, str]:
    """Create a new key pair and write ``<key_dir>/<name>.key`` and ``<name>.key_secret``.

    Returns the paths ``(public_file, secret_file)``.
    """
    public_key, secret_key = curve_keypair()
    base_filename = os.path.join(os.fspath(key_dir), name)
    secret_key_file = f"{base_filename}.key_secret"
    public_key_file = f"{base_filename}.key"
    now = datetime.datetime.now()
    _write_key_file(public_key_file, _PUBLIC_BANNER.format(now), public_key)
    _write_key_file(
        secret_key_file,
        _SECRET_BANNER.format(now),
        public_key,
        secret_key=secret_key,
        metadata=metadata,
    )
    return public_key_file, secret_key_file


def load_certificate(filename: str | os.PathLike[str]) -> tuple[bytes, bytes | None]:
    """``(public_key, secret_key)`` from a certificate file; ``secret_key`` is None for a
    public certificate.

    Raises ``OSError`` when the file does not exist and ``ValueError`` when it holds no public
    key (pyzmq's behaviour).
    """
    public_key: bytes | None = None
    secret_key: bytes | None = None
    if not os.path.exists(filename):
        raise OSError(f"Invalid certificate file: {os.fspath(filename)!s}")
    with open(filename, "rb") as f:
        for raw_line in f:
            line = raw_line.strip()
            if line.startswith(b"#"):
                continue
            if line.startswith(b"public-key"):
                public_key = line.split(b"=", 1)[1].strip(b" \t'\"")
            if line.startswith(b"secret-key"):
                secret_key = line.split(b"=", 1)[1].strip(b" \t'\"")
            if public_key and secret_key:
                break
    if public_key is None:
        raise ValueError(f"No public key found in {os.fspath(filename)!s}")
    return public_key, secret_key


def load_certificates(directory: str | os.PathLike[str] = ".") -> dict[bytes, bool]:
    """The public keys of every ``*.key`` file in ``directory``, as ``{key: True}``."""
    if not os.path.isdir(directory):
        raise OSError(f"Invalid certificate directory: {os.fspath(directory)!s}")
    certs: dict[bytes, bool] = {}
    # czmq's convention: public certificates are the *.key files.
    for cert_file in glob.glob(os.path.join(glob.escape(os.fspath(directory)), "*.key")):
        public_key, _ = load_certificate(cert_file)
        if public_key:
            certs[public_key] = True
    return certs


__all__ = ["create_certificates", "load_certificate", "load_certificates"]
