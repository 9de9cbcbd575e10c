"""The NULL security mechanism (RFC 23 §NULL, RFC 37; docs/protocol/zmtp.md §7).

Owns NULL's handshake: send READY with our metadata right after the greetings, without waiting
for the peer's READY (libzmq ``null_mechanism.cpp``; waiting could deadlock against a peer that
waits too), and be ready once both READYs crossed. With ``zap=True`` (a socket with a non-empty
ZAP_DOMAIN, zap.md §4) our READY is held back until the ZAP handler answers 200.
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import commands
from ..metadata import decode_metadata
from .base import Mechanism, MechanismStatus, check_zap_status


class NullMechanism(Mechanism):
    """NULL: no security; symmetric, so there is no client or server role."""

    name = b"NULL"

    def __init__(self, *, zap: bool = False) -> None:
        super().__init__(as_server=False)
        self._zap = zap
        self._metadata: Mapping[str, bytes] = {}
        self._ready_sent = False
        self._ready_received = False

    @property
    def allows_zmtp2(self) -> bool:
        return not self._zap

    def start(self, metadata: Mapping[str, bytes]) -> list[bytes]:
        self._metadata = metadata
        if self._zap:
            self._request_zap()
            return []
        return self._send_ready()

    def _send_ready(self) -> list[bytes]:
        self._ready_sent = True
        self._update()
        return [commands.ready(self._metadata)]

    def _update(self) -> None:
        if self._ready_sent and self._ready_received and self.status is not MechanismStatus.ERROR:
            self.status = MechanismStatus.READY

    def receive_command(self, name: bytes, data: bytes) -> list[bytes]:
        if self._ready_received or self.status is not MechanismStatus.HANDSHAKING:
            raise self._unexpected(name, "was already over")
        if name == commands.READY:
            self.peer_metadata = decode_metadata(data)
            self._ready_received = True
            self._update()
            return []
        if name == commands.ERROR:
            return self._peer_error(data)
        raise self._unexpected(name, "expected READY or ERROR")

    def zap_reply(
        self, status: int, user_id: bytes = b"", metadata: Mapping[str, bytes] | None = None
    ) -> list[bytes]:
        if not self._zap or self._ready_sent or self.status is not MechanismStatus.HANDSHAKING:
            return super().zap_reply(status, user_id, metadata)
        if check_zap_status(status) != 200:
            return self._refuse_zap(status)
        self._accept_zap(user_id, metadata)
        return self._send_ready()


__all__ = ["NullMechanism"]
