"""Socket and context options: defaults, validation and read-back, checked against libzmq."""

from __future__ import annotations

import pytest

from purezmq import z85
from purezmq.constants import ContextOption, Errno, SecurityMechanism, SocketOption, SocketType
from purezmq.error import ZMQError
from purezmq.options import (
    PATTERN_OPTIONS,
    SOCKET_OPTIONS,
    SOCKET_STATE_OPTIONS,
    ContextOptions,
    SocketOptions,
    option_type,
)

O = SocketOption  # noqa: E741
T = SocketType
KEY_HEX = "8E0BDD697628B91D8F245587EE95C5B04D48963F79259877B49CD9063AEAD3B7"
KEY_Z85 = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"


def einval(opts: SocketOptions, option: int, value: object, words: str = "") -> ZMQError:
    with pytest.raises(ZMQError) as info:
        opts.set(option, value)  # type: ignore[arg-type]
    assert info.value.errno == Errno.EINVAL
    assert words in str(info.value)
    return info.value


# --- the table itself -------------------------------------------------------------------------


def test_every_socket_option_has_a_spec_and_attribute() -> None:
    for opt in SocketOption:
        if opt == O.BLOCKY:  # a context option that pyzmq also lists among socket options
            continue
        spec = SOCKET_OPTIONS[opt]
        assert spec.option == opt
        assert hasattr(SocketOptions(T.DEALER), spec.attr), opt.name


def test_attributes_are_named_after_options() -> None:
    opts = SocketOptions(T.DEALER)
    for opt in SocketOption:
        if opt in (O.HWM, O.IPV4ONLY, O.BLOCKY):
            continue
        canonical = SocketOption(int(opt)).name.lower()  # aliases resolve to the canonical name
        assert SOCKET_OPTIONS[opt].attr == canonical
        assert hasattr(opts, canonical)


def test_slots_only() -> None:
    opts = SocketOptions(T.PAIR)
    with pytest.raises(AttributeError):
        opts.no_such_option = 1  # type: ignore[attr-defined]


def test_contract_attributes() -> None:
    # docs/contracts.md names these; the engine and patterns read them directly.
    opts = SocketOptions(T.XPUB)
    assert opts.routing_id == b""
    assert opts.xpub_welcome_msg is None
    for attr in (
        "router_mandatory",
        "req_relaxed",
        "req_correlate",
        "xpub_verbose",
        "xpub_verboser",
        "xpub_manual",
        "xpub_nodrop",
        "invert_matching",
        "conflate",
        "probe_router",
        "router_handover",
        "immediate",
        "heartbeat_ivl",
    ):
        assert getattr(opts, attr) == 0, attr
    assert opts.stream_notify == 1
    assert opts.heartbeat_ttl == 0
    assert opts.heartbeat_timeout == -1
    assert opts.handshake_ivl == 30000
    assert opts.maxmsgsize == -1
    assert (opts.sndhwm, opts.rcvhwm, opts.linger) == (1000, 1000, -1)
    assert opts.reconnect_ivl == 100


@pytest.mark.parametrize("socket_type", [T.SUB, T.XSUB, T.DISH])
def test_subscribers_linger_zero(socket_type: SocketType) -> None:
    assert SocketOptions(socket_type).linger == 0
    assert SocketOptions(socket_type).get(O.LINGER) == 0


def test_unknown_socket_type() -> None:
    with pytest.raises(ZMQError) as info:
        SocketOptions(99)
    assert info.value.errno == Errno.EINVAL


def test_option_type() -> None:
    assert option_type(O.SNDHWM) == "int"
    assert option_type(O.AFFINITY) == "int"
    assert option_type(O.MAXMSGSIZE) == "int"
    assert option_type(O.ROUTING_ID) == "bytes"
    assert option_type(O.CURVE_SERVERKEY) == "bytes"
    assert option_type(O.SUBSCRIBE) == "bytes"
    assert option_type(O.PLAIN_USERNAME) == "str"
    assert option_type(O.ZAP_DOMAIN) == "str"
    assert option_type(O.LAST_ENDPOINT) == "str"
    assert option_type(O.HWM) == "int"
    with pytest.raises(ZMQError, match="unknown socket option 9999"):
        option_type(9999)


