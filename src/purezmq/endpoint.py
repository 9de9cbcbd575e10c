"""Endpoint strings (``tcp://host:port`` …) parsed into frozen dataclasses, and back.

Layer 0, standard library only: this module reads strings and nothing else. It never resolves a
host name, looks up an interface, or touches the file system: that is each transport's job. It
exists so that every malformed endpoint is refused in one place, before any I/O, with an errno
equal to libzmq's and a message that says what to write instead (docs/protocol/transports.md).

Where libzmq silently accepts nonsense (``tcp://h:70000`` binds to port 4464, ``tcp://h:5555/``
binds, a source address on bind is ignored) purezmq refuses with EINVAL: every endpoint libzmq
refuses is refused here too, never the other way round except for those documented cases.

``str(endpoint)`` is the canonical spelling; with a resolved port (``dataclasses.replace``) it is
what ``LAST_ENDPOINT`` reports.
"""

from __future__ import annotations

import errno as _errno
from dataclasses import dataclass
from typing import ClassVar, Union

from .constants import IPC_PATH_MAX_LEN, Errno
from .error import ZMQError

#: Transports purezmq implements, in the order error messages list them.
SUPPORTED_SCHEMES = ("tcp", "ipc", "inproc", "ws", "wss", "udp", "pgm", "epgm")
#: Transports libzmq knows that purezmq does not implement (transports.md §7).
_UNIMPLEMENTED_SCHEMES = ("norm", "tipc", "vmci", "vsock")
#: The wildcard that means "all interfaces" (host) or "any free port" (port) on bind.
WILDCARD = "*"
_MAX_PORT = 65535


def _bracket(host: str) -> str:
    """IPv6 literals are written in brackets so the port separator stays unambiguous."""
    return f"[{host}]" if ":" in host else host


@dataclass(frozen=True, slots=True)
class TcpEndpoint:
    """``tcp://[source;]host:port`` — ``host`` may be ``*``, an IP literal, a name or an interface.

    ``port`` 0 means "any free port" (bind only; ``*`` is parsed to 0). ``source_host`` is the
    optional local address a connect binds to first (``None`` = let the OS choose).
    """

    host: str
    port: int
    source_host: str | None = None
    source_port: int = 0
    #: ``host`` is an IPv6 literal (it needs ZMQ_IPV6=1 and brackets when printed).
    ipv6: bool = False

    scheme: ClassVar[str] = "tcp"

    def __str__(self) -> str:
        source = ""
        if self.source_host is not None:
            source = f"{_bracket(self.source_host)}:{self.source_port};"
        return f"tcp://{source}{_bracket(self.host)}:{self.port}"


@dataclass(frozen=True, slots=True)
class IpcEndpoint:
    """``ipc://path``, ``ipc://@name`` (Linux abstract namespace) or ``ipc://*`` (bind only).

    For an abstract endpoint ``path`` is the name *without* the ``@``.
    """

    path: str
    abstract: bool = False

    scheme: ClassVar[str] = "ipc"

    @property
    def random(self) -> bool:
        """``ipc://*``: the transport picks a fresh private path on bind."""
        return self.path == WILDCARD and not self.abstract

    @property
    def address(self) -> str:
        """The ``AF_UNIX`` address to pass to ``socket.bind``/``connect``.

        Abstract names get a leading NUL and no trailing one: libzmq passes exactly the bytes
        after ``@`` to the kernel (transports.md §2), and Python's socket module does the same
        for a str starting with ``"\\0"``.
        """
        return "\0" + self.path if self.abstract else self.path

    def __str__(self) -> str:
        return f"ipc://@{self.path}" if self.abstract else f"ipc://{self.path}"


@dataclass(frozen=True, slots=True)
class InprocEndpoint:
    """``inproc://name`` — any non-empty name, unique within a Context."""

    name: str

    scheme: ClassVar[str] = "inproc"

    def __str__(self) -> str:
        return f"inproc://{self.name}"


