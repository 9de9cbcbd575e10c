"""A self-signed TLS certificate for localhost/127.0.0.1, made with the openssl command (the
test skips without it), for tests that drive a wss:// peer's TLS by hand."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def self_signed_pem(directory: Path) -> tuple[Path, Path]:
    """Write ``cert.pem`` and ``key.pem`` into ``directory``; returns their paths."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", "key.pem", "-out", "cert.pem",
        ],
        cwd=directory, check=True, capture_output=True,
    )  # fmt: skip
    return directory / "cert.pem", directory / "key.pem"