def test_state_and_pattern_option_sets() -> None:
    assert {O.RCVMORE, O.FD, O.EVENTS, O.TOPICS_COUNT} == SOCKET_STATE_OPTIONS
    assert {O.SUBSCRIBE, O.ROUTER_MANDATORY, O.XPUB_WELCOME_MSG, O.STREAM_NOTIFY} <= PATTERN_OPTIONS
    assert O.SNDHWM not in PATTERN_OPTIONS


# --- set / get ------------------------------------------------------------------------------


def test_unknown_and_read_only() -> None:
    opts = SocketOptions(T.DEALER)
    einval(opts, 9999, 1, "unknown socket option 9999")
    for opt in (O.TYPE, O.MECHANISM, O.LAST_ENDPOINT, O.THREAD_SAFE):
        einval(opts, opt, 1, "read-only")
    for opt in (O.RCVMORE, O.EVENTS, O.FD, O.TOPICS_COUNT):
        einval(opts, opt, 1)
        with pytest.raises(ZMQError, match="socket state"):
            opts.get(opt)
    einval(opts, O.BLOCKY, 1, "context option")
    einval(opts, O.GSSAPI_SERVER, 1, "GSSAPI")
    einval(opts, O.NORM_MODE, 1, "norm")
    with pytest.raises(ZMQError, match="unknown socket option"):
        opts.get(9999)
    with pytest.raises(ZMQError, match="can be set but not read"):
        opts.get(O.SUBSCRIBE)


def test_type_errors_like_pyzmq() -> None:
    opts = SocketOptions(T.DEALER)
    with pytest.raises(TypeError):
        opts.set(O.SNDHWM, b"1")
    with pytest.raises(TypeError):
        opts.set(O.ROUTING_ID, 5)
    # Text is accepted for bytes/str options (setsockopt_string encodes it as UTF-8).
    opts.set(O.ROUTING_ID, "é")
    assert opts.routing_id == "é".encode()


def test_out_of_int_range() -> None:
    opts = SocketOptions(T.DEALER)
    einval(opts, O.SNDHWM, 2**31, "-2147483648..2147483647")
    opts.set(O.MAXMSGSIZE, 2**63 - 1)
    einval(opts, O.MAXMSGSIZE, 2**63)
    opts.set(O.AFFINITY, 2**64 - 1)
    assert opts.get(O.AFFINITY) == 2**64 - 1


def test_hwm_sets_both() -> None:
    opts = SocketOptions(T.PUSH)
    opts.set(O.HWM, 7)
    assert (opts.sndhwm, opts.rcvhwm, opts.get(O.HWM)) == (7, 7, 7)
    einval(opts, O.HWM, -1, "HWM")


def test_ipv4only_is_inverse_of_ipv6() -> None:
    opts = SocketOptions(T.PUSH)
    assert opts.get(O.IPV4ONLY) == 1
    opts.set(O.IPV4ONLY, 0)
    assert (opts.ipv6, opts.get(O.IPV6), opts.get(O.IPV4ONLY)) == (1, 1, 0)
    opts.set(O.IPV6, 0)
    assert opts.get(O.IPV4ONLY) == 1


def test_heartbeat_ttl_rounding() -> None:
    opts = SocketOptions(T.DEALER)
    for given, stored in [(150, 100), (-99, 0), (6553599, 6553500), (0, 0), (1000, 1000)]:
        opts.set(O.HEARTBEAT_TTL, given)
        assert opts.heartbeat_ttl == stored == opts.get(O.HEARTBEAT_TTL)
    einval(opts, O.HEARTBEAT_TTL, 6553600, "HEARTBEAT_TTL")
    einval(opts, O.HEARTBEAT_TTL, -100)