@dataclass(frozen=True, slots=True)
class WsEndpoint:
    """``ws://host:port[/path]`` or ``wss://…`` (RFC 45); ``path`` defaults to ``/``."""

    secure: bool
    host: str
    port: int
    path: str = "/"
    ipv6: bool = False

    @property
    def scheme(self) -> str:
        return "wss" if self.secure else "ws"

    def __str__(self) -> str:
        return f"{self.scheme}://{_bracket(self.host)}:{self.port}{self.path}"


@dataclass(frozen=True, slots=True)
class UdpEndpoint:
    """``udp://[iface;]host:port`` (RADIO/DISH, DGRAM).

    ``multicast`` is True when ``host`` is a multicast group literal; only then may ``interface``
    name the interface that joins or sends to it.
    """

    host: str
    port: int
    interface: str | None = None
    multicast: bool = False
    ipv6: bool = False

    scheme: ClassVar[str] = "udp"

    def __str__(self) -> str:
        iface = f"{self.interface};" if self.interface is not None else ""
        return f"udp://{iface}{_bracket(self.host)}:{self.port}"


@dataclass(frozen=True, slots=True)
class PgmEndpoint:
    """``pgm://iface;group:port`` or ``epgm://…`` (RFC 3208 multicast, PUB/SUB only).

    ``interface`` is OpenPGM's network specification before the ``;`` (a name, an address, or
    empty for the default interface); ``group`` is everything between ``;`` and the last ``:``.
    """

    epgm: bool
    interface: str
    group: str
    port: int

    @property
    def scheme(self) -> str:
        return "epgm" if self.epgm else "pgm"

    def __str__(self) -> str:
        return f"{self.scheme}://{self.interface};{self.group}:{self.port}"


Endpoint = Union[TcpEndpoint, IpcEndpoint, InprocEndpoint, WsEndpoint, UdpEndpoint, PgmEndpoint]


def _invalid(endpoint: str, what: str) -> ZMQError:
    """EINVAL whose message reads "tcp endpoint 'tcp://h' has no port: use …"."""
    scheme = endpoint.partition("://")[0] if "://" in endpoint else ""
    prefix = f"{scheme} endpoint" if scheme else "endpoint"
    return ZMQError(Errno.EINVAL, f"{prefix} {endpoint!r} {what}")


def _parse_port(text: str, endpoint: str, usage: str, *, for_bind: bool, wildcard: bool) -> int:
    if text == WILDCARD:
        if not wildcard:
            raise _invalid(endpoint, f"uses port *, which is not allowed here: use {usage}")
        if not for_bind:
            raise _invalid(endpoint, "uses port * (any free port), which only works with bind()")
        return 0
    if not text:
        raise _invalid(endpoint, f"has no port: use {usage}")
    # Digits only: int() would also take "+5", " 5" and "5_5", which are typos, not ports.
    if not text.isascii() or not text.isdigit():
        raise _invalid(endpoint, f"has port {text!r}, which is not a number: use {usage}")
    port = int(text)
    if port > _MAX_PORT:
        raise _invalid(endpoint, f"has port {port}, out of range 0..{_MAX_PORT}")
    return port


def _check_host(host: str, endpoint: str, usage: str) -> None:
    if not host:
        raise _invalid(endpoint, f"has no host: use {usage}")
    for ch in host:
        if ch.isspace() or ch in "/;[]@":
            raise _invalid(endpoint, f"has host {host!r}, which contains {ch!r}: use {usage}")


