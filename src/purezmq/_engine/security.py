"""What a socket's options make of each new connection: its ZMTP settings and its security
mechanism with the ZAP policy (contracts.md, "Mechanisms and ZAP"; docs/protocol/zap.md §4).

The ZMTP settings are translated from libzmq's units in one place,
``zmtp.ConnectionOptions.from_libzmq``; this module only picks the values out of the
``SocketOptions``.
"""

from __future__ import annotations

from ..constants import SecurityMechanism
from ..options import SocketOptions
from ..zmtp import ConnectionOptions, Mechanism, NullMechanism
from ..zmtp.zap import ZapPolicy, zap_policy


def connection_options(options: SocketOptions) -> ConnectionOptions:
    """The ZMTP-level settings of a socket's options, as its next connection uses them."""
    return ConnectionOptions.from_libzmq(
        routing_id=options.routing_id,
        maxmsgsize=options.maxmsgsize,
        heartbeat_ivl=options.heartbeat_ivl,
        heartbeat_ttl=options.heartbeat_ttl,
        heartbeat_timeout=options.heartbeat_timeout,
        handshake_ivl=options.handshake_ivl,
        metadata={
            key.decode("utf-8", "surrogateescape"): value for key, value in options.metadata.items()
        },
    )


_MECHANISM_NAMES: dict[int, bytes] = {
    SecurityMechanism.NULL: b"NULL",
    SecurityMechanism.PLAIN: b"PLAIN",
    SecurityMechanism.CURVE: b"CURVE",
}


def make_mechanism(
    options: SocketOptions, handler_bound: bool = False
) -> tuple[Mechanism, ZapPolicy]:
    """The security mechanism the socket's options select, and whether it consults ZAP
    (``handler_bound``: a ZAP handler is bound in the socket's context).

    Raises ``ZMQError`` when the mechanism cannot run here (CURVE without PyNaCl).
    """
    name = _MECHANISM_NAMES.get(options.mechanism, b"NULL")
    as_server = bool(options.as_server)
    policy = zap_policy(
        name,
        as_server=as_server,
        domain=options.zap_domain,
        enforce_domain=bool(options.zap_enforce_domain),
        handler_bound=handler_bound,
    )
    if name == b"PLAIN":
        from ..zmtp.mechanisms.plain import PlainClient, PlainServer

        if as_server:
            return PlainServer(), policy
        return PlainClient(options.plain_username, options.plain_password), policy
    if name == b"CURVE":
        from ..zmtp.mechanisms.curve import CurveClient, CurveServer

        if as_server:
            server = CurveServer(
                secret_key=options.curve_secretkey, zap=policy is not ZapPolicy.SKIP
            )
            return server, policy
        client = CurveClient(
            public_key=options.curve_publickey,
            secret_key=options.curve_secretkey,
            server_key=options.curve_serverkey,
        )
        return client, policy
    return NullMechanism(zap=policy is not ZapPolicy.SKIP), policy


__all__ = ["connection_options", "make_mechanism"]