def test_mechanism_follows_security_options() -> None:
    opts = SocketOptions(T.DEALER)
    assert opts.get(O.MECHANISM) == SecurityMechanism.NULL
    opts.set(O.PLAIN_USERNAME, b"admin")
    assert (opts.get(O.MECHANISM), opts.as_server) == (SecurityMechanism.PLAIN, 0)
    opts.set(O.PLAIN_USERNAME, None)
    assert opts.get(O.MECHANISM) == SecurityMechanism.NULL
    opts.set(O.PLAIN_SERVER, 1)
    assert (opts.get(O.MECHANISM), opts.as_server) == (SecurityMechanism.PLAIN, 1)
    opts.set(O.CURVE_SERVER, 1)
    assert (opts.get(O.MECHANISM), opts.as_server) == (SecurityMechanism.CURVE, 1)
    opts.set(O.CURVE_SERVERKEY, KEY_Z85)
    assert (opts.get(O.MECHANISM), opts.as_server) == (SecurityMechanism.CURVE, 0)
    opts.set(O.CURVE_SERVER, 0)
    assert opts.get(O.MECHANISM) == SecurityMechanism.NULL


@pytest.mark.parametrize(
    "value",
    [bytes.fromhex(KEY_HEX), KEY_Z85, KEY_Z85.encode(), KEY_Z85.encode() + b"\0"],
)
def test_curve_key_formats(value: bytes | str) -> None:
    opts = SocketOptions(T.DEALER)
    assert opts.get(O.CURVE_SECRETKEY) == bytes(32)
    opts.set(O.CURVE_SECRETKEY, value)
    assert opts.curve_secretkey == bytes.fromhex(KEY_HEX) == opts.get(O.CURVE_SECRETKEY)
    assert opts.get(O.MECHANISM) == SecurityMechanism.CURVE


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (b"x" * 31, "32 bytes"),
        (b"x" * 33, "32 bytes"),
        (KEY_Z85.encode() + b"x", "32 bytes"),
        (b" " * 40, "not a valid Z85 key"),
        (b"%nSc1" * 8, "larger than 32 bits"),
        (b"", "32 bytes"),
    ],
)
def test_curve_key_rejects(value: bytes, words: str) -> None:
    opts = SocketOptions(T.DEALER)
    einval(opts, O.CURVE_PUBLICKEY, value, words)
    assert opts.get(O.MECHANISM) == SecurityMechanism.NULL


def test_routing_id_bounds() -> None:
    opts = SocketOptions(T.DEALER)
    einval(opts, O.ROUTING_ID, b"", "1..255 bytes")
    einval(opts, O.ROUTING_ID, b"x" * 256, "1..255 bytes")
    opts.set(O.IDENTITY, b"\x00abc")
    assert opts.get(O.ROUTING_ID) == b"\x00abc"


def test_string_options() -> None:
    opts = SocketOptions(T.DEALER)
    opts.set(O.ZAP_DOMAIN, "global")
    assert opts.get(O.ZAP_DOMAIN) == b"global"
    einval(opts, O.ZAP_DOMAIN, b"x" * 256, "1..255")
    einval(opts, O.ZAP_DOMAIN, b"", "use None to clear")
    opts.set(O.ZAP_DOMAIN, None)
    assert opts.zap_domain == b""
    opts.set(O.BINDTODEVICE, b"x" * 16)
    einval(opts, O.BINDTODEVICE, b"x" * 17)
    opts.set(O.SOCKS_USERNAME, b"")
    opts.set(O.SOCKS_PROXY, b"proxy:1080")
    assert opts.get(O.SOCKS_PROXY) == b"proxy:1080"


def test_metadata() -> None:
    opts = SocketOptions(T.DEALER)
    opts.set(O.METADATA, b"X-App:one")
    opts.set(O.METADATA, "X-Host:a:b")
    opts.set(O.METADATA, b"X-App:two")  # std::map::insert keeps the first value
    assert opts.metadata == {b"X-App": b"one", b"X-Host": b"a:b"}
    for bad in (b"", b"X-a:", b":b", b"Y-a:b", b"X-:b", b"abcd"):
        einval(opts, O.METADATA, bad, "METADATA")
    with pytest.raises(ZMQError, match="can be set but not read"):
        opts.get(O.METADATA)


