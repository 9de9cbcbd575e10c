"""The ZAP handler's decisions (RFC 27), shaped like pyzmq's ``zmq.auth.base.Authenticator``.

An ``Authenticator`` binds a REP socket at ``inproc://zeromq.zap.01`` (RFC 27 §"Overall
Design": the handler lives in the server's context) and answers every ZAP request:

1. The client's IP address is checked first (RFC 27 §"Request": the *address* frame): with an
   ``allow`` list only those addresses may continue, with a ``deny`` list those are refused.
   ``allow`` and ``deny`` are mutually exclusive, as in pyzmq.
2. Then the mechanism's credentials (RFC 27 §"Request": the *credentials* frames): NULL passes
   unless its address was refused; PLAIN (RFC 24) compares username and password with the
   domain's password table; CURVE (RFC 26) looks the client's long-term public key up in the
   domain's certificate directory, or asks the domain's credentials callback, or accepts any
   key (``CURVE_ALLOW_ANY``).
3. The reply (RFC 27 §"Reply") is 200 with the User-Id (PLAIN: the username, CURVE: the Z85
   public key, NULL: ``anonymous``) or 400 with the reason; a malformed request gets 400 (or no
   reply at all when even the request id is missing).

Every decision is logged on ``log`` (the ``purezmq.auth`` logger by default): one DEBUG line
per step and one line per reply. ``Authenticator`` itself does not read its socket: the
``ThreadAuthenticator`` (``auth.thread``) and ``AsyncioAuthenticator`` (``auth.asyncio``) do.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Awaitable, Mapping
from typing import Any, Protocol

from .. import z85
from ..constants import SocketType
from ..zmtp.zap import ZAP_ENDPOINT, ZAP_VERSION
from .certs import load_certificates

#: Pass as ``location`` to ``configure_curve`` to accept every CURVE client key.
CURVE_ALLOW_ANY = "*"


class CredentialsProvider(Protocol):
    """What ``configure_curve_callback`` expects: ``callback(domain, z85_key)`` returns truthy
    to accept the key (it may also return an awaitable, awaited by the asyncio and thread
    authenticators)."""

    def callback(self, domain: str, key: bytes) -> Any: ...


class Authenticator:
    """A ZAP handler's configuration and decisions (pyzmq's ``zmq.auth.Authenticator``).

    ``start()`` binds ``zap_socket``; something else must read it and pass each request to
    ``handle_zap_message`` (the subclasses do).
    """

    def __init__(
        self,
        context: Any = None,
        encoding: str = "utf-8",
        log: Any = None,
    ) -> None:
        if context is None:
            from ..sync import Context

            context = Context.instance()
        self.context = context
        self.encoding = encoding
        self.allow_any = False
        self.credentials_providers: dict[str, CredentialsProvider] = {}
        self.zap_socket: Any = None
        self._allowed: set[str] = set()
        self._denied: set[str] = set()
        #: ``{domain: {username: password}}`` for PLAIN.
        self.passwords: dict[str, dict[str, str]] = {}
        #: ``{domain: {z85_public_key: True}}`` for CURVE.
        self.certs: dict[str, dict[bytes, bool]] = {}
        self.log: Any = log or logging.getLogger("purezmq.auth")

    # -- lifecycle -------------------------------------------------------------------------

    def _new_socket(self, socket_type: SocketType) -> Any:
        """A socket of the context's own kind (an asyncio Context makes asyncio sockets); an
        authenticator that reads its sockets in another way overrides this."""
        return self.context.socket(socket_type)

    def start(self) -> None:
        """Create the REP socket and bind it at ``inproc://zeromq.zap.01``."""
        self.zap_socket = self._new_socket(SocketType.REP)
        self.zap_socket.linger = 1
        self.zap_socket.bind(ZAP_ENDPOINT)
        self.log.debug("Starting")

    def stop(self) -> None:
        """Close the ZAP socket (servers without a handler then refuse PLAIN, RFC 27)."""
        if self.zap_socket is not None:
            self.zap_socket.close()
        self.zap_socket = None

    # -- configuration ---------------------------------------------------------------------

    def allow(self, *addresses: str) -> None:
        """Accept only clients from these IP addresses (then still authenticate PLAIN and
        CURVE). Exclusive with ``deny``."""
        if self._denied:
            raise ValueError("Only use allow or deny, not both")
        self.log.debug("Allowing %s", ",".join(addresses))
        self._allowed.update(addresses)

    def deny(self, *addresses: str) -> None:
        """Refuse clients from these IP addresses. Exclusive with ``allow``."""
        if self._allowed:
            raise ValueError("Only use a allow or deny, not both")
        self.log.debug("Denying %s", ",".join(addresses))
        self._denied.update(addresses)

    def configure_plain(
        self, domain: str = "*", passwords: Mapping[str, str] | None = None
    ) -> None:
        """PLAIN (RFC 24) usernames and passwords for ``domain`` (``"*"``: any domain)."""
        if passwords:
            self.passwords[domain] = dict(passwords)
        self.log.debug("Configure plain: %s", domain)

    def configure_curve(self, domain: str = "*", location: str | os.PathLike[str] = ".") -> None:
        """CURVE (RFC 26) client keys for ``domain``: the public certificates (``*.key``) in the
        directory ``location``, or every key when ``location`` is ``CURVE_ALLOW_ANY``."""
        self.log.debug("Configure curve: %s[%s]", domain, location)
        if location == CURVE_ALLOW_ANY:
            self.allow_any = True
        else:
            self.allow_any = False
            try:
                self.certs[domain] = load_certificates(location)
            except Exception as exc:  # pyzmq logs and carries on with no keys
                self.log.error("Failed to load CURVE certs from %s: %s", location, exc)

    def configure_curve_callback(
        self, domain: str = "*", credentials_provider: CredentialsProvider | None = None
    ) -> None:
        """Ask ``credentials_provider.callback(domain, z85_key)`` about each CURVE client of
        ``domain``."""
        self.allow_any = False
        if credentials_provider is not None:
            self.credentials_providers[domain] = credentials_provider
        else:
            self.log.error("None credentials_provider provided for domain:%s", domain)

    def curve_user_id(self, client_public_key: bytes) -> str:
        """The User-Id of an accepted CURVE client: its Z85 public key (override to map keys
        to names)."""
        return z85.encode(client_public_key).decode("ascii")

    def configure_gssapi(self, domain: str = "*", location: str | None = None) -> None:
        """GSSAPI is not implemented by purezmq; accepted for API compatibility."""

    # -- decisions -------------------------------------------------------------------------

    async def handle_zap_message(self, msg: list[bytes]) -> None:
        """Answer one ZAP request (the frames a REP socket receives) on ``zap_socket``."""
        reply = await self.zap_reply(msg)
        if reply is not None:
            self.zap_socket.send_multipart(reply)

    async def zap_reply(self, msg: list[bytes]) -> list[bytes] | None:
        """The reply frames for one request (without the REP delimiter), or None when the
        request is too short to be answered (RFC 27 §"Request": no request id)."""
        if len(msg) < 6:
            self.log.error("Invalid ZAP message, not enough frames: %r", msg)
            if len(msg) < 2:
                self.log.error("Not enough information to reply")
                return None
            return self.reply_frames(msg[1], b"400", b"Not enough frames")

        version, request_id, raw_domain, raw_address, identity, mechanism = msg[:6]
        credentials = msg[6:]
        domain = raw_domain.decode(self.encoding, "replace")
        address = raw_address.decode(self.encoding, "replace")

        # RFC 27 §"Request": the version frame must be "1.0".
        if version != ZAP_VERSION:
            self.log.error("Invalid ZAP version: %r", msg)
            return self.reply_frames(request_id, b"400", b"Invalid version")

        self.log.debug(
            "version: %r, request_id: %r, domain: %r, address: %r, identity: %r, mechanism: %r",
            version,
            request_id,
            domain,
            address,
            identity,
            mechanism,
        )

        allowed = False
        denied = False
        reason = b"NO ACCESS"
        if self._allowed:
            if address in self._allowed:
                allowed = True
                self.log.debug("PASSED (allowed) address=%s", address)
            else:
                denied = True
                reason = b"Address not allowed"
                self.log.debug("DENIED (not allowed) address=%s", address)
        elif self._denied:
            if address in self._denied:
                denied = True
                reason = b"Address denied"
                self.log.debug("DENIED (denied) address=%s", address)
            else:
                allowed = True
                self.log.debug("PASSED (not denied) address=%s", address)

        username = "anonymous"
        if not denied:
            if mechanism == b"NULL" and not allowed:
                # RFC 27: NULL carries no credentials; an address not refused is enough.
                self.log.debug("ALLOWED (NULL)")
                allowed = True
            elif mechanism == b"PLAIN":
                # RFC 24 / RFC 27 §"Request": credentials are [username, password]; even an
                # allowed address must authenticate.
                if len(credentials) != 2:
                    self.log.error("Invalid PLAIN credentials: %r", credentials)
                    return self.reply_frames(request_id, b"400", b"Invalid credentials")
                username, password = (c.decode(self.encoding, "replace") for c in credentials)
                allowed, reason = self._authenticate_plain(domain, username, password)
            elif mechanism == b"CURVE":
                # RFC 26 / RFC 27 §"Request": one credential, the 32-byte long-term key.
                if len(credentials) != 1:
                    self.log.error("Invalid CURVE credentials: %r", credentials)
                    return self.reply_frames(request_id, b"400", b"Invalid credentials")
                key = credentials[0]
                allowed, reason = await self._authenticate_curve(domain, key)
                if allowed:
                    username = self.curve_user_id(key)
            elif mechanism not in (b"NULL",):
                allowed = False
                reason = b"Unsupported mechanism"
                self.log.debug("DENIED (unsupported mechanism %r)", mechanism)

        if allowed:
            return self.reply_frames(request_id, b"200", b"OK", username)
        return self.reply_frames(request_id, b"400", reason)

    def _authenticate_plain(self, domain: str, username: str, password: str) -> tuple[bool, bytes]:
        allowed = False
        reason = b""
        if self.passwords:
            if not domain:
                domain = "*"
            table = self.passwords.get(domain)
            if table is None:
                reason = b"Invalid domain"
            elif username not in table:
                reason = b"Invalid username"
            elif not hmac.compare_digest(
                table[username].encode("utf-8", "surrogatepass"),
                password.encode("utf-8", "surrogatepass"),
            ):
                # Constant-time, so the time taken says nothing about how much matched.
                reason = b"Invalid password"
            else:
                allowed = True
            if allowed:
                self.log.debug("ALLOWED (PLAIN) domain=%s username=%s", domain, username)
            else:
                self.log.debug("DENIED (PLAIN) domain=%s username=%s: %s", domain, username, reason)
        else:
            reason = b"No passwords defined"
            self.log.debug("DENIED (PLAIN) %s", reason)
        return allowed, reason

    async def _authenticate_curve(self, domain: str, client_key: bytes) -> tuple[bool, bytes]:
        if self.allow_any:
            self.log.debug("ALLOWED (CURVE allow any client)")
            return True, b"OK"
        if not domain:
            domain = "*"
        if len(client_key) != 32:
            self.log.debug("DENIED (CURVE) malformed key %r", client_key)
            return False, b"Invalid key"
        z85_key = z85.encode(client_key)
        if self.credentials_providers:
            provider = self.credentials_providers.get(domain)
            if provider is None:
                self.log.debug("DENIED (CURVE auth_callback) unknown domain=%s", domain)
                return False, b"Unknown domain"
            answer = provider.callback(domain, z85_key)
            if isinstance(answer, Awaitable):
                answer = await answer
            allowed = bool(answer)
            self.log.debug(
                "%s (CURVE auth_callback) domain=%s client_key=%s",
                "ALLOWED" if allowed else "DENIED",
                domain,
                z85_key,
            )
            return allowed, (b"OK" if allowed else b"Unknown key")
        keys = self.certs.get(domain)
        if keys is None:
            self.log.debug("DENIED (CURVE) unknown domain=%s", domain)
            return False, b"Unknown domain"
        allowed = bool(keys.get(z85_key))
        self.log.debug(
            "%s (CURVE) domain=%s client_key=%s",
            "ALLOWED" if allowed else "DENIED",
            domain,
            z85_key,
        )
        return allowed, (b"OK" if allowed else b"Unknown key")

    def reply_frames(
        self, request_id: bytes, status_code: bytes, status_text: bytes, user_id: str = ""
    ) -> list[bytes]:
        # RFC 27 §"Reply": version, request id, status code, status text, user id, metadata.
        # Only a 200 carries a User-Id.
        uid = user_id.encode(self.encoding, "replace") if status_code == b"200" else b""
        self.log.debug("ZAP reply code=%s text=%s user_id=%r", status_code, status_text, uid)
        return [ZAP_VERSION, request_id, status_code, status_text, uid, b""]


__all__ = ["Authenticator", "CURVE_ALLOW_ANY", "CredentialsProvider"]
