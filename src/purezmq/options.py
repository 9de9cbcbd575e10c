"""Socket and context options: libzmq's defaults, validation and read-back rules, as data.

Layer 0, standard library only. One ``SocketOptions`` object per socket holds every libzmq socket
option as an attribute named after it in lower case (``opts.sndhwm``, ``opts.routing_id``,
``opts.heartbeat_ivl``…), in libzmq's units (``docs/contracts.md`` §Options). Every other layer
reads the attributes directly; only the user's ``setsockopt``/``getsockopt`` goes through
``set``/``get``, which validate and read back exactly like libzmq 4.3.5's ``options.cpp`` and the
per-pattern ``xsetsockopt`` (docs/protocol/options.md §4, and pyzmq 27.3 probed value by value
in ``tests/test_options.py``).

The option table ``SOCKET_OPTIONS`` is the single source of truth: for each option number its
attribute, kind, default, whether it can be set and read, the socket types that accept it, and
the function that validates and stores a value. Options with side effects (HWM sets both
HWMs, IPV4ONLY is the inverse of IPV6, PLAIN/CURVE options choose the mechanism, HEARTBEAT_TTL is
stored in deciseconds) have their own setter in the table rather than branches in ``set``.

Value conventions: integers are ints; binary options are ``bytes`` (``b""`` = unset); "str"
options (user names, domains, proxy addresses) are stored as UTF-8 ``bytes`` too, as libzmq does,
and read back as bytes like pyzmq's ``getsockopt``; ``set`` also accepts ``str`` for them. Action
options (SUBSCRIBE, UNSUBSCRIBE) are validated and remembered here but carried out by the socket's
pattern. The live state options (RCVMORE, EVENTS, FD, TOPICS_COUNT) belong to the socket, which
must answer them before asking ``get`` (see ``SOCKET_STATE_OPTIONS``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Union

from .constants import ContextOption, Errno, SecurityMechanism, SocketOption, SocketType
from .error import ZMQError
from .socket_types import SOCKET_TYPES

Opt = SocketOption
T = SocketType

#: The Python value a user passes to ``set``.
OptionValue = Union[int, bytes, str, None]
Kind = Literal["int", "int64", "uint64", "bytes", "str"]

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
UINT64_MAX = 2**64 - 1
#: ``CURVE_KEYSIZE`` / ``CURVE_KEYSIZE_Z85`` in libzmq.
CURVE_KEY_SIZE = 32
CURVE_KEY_Z85_SIZE = 40
#: libzmq stores HEARTBEAT_TTL as a uint16 count of deciseconds (zmtp.md §PING, RFC 37).
_DECISECONDS = 100
_UINT16_MAX = 0xFFFF
#: ``BINDDEVSIZ`` in libzmq: the longest interface name SO_BINDTODEVICE takes.
_BINDDEVSIZ = 16
_UCHAR_MAX = 255


def _name(option: int) -> str:
    try:
        return SocketOption(option).name
    except ValueError:
        return str(option)


def _einval(option: int, accepted: str, value: object) -> ZMQError:
    return ZMQError(Errno.EINVAL, f"{_name(option)} must be {accepted}, not {value!r}")


# ---------------------------------------------------------------------------------------------
# Value coercion: Python types first (TypeError, as pyzmq), then libzmq's ranges (EINVAL).


def _as_int(option: int, value: OptionValue, lo: int = INT_MIN, hi: int = INT_MAX) -> int:
    if not isinstance(value, int):
        raise TypeError(f"{_name(option)} takes an int, not {type(value).__name__}")
    if not lo <= value <= hi:
        raise _einval(option, f"an int in {lo}..{hi}", value)
    return int(value)


def _as_bytes(option: int, value: OptionValue) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{_name(option)} takes bytes, not {type(value).__name__}")


Setter = Callable[["SocketOptions", "OptionSpec", OptionValue], None]


def _int_min(lo: int, accepted: str) -> Setter:
    """An int option accepting ``lo``..INT_MAX (libzmq: ``is_int && value >= lo``)."""

    def setter(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
        v = _as_int(spec.option, value)
        if v < lo:
            raise _einval(spec.option, accepted, v)
        setattr(opts, spec.attr, v)

    return setter


def _int_any(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    setattr(opts, spec.attr, _as_int(spec.option, value))


def _int64_any(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    setattr(opts, spec.attr, _as_int(spec.option, value, INT64_MIN, INT64_MAX))


def _uint64(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    # pyzmq passes AFFINITY as int64 and libzmq reads it as uint64: accept both spellings.
    setattr(opts, spec.attr, _as_int(spec.option, value, INT64_MIN, UINT64_MAX))


def _int_choice(choices: tuple[int, ...], accepted: str) -> Setter:
    def setter(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
        v = _as_int(spec.option, value)
        if v not in choices:
            raise _einval(spec.option, accepted, v)
        setattr(opts, spec.attr, v)

    return setter


#: libzmq ``do_setsockopt_int_as_bool_strict``: only 0 or 1.
_bool_strict = _int_choice((0, 1), "0 or 1")


def _bool_relaxed(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    """libzmq ``do_setsockopt_int_as_bool_relaxed``: any int, non-zero reads back as 1."""
    setattr(opts, spec.attr, int(_as_int(spec.option, value) != 0))


def _flag_nonneg(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    """Pattern flags (router.cpp, req.cpp, xpub.cpp…): ints >= 0, stored as a bool."""
    v = _as_int(spec.option, value)
    if v < 0:
        raise _einval(spec.option, "0 (off) or a positive int (on)", v)
    setattr(opts, spec.attr, int(v != 0))


def _bytes_len(lo: int, hi: int | None, *, none_clears: bool = False) -> Setter:
    """A binary/string option of ``lo``..``hi`` bytes; ``None`` resets it when allowed."""
    accepted = f"{lo}..{hi} bytes" if hi is not None else f"at least {lo} byte(s)"

    def setter(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
        if value is None and none_clears:
            setattr(opts, spec.attr, spec.default)
            return
        v = _as_bytes(spec.option, value)
        if len(v) < lo or (hi is not None and len(v) > hi):
            hint = " (use None to clear it)" if none_clears and not v else ""
            raise _einval(spec.option, accepted + hint, v)
        setattr(opts, spec.attr, v)

    return setter


def _bytes_any(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    setattr(opts, spec.attr, b"" if value is None else _as_bytes(spec.option, value))


def _bytes_or_none(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    """XPUB_WELCOME_MSG, HELLO_MSG…: an empty value means "no message" in libzmq."""
    v = b"" if value is None else _as_bytes(spec.option, value)
    setattr(opts, spec.attr, v or None)


# ---------------------------------------------------------------------------------------------
# Setters with side effects, each mirroring one case of libzmq's options.cpp.


def _set_hwm(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    # pyzmq's ``sock.hwm = n``: both directions at once.
    v = _as_int(spec.option, value)
    if v < 0:
        raise _einval(spec.option, "an int >= 0 (0 = no limit)", v)
    opts.sndhwm = opts.rcvhwm = v


def _set_ipv4only(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    v = _as_int(spec.option, value)
    if v not in (0, 1):
        raise _einval(spec.option, "0 or 1", v)
    opts.ipv6 = 1 - v


def _set_heartbeat_ttl(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    v = _as_int(spec.option, value)
    # libzmq divides first (C truncation toward zero), then range-checks the uint16: -99 ms is
    # accepted as 0 and 6553599 ms as 6553500.
    deciseconds = int(v / _DECISECONDS)
    if not 0 <= deciseconds <= _UINT16_MAX:
        raise _einval(spec.option, f"milliseconds in 0..{_UINT16_MAX * _DECISECONDS + 99}", v)
    opts.heartbeat_ttl = deciseconds * _DECISECONDS


def _set_plain_server(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    v = _as_int(spec.option, value)
    if v not in (0, 1):
        raise _einval(spec.option, "0 or 1", v)
    opts.plain_server = opts.as_server = v
    opts.mechanism = SecurityMechanism.PLAIN if v else SecurityMechanism.NULL


def _set_plain_credential(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    if value is None:
        # libzmq: a NULL value switches the socket back to the NULL mechanism.
        opts.mechanism = SecurityMechanism.NULL
        return
    v = _as_bytes(spec.option, value)
    if not 1 <= len(v) <= _UCHAR_MAX:
        raise _einval(spec.option, "1..255 bytes (None switches back to NULL security)", v)
    setattr(opts, spec.attr, v)
    opts.as_server = 0
    opts.mechanism = SecurityMechanism.PLAIN


def _set_curve_server(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    v = _as_int(spec.option, value)
    if v not in (0, 1):
        raise _einval(spec.option, "0 or 1", v)
    opts.curve_server = opts.as_server = v
    opts.mechanism = SecurityMechanism.CURVE if v else SecurityMechanism.NULL


def decode_curve_key(option: int, value: OptionValue) -> bytes:
    """A CURVE key as libzmq's ``set_curve_key`` takes it: 32 bytes, 40 Z85 or 41 with NUL."""
    v = _as_bytes(option, value)
    accepted = "32 bytes, or 40 Z85 characters (41 with a trailing NUL)"
    if len(v) == CURVE_KEY_SIZE:
        return v
    if len(v) == CURVE_KEY_Z85_SIZE + 1 and v.endswith(b"\0"):
        v = v[:-1]
    if len(v) != CURVE_KEY_Z85_SIZE:
        raise _einval(option, accepted, value)
    from .z85 import decode  # with the first Z85 key only: most sockets never set one

    try:
        return decode(v)
    except ValueError as exc:
        raise ZMQError(Errno.EINVAL, f"{_name(option)} is not a valid Z85 key: {exc}") from None