def test_accept_and_ipc_filters() -> None:
    opts = SocketOptions(T.ROUTER)
    opts.set(O.TCP_ACCEPT_FILTER, b"127.0.0.1")
    opts.set(O.TCP_ACCEPT_FILTER, b"10.0.0.0/8")
    filters: tuple[bytes, ...] = opts.tcp_accept_filter
    assert filters == (b"127.0.0.1", b"10.0.0.0/8")
    for bad in (b"", b"10.0.0.0/33", b"localhost", b"garbage", b"::1"):
        einval(opts, O.TCP_ACCEPT_FILTER, bad, "TCP_ACCEPT_FILTER")
    opts.set(O.IPV6, 1)
    opts.set(O.TCP_ACCEPT_FILTER, b"::1")
    opts.set(O.TCP_ACCEPT_FILTER, None)
    assert len(opts.tcp_accept_filter) == 0
    opts.set(O.IPC_FILTER_UID, 1000)
    opts.set(O.IPC_FILTER_UID, 0)
    assert opts.ipc_filter_uid == (1000, 0)


def test_pattern_options_by_socket_type() -> None:
    einval(SocketOptions(T.PUB), O.ROUTER_MANDATORY, 1, "applies to REP, ROUTER sockets, not PUB")
    SocketOptions(T.REP).set(O.ROUTER_MANDATORY, 1)
    einval(SocketOptions(T.DEALER), O.REQ_RELAXED, 1, "not DEALER")
    einval(SocketOptions(T.PUSH), O.SUBSCRIBE, b"", "not PUSH")
    sub = SocketOptions(T.SUB)
    sub.set(O.SUBSCRIBE, b"topic")
    assert sub.subscribe == b"topic"
    xpub = SocketOptions(T.XPUB)
    einval(xpub, O.SUBSCRIBE, b"x", "needs XPUB_MANUAL=1")
    xpub.set(O.XPUB_MANUAL, 1)
    xpub.set(O.SUBSCRIBE, b"x")
    xpub.set(O.XPUB_WELCOME_MSG, b"hi")
    assert xpub.xpub_welcome_msg == b"hi"
    xpub.set(O.XPUB_WELCOME_MSG, b"")
    assert getattr(xpub, "xpub_welcome_msg") is None  # noqa: B009 (mypy narrowed it to bytes)
    radio = SocketOptions(T.RADIO)
    radio.set(O.XPUB_NODROP, 1)
    assert radio.xpub_nodrop == 1
    stream = SocketOptions(T.STREAM)
    einval(stream, O.STREAM_NOTIFY, 2, "0 or 1")
    stream.set(O.STREAM_NOTIFY, 0)
    router = SocketOptions(T.ROUTER)
    router.set(O.ROUTER_MANDATORY, 5)
    assert router.router_mandatory == 1
    router.set(O.CONNECT_RID, b"x" * 300)
    assert router.connect_routing_id == b"x" * 300
    einval(router, O.CONNECT_ROUTING_ID, b"")


def test_relaxed_booleans_read_back_as_one() -> None:
    opts = SocketOptions(T.SUB)
    for opt in (O.INVERT_MATCHING, O.ZAP_ENFORCE_DOMAIN, O.LOOPBACK_FASTPATH, O.MULTICAST_LOOP):
        opts.set(opt, -2)
        assert opts.get(opt) == 1
        opts.set(opt, 0)
        assert opts.get(opt) == 0


def test_draft_options_accepted() -> None:
    opts = SocketOptions(T.ROUTER)
    opts.set(O.ROUTER_NOTIFY, 3)
    einval(opts, O.ROUTER_NOTIFY, 4)
    opts.set(O.IN_BATCH_SIZE, 1)
    einval(opts, O.OUT_BATCH_SIZE, 0)
    opts.set(O.HELLO_MSG, b"hello")
    assert opts.hello_msg == b"hello"
    opts.set(O.WSS_HOSTNAME, "example.com")
    assert opts.wss_hostname == b"example.com"
    einval(opts, O.PRIORITY, -1)


def test_copy_is_independent() -> None:
    opts = SocketOptions(T.DEALER)
    opts.set(O.METADATA, b"X-a:1")
    opts.set(O.SNDHWM, 5)
    clone = opts.copy()
    clone.set(O.SNDHWM, 6)
    clone.set(O.METADATA, b"X-b:2")
    assert opts.sndhwm == 5 and clone.sndhwm == 6
    assert opts.metadata == {b"X-a": b"1"}
    assert clone.metadata == {b"X-a": b"1", b"X-b": b"2"}
    assert clone.socket_type == T.DEALER
    assert "sndhwm=5" in repr(opts)