def _split_host_port(
    text: str, endpoint: str, usage: str, *, for_bind: bool, wildcard_port: bool
) -> tuple[str, int, bool]:
    """``host:port``, ``[v6]:port`` or bare ``v6:port`` → (host, port, is IPv6 literal)."""
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise _invalid(endpoint, f"never closes its '[': use {usage}")
        host = text[1:close]
        rest = text[close + 1 :]
        if not rest.startswith(":"):
            what = "has no port" if not rest else f"has {rest!r} after ']' instead of :port"
            raise _invalid(endpoint, f"{what}: use {usage}")
        port_text = rest[1:]
        if not host:
            raise _invalid(endpoint, f"has no address inside '[]': use {usage}")
        # Zone ids (fe80::1%eth0) are kept verbatim; the transport resolves them.
        literal = host.split("%", 1)[0]
        import ipaddress  # IPv6 literals only: the module costs ~1 ms to import

        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            raise _invalid(endpoint, f"has {host!r} in brackets, not an IPv6 address") from None
        port = _parse_port(port_text, endpoint, usage, for_bind=for_bind, wildcard=wildcard_port)
        return host, port, True
    host, sep, port_text = text.rpartition(":")
    if not sep:
        raise _invalid(endpoint, f"has no port: use {usage}")
    ipv6 = ":" in host
    if ipv6:
        # libzmq also takes an unbracketed IPv6 literal, the port being after the last ':'.
        import ipaddress

        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            raise _invalid(
                endpoint, f"has {host!r}, which is not a host name or address: use {usage}"
            ) from None
    else:
        _check_host(host, endpoint, usage)
    port = _parse_port(port_text, endpoint, usage, for_bind=for_bind, wildcard=wildcard_port)
    return host, port, ipv6