def _set_curve_key(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    setattr(opts, spec.attr, decode_curve_key(spec.option, value))
    opts.mechanism = SecurityMechanism.CURVE
    if spec.option == Opt.CURVE_SERVERKEY:
        # Knowing the server's key makes this socket a CURVE client (mechanisms.md §0).
        opts.as_server = 0


def _set_tcp_accept_filter(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    if value is None:
        opts.tcp_accept_filter = ()
        return
    v = _as_bytes(spec.option, value)
    accepted = "an IP address or network such as 10.0.0.0/8 (None clears the filters)"
    import ipaddress  # here, as this option is rare: the module costs ~1 ms to import

    try:
        text = v.decode("ascii")
        network = ipaddress.ip_network(text, strict=False)
    except (UnicodeDecodeError, ValueError):
        raise _einval(spec.option, accepted, v) from None
    if network.version == 6 and not opts.ipv6:
        # libzmq resolves the mask with the socket's IPV6 setting at the time of the call.
        raise _einval(spec.option, "an IPv4 network unless IPV6 is set first", v)
    opts.tcp_accept_filter = (*opts.tcp_accept_filter, v)


def _append_int(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    v = _as_int(spec.option, value)
    current: tuple[int, ...] = getattr(opts, spec.attr)
    setattr(opts, spec.attr, (*current, v))


def _set_metadata(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    v = _as_bytes(spec.option, value)
    key, sep, val = v.partition(b":")
    # options.cpp: "X-name:value", name after X- non-empty, key <= 255, value non-empty.
    if not sep or len(key) <= 2 or not key.startswith(b"X-") or not val:
        raise _einval(spec.option, "b'X-name:value' (custom property, both parts non-empty)", v)
    if len(key) > _UCHAR_MAX:
        raise _einval(spec.option, "a property name of at most 255 bytes", v)
    # std::map::insert keeps the first value given for a name.
    if key not in opts.metadata:
        opts.metadata = {**opts.metadata, key: val}


def _set_subscription(opts: SocketOptions, spec: OptionSpec, value: OptionValue) -> None:
    v = _as_bytes(spec.option, value)
    manual = opts.xpub_manual or opts.xpub_manual_last_value
    if opts.socket_type in (T.PUB, T.XPUB) and not manual:
        # xpub.cpp accepts (UN)SUBSCRIBE only in manual mode.
        raise ZMQError(
            Errno.EINVAL,
            f"{_name(spec.option)} on a {opts.socket_type.name} socket needs XPUB_MANUAL=1 first",
        )
    setattr(opts, spec.attr, v)


# ---------------------------------------------------------------------------------------------
# The table.

Access = Literal["rw", "w", "r", "state", "unsupported"]


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One socket option: how it is stored, read and validated."""

    option: int
    #: Attribute of ``SocketOptions`` holding the value.
    attr: str
    kind: Kind
    default: object
    #: "rw"/"w"/"r"; "state" = answered by the socket itself; "unsupported" = refused.
    access: Access
    setter: Setter | None = None
    #: Socket types whose ``setsockopt`` accepts it (None = every type).
    types: frozenset[int] | None = None
    #: For "unsupported": why.
    reason: str = ""

    @property
    def settable(self) -> bool:
        return self.access in ("rw", "w")

    @property
    def gettable(self) -> bool:
        return self.access in ("rw", "r")


_ROUTERS = frozenset({T.ROUTER, T.REP})
_XPUBS = frozenset({T.PUB, T.XPUB})


def _spec(
    option: SocketOption,
    kind: Kind,
    default: object,
    access: Access,
    setter: Setter | None = None,
    types: frozenset[int] | None = None,
    reason: str = "",
) -> OptionSpec:
    return OptionSpec(
        int(option), option.name.lower(), kind, default, access, setter, types, reason
    )


#: MAX_HANDSHAKES (purezmq only): connections one bound endpoint holds in their handshake at
#: once; more are accepted and closed at once (SECURITY.md, "Handshakes are bounded"). 10 000
#: peers connecting in one burst to a ROUTER peaked at about 1 500 handshakes at once.
MAX_HANDSHAKES_DEFAULT = 4096

_NONNEG = _int_min(0, "an int >= 0")
_POSITIVE = _int_min(1, "an int > 0")
_FROM_MINUS_1 = _int_min(-1, "an int >= -1 (-1 = default/infinite)")
_GSSAPI = "purezmq does not implement GSSAPI (libzmq wheels are built without it too)"
_VMCI = "purezmq does not implement the vmci:// transport"
_NORM = "purezmq does not implement the norm:// transport"

_SPECS: tuple[OptionSpec, ...] = (
    _spec(Opt.AFFINITY, "uint64", 0, "rw", _uint64),
    _spec(Opt.ROUTING_ID, "bytes", b"", "rw", _bytes_len(1, _UCHAR_MAX)),
    _spec(Opt.SUBSCRIBE, "bytes", None, "w", _set_subscription, frozenset({T.SUB, *_XPUBS})),
    _spec(Opt.UNSUBSCRIBE, "bytes", None, "w", _set_subscription, frozenset({T.SUB, *_XPUBS})),
    _spec(Opt.RATE, "int", 100, "rw", _POSITIVE),
    _spec(Opt.RECOVERY_IVL, "int", 10000, "rw", _NONNEG),
    _spec(Opt.SNDBUF, "int", -1, "rw", _FROM_MINUS_1),
    _spec(Opt.RCVBUF, "int", -1, "rw", _FROM_MINUS_1),
    _spec(Opt.RCVMORE, "int", 0, "state"),
    _spec(Opt.FD, "int", -1, "state"),
    _spec(Opt.EVENTS, "int", 0, "state"),
    _spec(Opt.TYPE, "int", None, "r"),
    _spec(Opt.LINGER, "int", -1, "rw", _FROM_MINUS_1),
    _spec(Opt.RECONNECT_IVL, "int", 100, "rw", _FROM_MINUS_1),
    _spec(Opt.BACKLOG, "int", 100, "rw", _NONNEG),
    _spec(Opt.RECONNECT_IVL_MAX, "int", 0, "rw", _NONNEG),
    _spec(Opt.MAXMSGSIZE, "int64", -1, "rw", _int64_any),
    _spec(Opt.SNDHWM, "int", 1000, "rw", _int_min(0, "an int >= 0 (0 = no limit)")),
    _spec(Opt.RCVHWM, "int", 1000, "rw", _int_min(0, "an int >= 0 (0 = no limit)")),
    _spec(Opt.MULTICAST_HOPS, "int", 1, "rw", _POSITIVE),
    _spec(Opt.RCVTIMEO, "int", -1, "rw", _FROM_MINUS_1),
    _spec(Opt.SNDTIMEO, "int", -1, "rw", _FROM_MINUS_1),
    _spec(Opt.LAST_ENDPOINT, "str", b"", "r"),
    _spec(Opt.ROUTER_MANDATORY, "int", 0, "w", _flag_nonneg, _ROUTERS),
    _spec(Opt.TCP_KEEPALIVE, "int", -1, "rw", _int_choice((-1, 0, 1), "-1 (OS default), 0 or 1")),
    _spec(Opt.TCP_KEEPALIVE_CNT, "int", -1, "rw", _FROM_MINUS_1),
    _spec(Opt.TCP_KEEPALIVE_IDLE, "int", -1, "rw", _FROM_MINUS_1),
    _spec(Opt.TCP_KEEPALIVE_INTVL, "int", -1, "rw", _FROM_MINUS_1),
    _spec(Opt.TCP_ACCEPT_FILTER, "str", (), "w", _set_tcp_accept_filter),
    _spec(Opt.IMMEDIATE, "int", 0, "rw", _bool_strict),
    _spec(Opt.XPUB_VERBOSE, "int", 0, "w", _flag_nonneg, _XPUBS),
    _spec(Opt.ROUTER_RAW, "int", 0, "w", _flag_nonneg, _ROUTERS),
    _spec(Opt.IPV6, "int", 0, "rw", _bool_strict),
    _spec(Opt.MECHANISM, "int", SecurityMechanism.NULL, "r"),
    _spec(Opt.PLAIN_SERVER, "int", 0, "rw", _set_plain_server),
    _spec(Opt.PLAIN_USERNAME, "str", b"", "rw", _set_plain_credential),
    _spec(Opt.PLAIN_PASSWORD, "str", b"", "rw", _set_plain_credential),
    _spec(Opt.CURVE_SERVER, "int", 0, "rw", _set_curve_server),
    _spec(Opt.CURVE_PUBLICKEY, "bytes", b"", "rw", _set_curve_key),
    _spec(Opt.CURVE_SECRETKEY, "bytes", b"", "rw", _set_curve_key),
    _spec(Opt.CURVE_SERVERKEY, "bytes", b"", "rw", _set_curve_key),
    _spec(Opt.PROBE_ROUTER, "int", 0, "w", _flag_nonneg, frozenset({T.REQ, T.DEALER, *_ROUTERS})),
    _spec(Opt.REQ_CORRELATE, "int", 0, "w", _flag_nonneg, frozenset({T.REQ})),
    _spec(Opt.REQ_RELAXED, "int", 0, "w", _flag_nonneg, frozenset({T.REQ})),
    _spec(Opt.CONFLATE, "int", 0, "rw", _bool_strict),
    _spec(Opt.ZAP_DOMAIN, "str", b"", "rw", _bytes_len(1, _UCHAR_MAX, none_clears=True)),
    _spec(Opt.ROUTER_HANDOVER, "int", 0, "w", _flag_nonneg, _ROUTERS),
    _spec(Opt.TOS, "int", 0, "rw", _NONNEG),
    _spec(Opt.IPC_FILTER_PID, "int", (), "w", _append_int),
    _spec(Opt.IPC_FILTER_UID, "int", (), "w", _append_int),
    _spec(Opt.IPC_FILTER_GID, "int", (), "w", _append_int),
    _spec(
        Opt.CONNECT_ROUTING_ID,
        "bytes",
        b"",
        "w",
        _bytes_len(1, None),
        frozenset({T.STREAM, *_ROUTERS}),
    ),
    _spec(Opt.GSSAPI_SERVER, "int", 0, "unsupported", reason=_GSSAPI),
    _spec(Opt.GSSAPI_PRINCIPAL, "str", b"", "unsupported", reason=_GSSAPI),
    _spec(Opt.GSSAPI_SERVICE_PRINCIPAL, "str", b"", "unsupported", reason=_GSSAPI),
    _spec(Opt.GSSAPI_PLAINTEXT, "int", 0, "unsupported", reason=_GSSAPI),
    _spec(Opt.HANDSHAKE_IVL, "int", 30000, "rw", _int_min(0, "an int >= 0 (0 = no limit)")),
    _spec(Opt.SOCKS_PROXY, "str", b"", "rw", _bytes_len(1, None, none_clears=True)),
    _spec(Opt.XPUB_NODROP, "int", 0, "w", _flag_nonneg, frozenset({T.RADIO, *_XPUBS})),
    _spec(Opt.XPUB_MANUAL, "int", 0, "w", _flag_nonneg, _XPUBS),
    _spec(Opt.XPUB_WELCOME_MSG, "bytes", None, "w", _bytes_or_none, _XPUBS),
    _spec(Opt.STREAM_NOTIFY, "int", 1, "w", _bool_strict, frozenset({T.STREAM})),
    _spec(Opt.INVERT_MATCHING, "int", 0, "rw", _bool_relaxed),
    _spec(Opt.HEARTBEAT_IVL, "int", 0, "rw", _int_min(0, "an int >= 0 (0 = off)")),
    _spec(Opt.HEARTBEAT_TTL, "int", 0, "rw", _set_heartbeat_ttl),
    _spec(
        Opt.HEARTBEAT_TIMEOUT,
        "int",
        -1,
        "rw",
        _int_min(0, "an int >= 0 (the default -1, 'use HEARTBEAT_IVL', cannot be set back)"),
    ),
    _spec(Opt.XPUB_VERBOSER, "int", 0, "w", _flag_nonneg, _XPUBS),
    _spec(Opt.CONNECT_TIMEOUT, "int", 0, "rw", _int_min(0, "an int >= 0 (0 = OS default)")),
    _spec(Opt.TCP_MAXRT, "int", 0, "rw", _int_min(0, "an int >= 0 (0 = OS default)")),
    _spec(Opt.THREAD_SAFE, "int", None, "r"),
    _spec(Opt.MULTICAST_MAXTPDU, "int", 1500, "rw", _POSITIVE),
    _spec(Opt.VMCI_BUFFER_SIZE, "int64", 0, "unsupported", reason=_VMCI),
    _spec(Opt.VMCI_BUFFER_MIN_SIZE, "int64", 0, "unsupported", reason=_VMCI),
    _spec(Opt.VMCI_BUFFER_MAX_SIZE, "int64", 0, "unsupported", reason=_VMCI),
    _spec(Opt.VMCI_CONNECT_TIMEOUT, "int", -1, "unsupported", reason=_VMCI),
    _spec(Opt.USE_FD, "int", -1, "rw", _FROM_MINUS_1),
    _spec(Opt.GSSAPI_PRINCIPAL_NAMETYPE, "int", 0, "unsupported", reason=_GSSAPI),
    _spec(Opt.GSSAPI_SERVICE_PRINCIPAL_NAMETYPE, "int", 0, "unsupported", reason=_GSSAPI),
    _spec(Opt.BINDTODEVICE, "str", b"", "rw", _bytes_len(1, _BINDDEVSIZ, none_clears=True)),
    _spec(Opt.ZAP_ENFORCE_DOMAIN, "int", 0, "rw", _bool_relaxed),
    _spec(Opt.LOOPBACK_FASTPATH, "int", 0, "rw", _bool_relaxed),
    _spec(Opt.METADATA, "str", {}, "w", _set_metadata),
    _spec(Opt.MULTICAST_LOOP, "int", 1, "rw", _bool_relaxed),
    _spec(Opt.ROUTER_NOTIFY, "int", 0, "rw", _int_choice((0, 1, 2, 3), "NOTIFY_* bits (0..3)")),
    _spec(Opt.XPUB_MANUAL_LAST_VALUE, "int", 0, "w", _flag_nonneg, _XPUBS),
    _spec(Opt.SOCKS_USERNAME, "str", b"", "rw", _bytes_len(0, _UCHAR_MAX, none_clears=True)),
    _spec(Opt.SOCKS_PASSWORD, "str", b"", "rw", _bytes_len(0, _UCHAR_MAX, none_clears=True)),
    _spec(Opt.IN_BATCH_SIZE, "int", 8192, "rw", _POSITIVE),
    _spec(Opt.OUT_BATCH_SIZE, "int", 8192, "rw", _POSITIVE),
    _spec(Opt.WSS_KEY_PEM, "str", b"", "w", _bytes_any),
    _spec(Opt.WSS_CERT_PEM, "str", b"", "w", _bytes_any),
    _spec(Opt.WSS_TRUST_PEM, "str", b"", "w", _bytes_any),
    _spec(Opt.WSS_HOSTNAME, "str", b"", "w", _bytes_any),
    _spec(Opt.WSS_TRUST_SYSTEM, "int", 0, "w", _bool_strict),
    _spec(Opt.ONLY_FIRST_SUBSCRIBE, "int", 0, "w", _flag_nonneg, frozenset({T.XSUB, *_XPUBS})),
    _spec(Opt.RECONNECT_STOP, "int", 0, "rw", _int_any),
    _spec(Opt.HELLO_MSG, "bytes", None, "w", _bytes_or_none),
    _spec(Opt.DISCONNECT_MSG, "bytes", None, "w", _bytes_or_none),
    _spec(Opt.PRIORITY, "int", 0, "rw", _NONNEG),
    _spec(Opt.BUSY_POLL, "int", 0, "w", _int_any),
    _spec(Opt.HICCUP_MSG, "bytes", None, "w", _bytes_or_none),
    _spec(Opt.XSUB_VERBOSE_UNSUBSCRIBE, "int", 0, "w", _flag_nonneg, frozenset({T.XSUB})),
    _spec(Opt.TOPICS_COUNT, "int", 0, "state", types=frozenset({T.PUB, T.SUB, T.XPUB, T.XSUB})),
    *(
        _spec(opt, "int", 0, "unsupported", reason=_NORM)
        for opt in (
            Opt.NORM_MODE,
            Opt.NORM_UNICAST_NACK,
            Opt.NORM_BUFFER_SIZE,
            Opt.NORM_SEGMENT_SIZE,
            Opt.NORM_BLOCK_SIZE,
            Opt.NORM_NUM_PARITY,
            Opt.NORM_NUM_AUTOPARITY,
            Opt.NORM_PUSH,
        )
    ),
    _spec(
        Opt.MAX_HANDSHAKES,
        "int",
        MAX_HANDSHAKES_DEFAULT,
        "rw",
        _int_min(0, "an int >= 0 (0 = no limit)"),
    ),
)

#: Option number → spec. Aliases (IDENTITY, CONNECT_RID…) share their option's number.
SOCKET_OPTIONS: dict[int, OptionSpec] = {spec.option: spec for spec in _SPECS}
#: HWM is pyzmq's (not libzmq's) shorthand for SNDHWM + RCVHWM; it has no attribute of its own.
SOCKET_OPTIONS[Opt.HWM] = OptionSpec(int(Opt.HWM), "sndhwm", "int", 1000, "rw", _set_hwm)
#: IPV4ONLY (deprecated) has no attribute either: it reads and writes the inverse of IPV6.
SOCKET_OPTIONS[Opt.IPV4ONLY] = OptionSpec(int(Opt.IPV4ONLY), "ipv6", "int", 1, "rw", _set_ipv4only)
#: Context options that pyzmq also lists among socket options: a socket refuses them.
_CONTEXT_ONLY = {int(Opt.BLOCKY): "BLOCKY is a context option: set it on the Context"}
#: Answered by the socket (front-end/pattern), never by ``SocketOptions.get``.
SOCKET_STATE_OPTIONS = frozenset(s.option for s in _SPECS if s.access == "state")
#: Options whose value is an action for the pattern (``Pattern.setsockopt``) as well as stored.
PATTERN_OPTIONS = frozenset(s.option for s in _SPECS if s.types is not None and s.access != "state")
#: Per-socket-type defaults that differ from the table (xsub.cpp/dish.cpp: linger 0 so that a
#: closing subscriber never waits for unsent subscriptions).
_TYPE_DEFAULTS: dict[int, dict[str, object]] = {
    T.SUB: {"linger": 0},
    T.XSUB: {"linger": 0},
    T.DISH: {"linger": 0},
}

_ATTRS: tuple[str, ...] = tuple(s.attr for s in _SPECS)


def option_type(option: int) -> Literal["int", "bytes", "str"]:
    """The Python type of an option's value for ``get``/``set``: "int", "bytes" or "str".

    ``"str"`` options hold text; ``getsockopt`` returns it as bytes like pyzmq, and
    ``getsockopt_string``/``setsockopt_string`` may decode/encode it. ``"bytes"`` options are
    binary (routing ids, keys, messages). Unknown options raise ``ZMQError(EINVAL)``.
    """
    spec = SOCKET_OPTIONS.get(int(option))
    if spec is None:
        raise ZMQError(Errno.EINVAL, f"unknown socket option {option}")
    if spec.kind in ("int", "int64", "uint64"):
        return "int"
    return spec.kind  # type: ignore[return-value]


class SocketOptions:
    """Every socket option of one socket, as attributes in libzmq's units.

    ``SocketOptions(socket_type)`` starts from libzmq's defaults for that type; ``set`` and
    ``get`` are ``setsockopt``/``getsockopt`` with libzmq's validation and read-back.
    """

    __slots__ = ("socket_type", "as_server", *_ATTRS)

    socket_type: SocketType
    #: Local role for PLAIN/CURVE (libzmq ``options.as_server``), set by the mechanism options.
    as_server: int

    affinity: int
    routing_id: bytes
    #: Last topic given to SUBSCRIBE / UNSUBSCRIBE (the pattern applies it).
    subscribe: bytes | None
    unsubscribe: bytes | None
    rate: int
    recovery_ivl: int
    sndbuf: int
    rcvbuf: int
    rcvmore: int
    fd: int
    events: int
    type: int
    linger: int
    reconnect_ivl: int
    backlog: int
    reconnect_ivl_max: int
    maxmsgsize: int
    sndhwm: int
    rcvhwm: int
    multicast_hops: int
    rcvtimeo: int
    sndtimeo: int
    #: Set by the engine after each bind/connect (wildcards resolved), read by LAST_ENDPOINT.
    last_endpoint: bytes
    router_mandatory: int
    tcp_keepalive: int
    tcp_keepalive_cnt: int
    tcp_keepalive_idle: int
    tcp_keepalive_intvl: int
    #: Accepted peer networks (each as given, e.g. b"10.0.0.0/8"); empty = accept all.
    tcp_accept_filter: tuple[bytes, ...]
    immediate: int
    xpub_verbose: int
    router_raw: int
    ipv6: int
    mechanism: int
    plain_server: int
    plain_username: bytes
    plain_password: bytes
    curve_server: int
    #: 32 raw bytes once set, ``b""`` while unset.
    curve_publickey: bytes
    curve_secretkey: bytes
    curve_serverkey: bytes
    probe_router: int
    req_correlate: int
    req_relaxed: int
    conflate: int
    zap_domain: bytes
    router_handover: int
    tos: int
    ipc_filter_pid: tuple[int, ...]
    ipc_filter_uid: tuple[int, ...]
    ipc_filter_gid: tuple[int, ...]
    #: Routing id for the peer of the next connect(); the engine consumes and clears it.
    connect_routing_id: bytes
    gssapi_server: int
    gssapi_principal: bytes
    gssapi_service_principal: bytes
    gssapi_plaintext: int
    handshake_ivl: int
    socks_proxy: bytes
    xpub_nodrop: int
    xpub_manual: int
    xpub_welcome_msg: bytes | None
    stream_notify: int
    invert_matching: int
    heartbeat_ivl: int
    #: Milliseconds, already rounded down to the 100 ms the wire carries.
    heartbeat_ttl: int
    heartbeat_timeout: int
    xpub_verboser: int
    connect_timeout: int
    tcp_maxrt: int
    thread_safe: int
    multicast_maxtpdu: int
    vmci_buffer_size: int
    vmci_buffer_min_size: int
    vmci_buffer_max_size: int
    vmci_connect_timeout: int
    use_fd: int
    gssapi_principal_nametype: int
    gssapi_service_principal_nametype: int
    bindtodevice: bytes
    zap_enforce_domain: int
    loopback_fastpath: int
    #: Application metadata sent in READY/INITIATE: {b"X-Name": b"value"}.
    metadata: dict[bytes, bytes]
    multicast_loop: int
    router_notify: int
    xpub_manual_last_value: int
    socks_username: bytes
    socks_password: bytes
    in_batch_size: int
    out_batch_size: int
    wss_key_pem: bytes
    wss_cert_pem: bytes
    wss_trust_pem: bytes
    wss_hostname: bytes
    wss_trust_system: int
    only_first_subscribe: int
    reconnect_stop: int
    hello_msg: bytes | None
    disconnect_msg: bytes | None
    priority: int
    busy_poll: int
    hiccup_msg: bytes | None
    xsub_verbose_unsubscribe: int
    topics_count: int
    norm_mode: int
    norm_unicast_nack: int
    norm_buffer_size: int
    norm_segment_size: int
    norm_block_size: int
    norm_num_parity: int
    norm_num_autoparity: int
    norm_push: int
    max_handshakes: int

    def __init__(self, socket_type: int) -> None:
        try:
            info = SOCKET_TYPES[SocketType(socket_type)]
        except ValueError:
            raise ZMQError(Errno.EINVAL, f"unknown socket type {socket_type}") from None
        self.socket_type = info.type
        self.as_server = 0
        for spec in _SPECS:
            default = spec.default
            if isinstance(default, dict):
                default = dict(default)
            setattr(self, spec.attr, default)
        self.type = int(info.type)
        self.thread_safe = int(info.thread_safe)
        for attr, value in _TYPE_DEFAULTS.get(info.type, {}).items():
            setattr(self, attr, value)

    def copy(self) -> SocketOptions:
        """An independent copy (every value is immutable except ``metadata``, which is copied)."""
        clone = SocketOptions.__new__(SocketOptions)
        for attr in self.__slots__:
            setattr(clone, attr, getattr(self, attr))
        clone.metadata = dict(self.metadata)
        return clone

    def set(self, option: int, value: OptionValue) -> None:
        """``setsockopt``: validate ``value`` like libzmq and store it.

        Raises ``ZMQError(EINVAL)`` for an unknown or read-only option, an option this socket
        type does not take, or a value libzmq refuses; ``TypeError`` for a value of the wrong
        Python type (int for a bytes option…), like pyzmq.
        """
        spec = SOCKET_OPTIONS.get(int(option))
        if spec is None:
            if int(option) in _CONTEXT_ONLY:
                raise ZMQError(Errno.EINVAL, _CONTEXT_ONLY[int(option)])
            raise ZMQError(Errno.EINVAL, f"unknown socket option {option}")
        if spec.access == "unsupported":
            raise ZMQError(Errno.EINVAL, f"{_name(spec.option)}: {spec.reason}")
        if not spec.settable or spec.setter is None:
            raise ZMQError(Errno.EINVAL, f"{_name(spec.option)} is read-only")
        if spec.types is not None and self.socket_type not in spec.types:
            accepted = ", ".join(sorted(SocketType(t).name for t in spec.types))
            raise ZMQError(
                Errno.EINVAL,
                f"{_name(spec.option)} applies to {accepted} sockets, not {self.socket_type.name}",
            )
        spec.setter(self, spec, value)

    def get(self, option: int) -> int | bytes:
        """``getsockopt``: the value as libzmq reports it (bytes for binary and text options).

        Raises ``ZMQError(EINVAL)`` for unknown and set-only options, and for the socket-state
        options (RCVMORE, EVENTS, FD, TOPICS_COUNT) that the socket must answer itself.
        """
        opt = int(option)
        spec = SOCKET_OPTIONS.get(opt)
        if spec is None:
            raise ZMQError(Errno.EINVAL, f"unknown socket option {option}")
        if spec.access == "unsupported":
            raise ZMQError(Errno.EINVAL, f"{_name(opt)}: {spec.reason}")
        if spec.access == "state":
            raise ZMQError(
                Errno.EINVAL, f"{_name(opt)} is socket state: the socket answers it, not options"
            )
        if not spec.gettable:
            raise ZMQError(Errno.EINVAL, f"{_name(opt)} can be set but not read (as in libzmq)")
        if opt == Opt.IPV4ONLY:
            return 1 - self.ipv6
        if opt in (Opt.CURVE_PUBLICKEY, Opt.CURVE_SECRETKEY, Opt.CURVE_SERVERKEY):
            key: bytes = getattr(self, spec.attr)
            # libzmq keeps an all-zero array until a key is set.
            return key or bytes(CURVE_KEY_SIZE)
        value = getattr(self, spec.attr)
        assert isinstance(value, (int, bytes)), spec
        return value

    def __repr__(self) -> str:
        changed = []
        fresh = SocketOptions(self.socket_type)
        for attr in self.__slots__:
            if getattr(self, attr) != getattr(fresh, attr):
                changed.append(f"{attr}={getattr(self, attr)!r}")
        return (
            f"SocketOptions({self.socket_type.name}{', ' if changed else ''}{', '.join(changed)})"
        )


# ---------------------------------------------------------------------------------------------
# Context options (zmq_ctx_set / zmq_ctx_get), options.md §3.

C = ContextOption


_CONTEXT_ATTRS: dict[int, str] = {
    C.IO_THREADS: "io_threads",
    C.MAX_SOCKETS: "max_sockets",
    C.THREAD_SCHED_POLICY: "thread_sched_policy",
    C.MAX_MSGSZ: "max_msgsz",
    C.THREAD_NAME_PREFIX: "thread_name_prefix",
    C.ZERO_COPY_RECV: "zero_copy_recv",
    C.IPV6: "ipv6",
    C.BLOCKY: "blocky",
}


class ContextOptions:
    """Options of one Context, with libzmq's defaults and ``zmq_ctx_set`` validation."""

    __slots__ = (
        "blocky",
        "io_threads",
        "ipv6",
        "max_msgsz",
        "max_sockets",
        "thread_affinity_cpus",
        "thread_name_prefix",
        "thread_priority",
        "thread_sched_policy",
        "zero_copy_recv",
    )

    #: ``SOCKET_LIMIT``: the largest MAX_SOCKETS libzmq reports (read-only).
    SOCKET_LIMIT = 65535
    #: ``MSG_T_SIZE``: ``sizeof(zmq_msg_t)`` in libzmq (read-only, for pyzmq parity).
    MSG_T_SIZE = 64

    io_threads: int
    max_sockets: int
    thread_priority: int
    thread_sched_policy: int
    max_msgsz: int
    thread_affinity_cpus: frozenset[int]
    thread_name_prefix: int | bytes
    zero_copy_recv: int
    ipv6: int
    blocky: int

    def __init__(self) -> None:
        self.io_threads = 1
        self.max_sockets = 1023
        self.thread_priority = -1
        self.thread_sched_policy = -1
        self.max_msgsz = INT_MAX
        self.thread_affinity_cpus = frozenset()
        self.thread_name_prefix = 0
        self.zero_copy_recv = 1
        self.ipv6 = 0
        self.blocky = 1

    def copy(self) -> ContextOptions:
        clone = ContextOptions.__new__(ContextOptions)
        for attr in self.__slots__:
            setattr(clone, attr, getattr(self, attr))
        return clone

    @staticmethod
    def _int(option: int, value: OptionValue, lo: int) -> int:
        name = C(option).name
        if not isinstance(value, int):
            raise TypeError(f"context option {name} takes an int, not {type(value).__name__}")
        if not lo <= value <= INT_MAX:
            raise ZMQError(Errno.EINVAL, f"{name} must be an int >= {lo}, not {value!r}")
        return int(value)

    def set(self, option: int, value: OptionValue) -> None:
        """``zmq_ctx_set``: validate like libzmq's ``ctx.cpp`` and store."""
        opt = int(option)
        if opt == C.IO_THREADS:
            self.io_threads = self._int(opt, value, 0)
        elif opt == C.MAX_SOCKETS:
            self.max_sockets = self._int(opt, value, 1)
        elif opt == C.THREAD_PRIORITY:
            # Shares number 3 with SOCKET_LIMIT: set means THREAD_PRIORITY, get SOCKET_LIMIT.
            self.thread_priority = self._int(opt, value, 0)
        elif opt == C.THREAD_SCHED_POLICY:
            self.thread_sched_policy = self._int(opt, value, 0)
        elif opt == C.MAX_MSGSZ:
            self.max_msgsz = self._int(opt, value, 0)
        elif opt == C.THREAD_AFFINITY_CPU_ADD:
            self.thread_affinity_cpus = self.thread_affinity_cpus | {self._int(opt, value, 0)}
        elif opt == C.THREAD_AFFINITY_CPU_REMOVE:
            cpu = self._int(opt, value, 0)
            if cpu not in self.thread_affinity_cpus:
                raise ZMQError(Errno.EINVAL, f"CPU {cpu} is not in the thread affinity set")
            self.thread_affinity_cpus = self.thread_affinity_cpus - {cpu}
        elif opt == C.THREAD_NAME_PREFIX:
            if isinstance(value, str):
                value = value.encode("utf-8")
            if isinstance(value, bytes):
                self.thread_name_prefix = value
            else:
                self.thread_name_prefix = self._int(opt, value, INT_MIN)
        elif opt in (C.ZERO_COPY_RECV, C.IPV6, C.BLOCKY):
            flag = int(self._int(opt, value, INT_MIN) != 0)
            setattr(self, C(opt).name.lower(), flag)
        elif opt == C.MSG_T_SIZE:
            raise ZMQError(Errno.EINVAL, "MSG_T_SIZE is read-only")
        else:
            raise ZMQError(Errno.EINVAL, f"unknown context option {option}")

    def get(self, option: int) -> int | bytes:
        """``zmq_ctx_get``: the value as libzmq reports it."""
        opt = int(option)
        if opt == C.SOCKET_LIMIT:
            return self.SOCKET_LIMIT
        if opt == C.MSG_T_SIZE:
            return self.MSG_T_SIZE
        if opt in (C.THREAD_AFFINITY_CPU_ADD, C.THREAD_AFFINITY_CPU_REMOVE):
            raise ZMQError(Errno.EINVAL, f"{C(opt).name} can be set but not read")
        attr = _CONTEXT_ATTRS.get(opt)
        if attr is None:
            raise ZMQError(Errno.EINVAL, f"unknown context option {option}")
        value: int | bytes = getattr(self, attr)
        return value


__all__ = [
    "OptionValue",
    "OptionSpec",
    "SOCKET_OPTIONS",
    "SOCKET_STATE_OPTIONS",
    "PATTERN_OPTIONS",
    "SocketOptions",
    "ContextOptions",
    "option_type",
    "decode_curve_key",
]