# --- context options ---------------------------------------------------------------------------

C = ContextOption


def test_context_defaults_and_validation() -> None:
    ctx = ContextOptions()
    expected = {
        C.IO_THREADS: 1,
        C.MAX_SOCKETS: 1023,
        C.SOCKET_LIMIT: 65535,
        C.THREAD_SCHED_POLICY: -1,
        C.MAX_MSGSZ: 2**31 - 1,
        C.MSG_T_SIZE: 64,
        C.THREAD_NAME_PREFIX: 0,
        C.ZERO_COPY_RECV: 1,
        C.IPV6: 0,
        C.BLOCKY: 1,
    }
    for opt, value in expected.items():
        assert ctx.get(opt) == value, opt
    ctx.set(C.IO_THREADS, 0)
    assert ctx.io_threads == 0
    ctx.set(C.THREAD_PRIORITY, 5)
    assert ctx.thread_priority == 5
    assert ctx.get(C.SOCKET_LIMIT) == 65535  # number 3 reads SOCKET_LIMIT
    ctx.set(C.IPV6, 2)
    assert ctx.get(C.IPV6) == 1
    ctx.set(C.THREAD_AFFINITY_CPU_ADD, 1)
    ctx.set(C.THREAD_AFFINITY_CPU_REMOVE, 1)
    clone = ctx.copy()
    assert clone.ipv6 == 1
    bad: list[tuple[int, int]] = [
        (C.IO_THREADS, -1),
        (C.MAX_SOCKETS, 0),
        (C.MAX_MSGSZ, -1),
        (C.THREAD_SCHED_POLICY, -1),
        (C.MSG_T_SIZE, 1),
        (C.THREAD_AFFINITY_CPU_REMOVE, 3),
        (999, 1),
    ]
    for bad_opt, value in bad:
        with pytest.raises(ZMQError) as info:
            ctx.set(bad_opt, value)
        assert info.value.errno == Errno.EINVAL
    with pytest.raises(ZMQError):
        ctx.get(C.THREAD_AFFINITY_CPU_ADD)
    with pytest.raises(ZMQError):
        ctx.get(999)
    with pytest.raises(TypeError):
        ctx.set(C.IO_THREADS, b"1")


# --- against libzmq ------------------------------------------------------------------------------

zmq = pytest.importorskip("zmq")

STABLE_TYPES = [
    T.PAIR,
    T.PUB,
    T.SUB,
    T.REQ,
    T.REP,
    T.DEALER,
    T.ROUTER,
    T.PULL,
    T.PUSH,
    T.XPUB,
    T.XSUB,
    T.STREAM,
]
# pyzmq reads these through a 255-byte buffer, which libzmq refuses for CURVE keys; the rest are
# draft options libzmq 4.3.5 wheels leave out but purezmq implements; MAX_HANDSHAKES is
# purezmq's own (libzmq has no such option).
NOT_COMPARABLE = {
    O.MAX_HANDSHAKES,
    O.CURVE_PUBLICKEY,
    O.CURVE_SECRETKEY,
    O.CURVE_SERVERKEY,
    O.ROUTER_NOTIFY,
    O.IN_BATCH_SIZE,
    O.OUT_BATCH_SIZE,
    O.PRIORITY,
    O.HWM,
}
DRAFT_SETTABLE = {
    O.MAX_HANDSHAKES,
    O.ROUTER_NOTIFY,
    O.IN_BATCH_SIZE,
    O.OUT_BATCH_SIZE,
    O.WSS_KEY_PEM,
    O.WSS_CERT_PEM,
    O.WSS_TRUST_PEM,
    O.WSS_HOSTNAME,
    O.WSS_TRUST_SYSTEM,
    O.HELLO_MSG,
    O.DISCONNECT_MSG,
    O.PRIORITY,
    O.BUSY_POLL,
    O.HICCUP_MSG,
    O.XSUB_VERBOSE_UNSUBSCRIBE,
    O.HWM,
}


@pytest.fixture(scope="module")
def ctx():
    context = zmq.Context()
    yield context
    context.term()