def _is_multicast(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_multicast
    except ValueError:
        return False


def _parse_tcp(address: str, endpoint: str, for_bind: bool) -> TcpEndpoint:
    usage = "tcp://host:port" if not for_bind else "tcp://interface:port (or tcp://*:*)"
    source_host: str | None = None
    source_port = 0
    # The source part is split at the last ';' like libzmq (tcp_address.cpp), so that only the
    # peer part follows it.
    if ";" in address:
        if for_bind:
            raise _invalid(
                endpoint, "has a source address ('src;'), which only works with connect()"
            )
        source, _, address = address.rpartition(";")
        if not source:
            raise _invalid(endpoint, "has an empty source before ';': use tcp://src:port;host:port")
        if ":" in source:
            source_host, source_port, _ = _split_host_port(
                source, endpoint, "tcp://src:port;host:port", for_bind=True, wildcard_port=True
            )
        else:
            _check_host(source, endpoint, "tcp://src:port;host:port")
            source_host = source
    host, port, ipv6 = _split_host_port(
        address, endpoint, usage, for_bind=for_bind, wildcard_port=True
    )
    if host == WILDCARD and not for_bind:
        raise _invalid(
            endpoint,
            "uses host * (all interfaces), which only works with bind(): use tcp://host:port",
        )
    return TcpEndpoint(host, port, source_host, source_port, ipv6)


def _parse_ipc(address: str, endpoint: str, for_bind: bool) -> IpcEndpoint:
    if not address:
        raise _invalid(endpoint, "has no path: use ipc:///path/to/socket or ipc://@name")
    abstract = address.startswith("@")
    if abstract and len(address) == 1:
        raise _invalid(endpoint, "has an empty abstract name after '@': use ipc://@name")
    if address == WILDCARD and not for_bind:
        raise _invalid(endpoint, "asks for a fresh random path, which only works with bind()")
    size = len(address.encode("utf-8", "surrogateescape"))
    if size > IPC_PATH_MAX_LEN:
        # libzmq answers ENAMETOOLONG here (sockaddr_un.sun_path holds 107 bytes plus NUL).
        raise ZMQError(
            _errno.ENAMETOOLONG,
            f"ipc path {address!r} is {size} bytes, the limit is {IPC_PATH_MAX_LEN}",
        )
    return IpcEndpoint(address[1:] if abstract else address, abstract)


def _parse_inproc(address: str, endpoint: str) -> InprocEndpoint:
    if not address:
        raise _invalid(endpoint, "has no name: use inproc://name")
    return InprocEndpoint(address)


def _parse_ws(scheme: str, address: str, endpoint: str, for_bind: bool) -> WsEndpoint:
    usage = f"{scheme}://host:port[/path]"
    slash = address.find("/")
    path = "/"
    if slash >= 0:
        address, path = address[:slash], address[slash:]
    host, port, ipv6 = _split_host_port(
        address, endpoint, usage, for_bind=for_bind, wildcard_port=True
    )
    if host == WILDCARD and not for_bind:
        raise _invalid(endpoint, f"uses host *, which only works with bind(): use {usage}")
    if any(ch.isspace() for ch in path):
        raise _invalid(endpoint, f"has path {path!r}, which contains white space")
    return WsEndpoint(scheme == "wss", host, port, path, ipv6)


def _parse_udp(address: str, endpoint: str, for_bind: bool) -> UdpEndpoint:
    usage = "udp://host:port or udp://iface;group:port"
    interface: str | None = None
    if ";" in address:
        # The interface ends at the last ';' (libzmq ``udp_address_t::resolve``).
        interface, _, address = address.rpartition(";")
        _check_host(interface, endpoint, usage)
    host, port, ipv6 = _split_host_port(
        address, endpoint, usage, for_bind=for_bind, wildcard_port=False
    )
    if host == WILDCARD and not for_bind:
        raise _invalid(
            endpoint, "uses host *, which only works with bind() (a DISH): use udp://host:port"
        )
    multicast = _is_multicast(host)
    if interface is not None and not multicast:
        raise _invalid(
            endpoint,
            f"names an interface ('{interface};'), which is only allowed before a multicast "
            f"group, and {host!r} is not one",
        )
    return UdpEndpoint(host, port, interface, multicast, ipv6)


def _parse_pgm(scheme: str, address: str, endpoint: str) -> PgmEndpoint:
    usage = f"{scheme}://interface;group:port"
    interface, sep, rest = address.partition(";")
    if not sep:
        raise _invalid(endpoint, f"has no ';' between interface and group: use {usage}")
    # OpenPGM's network specification: the port is after the last ':' (transports.md §6).
    group, sep, port_text = rest.rpartition(":")
    if not sep:
        raise _invalid(endpoint, f"has no port: use {usage}")
    if not group:
        raise _invalid(endpoint, f"has no multicast group: use {usage}")
    port = _parse_port(port_text, endpoint, usage, for_bind=False, wildcard=False)
    if port == 0:
        raise _invalid(endpoint, "has port 0, which is not a multicast port: use 1..65535")
    return PgmEndpoint(scheme == "epgm", interface, group, port)


def parse(endpoint: str, *, for_bind: bool) -> Endpoint:
    """Parse an endpoint string for ``bind()`` (``for_bind=True``) or ``connect()``.

    Raises ``ZMQError``: EPROTONOSUPPORT for an unknown transport, ENAMETOOLONG for an ipc path
    longer than the OS allows, EINVAL for anything else that is malformed.
    """
    if not isinstance(endpoint, str):
        raise TypeError(f"endpoint must be str, not {type(endpoint).__name__}")
    scheme, sep, address = endpoint.partition("://")
    if not sep:
        raise _invalid(endpoint, "has no '://': use transport://address, e.g. tcp://host:port")
    if scheme == "tcp":
        return _parse_tcp(address, endpoint, for_bind)
    if scheme == "ipc":
        return _parse_ipc(address, endpoint, for_bind)
    if scheme == "inproc":
        return _parse_inproc(address, endpoint)
    if scheme in ("ws", "wss"):
        return _parse_ws(scheme, address, endpoint, for_bind)
    if scheme == "udp":
        return _parse_udp(address, endpoint, for_bind)
    if scheme in ("pgm", "epgm"):
        return _parse_pgm(scheme, address, endpoint)
    supported = ", ".join(SUPPORTED_SCHEMES)
    if scheme in _UNIMPLEMENTED_SCHEMES:
        why = f"purezmq does not implement the {scheme}:// transport"
    else:
        why = f"unknown transport {scheme!r}"
    # libzmq answers EPROTONOSUPPORT (transports.md §0); transport names are case-sensitive.
    raise ZMQError(Errno.EPROTONOSUPPORT, f"endpoint {endpoint!r}: {why}; supported: {supported}")


__all__ = [
    "SUPPORTED_SCHEMES",
    "WILDCARD",
    "Endpoint",
    "TcpEndpoint",
    "IpcEndpoint",
    "InprocEndpoint",
    "WsEndpoint",
    "UdpEndpoint",
    "PgmEndpoint",
    "parse",
]