@pytest.mark.interop
@pytest.mark.parametrize("socket_type", STABLE_TYPES, ids=lambda t: t.name)
def test_defaults_match_libzmq(ctx, socket_type: SocketType) -> None:
    ours = SocketOptions(socket_type)
    sock = ctx.socket(socket_type)
    try:
        compared = 0
        for opt in sorted(set(SocketOption)):
            if opt in NOT_COMPARABLE or opt in SOCKET_STATE_OPTIONS or opt == O.FD:
                continue
            try:
                theirs = sock.getsockopt(opt)
            except zmq.ZMQError as exc:
                assert exc.errno == Errno.EINVAL
                with pytest.raises(ZMQError):
                    ours.get(opt)
                continue
            assert ours.get(opt) == theirs, opt.name
            compared += 1
        assert compared >= 50
    finally:
        sock.close(linger=0)


def _probe(ctx, socket_type, option, value):
    """What libzmq does with one setsockopt: 'ok' + read-back, or the errno."""
    sock = ctx.socket(socket_type)
    try:
        sock.setsockopt(option, value)
    except zmq.ZMQError as exc:
        return ("error", exc.errno)
    finally:
        try:
            got = sock.getsockopt(option)
        except zmq.ZMQError:
            got = None
        sock.close(linger=0)
    return ("ok", got)


INT_OPTIONS = [
    O.SNDHWM,
    O.RCVHWM,
    O.RATE,
    O.RECOVERY_IVL,
    O.SNDBUF,
    O.RCVBUF,
    O.TOS,
    O.LINGER,
    O.CONNECT_TIMEOUT,
    O.RECONNECT_IVL,
    O.RECONNECT_IVL_MAX,
    O.BACKLOG,
    O.MULTICAST_HOPS,
    O.MULTICAST_MAXTPDU,
    O.RCVTIMEO,
    O.SNDTIMEO,
    O.IPV4ONLY,
    O.IPV6,
    O.TCP_KEEPALIVE,
    O.TCP_KEEPALIVE_CNT,
    O.TCP_KEEPALIVE_IDLE,
    O.TCP_KEEPALIVE_INTVL,
    O.IMMEDIATE,
    O.PLAIN_SERVER,
    O.CURVE_SERVER,
    O.CONFLATE,
    O.HANDSHAKE_IVL,
    O.INVERT_MATCHING,
    O.HEARTBEAT_IVL,
    O.HEARTBEAT_TIMEOUT,
    O.USE_FD,
    O.ZAP_ENFORCE_DOMAIN,
    O.LOOPBACK_FASTPATH,
    O.MULTICAST_LOOP,
    O.RECONNECT_STOP,
    O.TCP_MAXRT,
    O.HEARTBEAT_TTL,
    O.MAXMSGSIZE,
    O.AFFINITY,
    O.IPC_FILTER_PID,
    O.MECHANISM,
    O.TYPE,
]


@pytest.mark.interop
@pytest.mark.parametrize("option", INT_OPTIONS, ids=lambda o: o.name)
def test_int_values_like_libzmq(ctx, option: SocketOption) -> None:
    values = [-2, -1, 0, 1, 2, 99, 100, 150]
    if option == O.HEARTBEAT_TTL:
        values += [-101, -100, -99, 6553500, 6553599, 6553600]
    for value in values:
        theirs = _probe(ctx, T.DEALER, option, value)
        ours = SocketOptions(T.DEALER)
        try:
            ours.set(option, value)
        except ZMQError as exc:
            assert theirs == ("error", exc.errno), (option.name, value)
            continue
        assert theirs[0] == "ok", (option.name, value, theirs)
        if theirs[1] is not None:
            assert ours.get(option) == theirs[1], (option.name, value)


BYTES_CASES = [
    (T.DEALER, O.ROUTING_ID, [b"", b"a", b"\x00ab", b"x" * 255, b"x" * 256]),
    (T.DEALER, O.PLAIN_USERNAME, [b"", b"a", b"x" * 255, b"x" * 256]),
    (T.DEALER, O.PLAIN_PASSWORD, [b"", b"a", b"x" * 256]),
    (T.DEALER, O.ZAP_DOMAIN, [b"", b"a", b"x" * 255, b"x" * 256]),
    (T.DEALER, O.SOCKS_PROXY, [b"", b"a", b"x" * 300]),
    (T.DEALER, O.SOCKS_USERNAME, [b"", b"a", b"x" * 255, b"x" * 256]),
    (T.DEALER, O.BINDTODEVICE, [b"", b"lo", b"x" * 16, b"x" * 17]),
    (
        T.DEALER,
        O.CURVE_SERVERKEY,
        [
            bytes(32),
            KEY_Z85.encode(),
            KEY_Z85.encode() + b"\0",
            KEY_Z85.encode() + b"x",
            b"x" * 31,
            b" " * 40,
            b"%nSc1" * 8,
        ],
    ),
    (T.DEALER, O.METADATA, [b"", b"X-a:b", b"X-a:", b":b", b"Y-a:b", b"X-:b", b"X-a:b:c"]),
    (
        T.DEALER,
        O.TCP_ACCEPT_FILTER,
        [b"", b"127.0.0.1", b"10.0.0.0/8", b"10.0.0.0/33", b"::1", b"localhost"],
    ),
    (T.ROUTER, O.CONNECT_ROUTING_ID, [b"", b"x", b"x" * 300]),
    (T.XPUB, O.XPUB_WELCOME_MSG, [b"", b"x"]),
    (T.SUB, O.SUBSCRIBE, [b"", b"x" * 1000]),
    (T.XPUB, O.SUBSCRIBE, [b"x"]),
]


@pytest.mark.interop
@pytest.mark.parametrize(
    ("socket_type", "option", "values"), BYTES_CASES, ids=[c[1].name for c in BYTES_CASES]
)
def test_bytes_values_like_libzmq(ctx, socket_type, option, values) -> None:
    for value in values:
        theirs = _probe(ctx, socket_type, option, value)
        ours = SocketOptions(socket_type)
        try:
            ours.set(option, value)
        except ZMQError as exc:
            assert theirs == ("error", exc.errno), (option.name, value)
            continue
        assert theirs[0] == "ok", (option.name, value, theirs)
        if theirs[1] is not None:
            assert ours.get(option) == theirs[1], (option.name, value)


@pytest.mark.interop
@pytest.mark.parametrize("socket_type", STABLE_TYPES, ids=lambda t: t.name)
def test_which_types_accept_which_options(ctx, socket_type: SocketType) -> None:
    for opt in sorted(set(SocketOption)):
        if opt in DRAFT_SETTABLE:
            continue
        kind = option_type(opt) if opt != O.BLOCKY else "int"
        value: object = 1 if kind == "int" else b"abc"
        if opt in (O.CURVE_PUBLICKEY, O.CURVE_SECRETKEY, O.CURVE_SERVERKEY):
            value = bytes(32)
        elif opt == O.METADATA:
            value = b"X-a:b"
        elif opt == O.TCP_ACCEPT_FILTER:
            value = b"127.0.0.1"
        theirs = _probe(ctx, socket_type, opt, value)
        ours = SocketOptions(socket_type)
        try:
            ours.set(opt, value)  # type: ignore[arg-type]
            accepted = True
        except ZMQError as exc:
            assert exc.errno == Errno.EINVAL
            accepted = False
        assert accepted == (theirs[0] == "ok"), (socket_type.name, opt.name, theirs)


@pytest.mark.interop
def test_context_defaults_match_libzmq() -> None:
    theirs = zmq.Context()
    try:
        ours = ContextOptions()
        for opt in (
            C.IO_THREADS,
            C.MAX_SOCKETS,
            C.SOCKET_LIMIT,
            C.THREAD_SCHED_POLICY,
            C.MAX_MSGSZ,
            C.MSG_T_SIZE,
            C.THREAD_NAME_PREFIX,
            C.ZERO_COPY_RECV,
            C.IPV6,
            C.BLOCKY,
        ):
            assert ours.get(opt) == theirs.get(opt), opt.name
    finally:
        theirs.term()


def test_z85_module_used_for_keys() -> None:
    # The option layer and z85 agree on the key text.
    opts = SocketOptions(T.DEALER)
    opts.set(O.CURVE_PUBLICKEY, KEY_Z85)
    assert z85.encode(opts.curve_publickey).decode() == KEY_Z85
