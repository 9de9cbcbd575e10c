"""``purezmq <socket type>``: one socket, its endpoints, stdin and stdout.

One runner serves every socket type; the type picks its behaviour:

- send-only (push, pub, scatter, radio): each input message is sent; the command ends when the
  input does (or after ``--count`` messages).
- receive-only (pull, sub, gather, dish): each message received is written to stdout.
- requesters (req, client): each input message is sent and its reply written.
- repliers (rep, server): each request is written, then answered with itself (``--echo``),
  with ``--transform``'s value, with ``--data``, or with the next input message.
- both ways at once (pair, dealer, router, xpub, xsub, channel, peer, stream): input messages
  are sent while whatever arrives is written.

Addressed types carry the address as the first frame both ways: ROUTER and STREAM identities
(printable ones as text, others as ``0x`` + hex), SERVER and PEER routing ids (decimal), DISH
groups on output and RADIO groups on input (unless ``--group``).

Input is read by a thread that hands messages over an inproc PAIR socket, so the main thread
waits on one poller for the socket, the input and the socket's monitor alike.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from typing import Any, BinaryIO

from . import formats, security
from .errors import EXIT_STATUS_HELP, REFUSED, TIMEOUT, USAGE, CliError
from .expressions import EXPRESSION_HELP, Pipeline, as_message
from .status import StatusLine

SEND_ONLY = frozenset({"push", "pub", "scatter", "radio"})
RECV_ONLY = frozenset({"pull", "sub", "gather", "dish"})
REQUESTERS = frozenset({"req", "client"})
REPLIERS = frozenset({"rep", "server"})
BOTH_WAYS = frozenset({"pair", "dealer", "router", "xpub", "xsub", "channel", "peer", "stream"})
#: Thread-safe draft types: single-frame messages, no ROUTING_ID option.
DRAFT = frozenset({"client", "server", "radio", "dish", "scatter", "gather", "peer", "channel"})
#: Types whose first frame is a peer's identity bytes / a peer's routing id number.
IDENTITY_ADDRESSED = frozenset({"router", "stream"})
ROUTING_ID_ADDRESSED = frozenset({"server", "peer"})

#: ``purezmq <type> --help`` examples.
EXAMPLES: dict[str, str] = {
    "req": """  echo hello | purezmq req --connect tcp://127.0.0.1:5555
  seq 5 | purezmq req -c tcp://127.0.0.1:5555 --format json""",
    "rep": """  purezmq rep --bind tcp://127.0.0.1:5555 --echo
  purezmq rep -b tcp://127.0.0.1:5555 --transform 'text.upper()'
  purezmq rep -b tcp://127.0.0.1:5555 --data OK --count 1""",
    "pub": """  purezmq pub --bind tcp://127.0.0.1:5556 --data 'tick' --interval 1
  tail -f app.log | purezmq pub -b tcp://127.0.0.1:5556 --delay 0.5""",
    "sub": """  purezmq sub --connect tcp://127.0.0.1:5556 --subscribe tick
  purezmq sub -c tcp://127.0.0.1:5556 --filter '"ERROR" in text' --count 10""",
    "push": """  seq 100 | purezmq push --connect tcp://127.0.0.1:5557
  purezmq push -c tcp://127.0.0.1:5557 --format raw < photo.jpg""",
    "pull": """  purezmq pull --bind tcp://127.0.0.1:5557 --count 100 | wc -l
  purezmq pull -b tcp://127.0.0.1:5557 --format json --timeout 5""",
    "dealer": """  echo hello | purezmq dealer -c tcp://127.0.0.1:5555 --identity worker-1 --count 1
  purezmq dealer -c tcp://127.0.0.1:5555 --format hex""",
    "router": """  purezmq router --bind tcp://127.0.0.1:5555      (prints identity<TAB>frames...)
  printf 'worker-1\\tjob 1\\n' | purezmq router -b tcp://127.0.0.1:5555""",
    "pair": """  purezmq pair --bind ipc:///tmp/chat.sock
  purezmq pair --connect ipc:///tmp/chat.sock""",
    "xpub": """  purezmq xpub --bind tcp://127.0.0.1:5556 --format hex
                  (prints 01<topic> per subscription, 00<topic> when it ends)""",
    "xsub": """  purezmq xsub --connect tcp://127.0.0.1:5556 --subscribe weather""",
    "client": """  echo hello | purezmq client --connect tcp://127.0.0.1:5555""",
    "server": """  purezmq server --bind tcp://127.0.0.1:5555 --echo""",
    "radio": """  purezmq radio -c udp://127.0.0.1:5557 --group weather --data 20C --interval 1
  printf 'weather\\t20C\\n' | purezmq radio -c tcp://127.0.0.1:5557""",
    "dish": """  purezmq dish --bind tcp://127.0.0.1:5557 --join weather --join sports
                  (prints group<TAB>body)""",
    "scatter": """  seq 10 | purezmq scatter --connect tcp://127.0.0.1:5558""",
    "gather": """  purezmq gather --bind tcp://127.0.0.1:5558 --count 10""",
    "peer": """  purezmq peer --bind tcp://127.0.0.1:5559       (prints routing-id<TAB>body)
  purezmq peer --connect tcp://127.0.0.1:5559       (prints the peer's routing id)""",
    "channel": """  purezmq channel --bind inproc://x   (inproc is per process: use tcp or ipc)""",
    "stream": """  purezmq stream --connect tcp://example.org:80 --format hex""",
}


# ---- arguments ---------------------------------------------------------------------------------


#: ``purezmq <type> --help``'s paragraph on what the command does, by behaviour.
BEHAVIOUR = {
    "send": "Reads messages from stdin (one a line by default) and sends each; ends when stdin"
    " does, or after --count messages.",
    "recv": "Writes every message received to stdout (one a line by default); ends after"
    " --count messages, or with status 3 after --timeout of silence.",
    "request": "Sends each stdin message and writes its reply; ends when stdin does, or after"
    " --count replies.",
    "reply": "Writes each request to stdout and answers it: with the request itself (--echo),"
    " with --transform's value, with --data, or with the next stdin message.",
    "both": "Sends stdin's messages while writing whatever arrives; ends after --count"
    " messages received, or with status 3 after --timeout of silence.",
}


def _behaviour(kind: str) -> str:
    if kind in SEND_ONLY:
        return BEHAVIOUR["send"]
    if kind in RECV_ONLY:
        return BEHAVIOUR["recv"]
    if kind in REQUESTERS:
        return BEHAVIOUR["request"]
    if kind in REPLIERS:
        return BEHAVIOUR["reply"]
    return BEHAVIOUR["both"]


_ADDRESS_HELP = {
    "router": "The first frame is the peer's identity, both ways (binary ones as 0x + hex).",
    "stream": "The first frame is the TCP connection's id, both ways (0x + hex); an empty"
    " message announces a connection and its end.",
    "server": "Requests are written as ROUTING_ID<separator>BODY; replies go back by it.",
    "peer": "The first frame is the peer's routing id (decimal), both ways; --connect prints"
    " the routing id of each peer.",
    "dish": "Messages are written as GROUP<separator>BODY.",
    "radio": "Without --group, each message is GROUP<separator>BODY.",
    "xpub": "Subscriptions arrive as messages: \\x01 + topic, \\x00 + topic when they end.",
    "xsub": "A message \\x01 + topic subscribes, \\x00 + topic unsubscribes.",
}


def add_arguments(parser: argparse.ArgumentParser, kind: str) -> None:
    """The options of ``purezmq <kind>``."""
    parser.set_defaults(socket_type=kind)
    can_send = kind not in RECV_ONLY
    replier = kind in REPLIERS
    paragraphs = [parser.description or "", _behaviour(kind), _ADDRESS_HELP.get(kind, "")]
    parser.description = "\n\n".join(textwrap.fill(p, 78) for p in paragraphs if p)
    parser.epilog = f"examples:\n{EXAMPLES[kind]}\n\n{EXIT_STATUS_HELP}"

    net = parser.add_argument_group("endpoints (any number, at least one)")
    net.add_argument(
        "-b", "--bind", action="append", default=[], metavar="ENDPOINT",
        help="bind to ENDPOINT (tcp://127.0.0.1:* picks a port; the bound one is printed)",
    )
    net.add_argument(
        "-c", "--connect", action="append", default=[], metavar="ENDPOINT",
        help="connect to ENDPOINT (ZeroMQ reconnects until the peer is there)",
    )

    sock = parser.add_argument_group("socket")
    if kind not in DRAFT:
        sock.add_argument("--identity", metavar="ID", help="this socket's ROUTING_ID")
    if kind in ("sub", "xsub"):
        sock.add_argument(
            "-s", "--subscribe", action="append", default=[], metavar="TOPIC",
            help="receive messages starting with TOPIC (repeatable; sub default: everything)",
        )
    if kind == "dish":
        sock.add_argument(
            "-j", "--join", action="append", default=[], metavar="GROUP",
            help="receive the messages of GROUP (repeatable, at least one)",
        )
    if kind == "radio":
        sock.add_argument(
            "-g", "--group", metavar="GROUP",
            help="send every message to GROUP (default: the first frame of each message)",
        )
    sock.add_argument(
        "--linger", type=float, default=5.0, metavar="SECS",
        help="at exit, wait this long for queued messages to leave (default 5)",
    )

    io = parser.add_argument_group("input and output")
    io.add_argument(
        "-f", "--format", choices=formats.FORMATS, default="lines",
        help="stdin and stdout format (default: lines)",
    )
    if kind not in RECV_ONLY:
        io.add_argument(
            "--input-format", choices=formats.FORMATS, help="stdin's format, if different"
        )
    if kind not in SEND_ONLY:
        io.add_argument(
            "--output-format", choices=formats.FORMATS, help="stdout's format, if different"
        )
    io.add_argument(
        "--separator", default="\\t", metavar="SEP",
        help="between the frames of a message in lines/hex/z85 (default: \\t; '' for none)",
    )
    if can_send:
        io.add_argument(
            "-D", "--data", metavar="TEXT",
            help=("reply" if replier else "send")
            + " TEXT (read as a line of --format) instead of reading stdin",
        )
    if kind in REPLIERS:
        io.add_argument("--echo", action="store_true", help="reply with the request itself")

    flow = parser.add_argument_group("flow")
    flow.add_argument(
        "-n", "--count", type=int, metavar="N",
        help="stop after N messages (" + _count_help(kind) + ")",
    )
    flow.add_argument(
        "-t", "--timeout", type=float, metavar="SECS",
        help="exit 3 when waiting for a peer or a message lasts longer than SECS",
    )
    if can_send and not replier:
        flow.add_argument(
            "--delay", type=float, default=0.0, metavar="SECS",
            help="wait SECS before the first send (lets subscribers join a PUB)",
        )
        flow.add_argument(
            "-i", "--interval", type=float, default=0.0, metavar="SECS",
            help="at least SECS between sends; with --data, repeat it every SECS",
        )

    expr = parser.add_argument_group("python expressions", textwrap.fill(EXPRESSION_HELP, 78))
    direction = "outgoing" if kind in SEND_ONLY else "received"
    if replier:
        expr.add_argument(
            "--filter", metavar="EXPR", help="write only the requests for which EXPR is true"
        )
        expr.add_argument(
            "--transform", metavar="EXPR", help="reply with EXPR's value for each request"
        )
    else:
        expr.add_argument(
            "--filter", metavar="EXPR",
            help=f"keep the {direction} messages for which EXPR is true",
        )
        expr.add_argument(
            "--transform", metavar="EXPR",
            help=f"replace each {direction} message by EXPR's value (None drops it)",
        )

    security.add_arguments(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no status on stderr")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print the socket's events on stderr"
    )


def _count_help(kind: str) -> str:
    if kind in SEND_ONLY:
        return "sent"
    if kind in REQUESTERS:
        return "replies"
    if kind in REPLIERS:
        return "requests answered"
    return "received"


# ---- input -------------------------------------------------------------------------------------

_MESSAGE, _BAD_INPUT, _END = b"m", b"e", b"x"


def _read_input(pipe: Any, fmt: str, stream: BinaryIO, separator: bytes) -> None:
    """The input thread: stdin's messages over ``pipe``, then the end marker."""
    try:
        try:
            for msg in formats.read_messages(fmt, stream, separator):
                pipe.send_multipart([_MESSAGE, *msg])
        except CliError as exc:
            pipe.send_multipart([_BAD_INPUT, str(exc).encode()])
            return
        pipe.send_multipart([_END])
    except Exception:  # the context is gone: the command has ended without needing the rest
        return
    finally:
        pipe.close(0)


def _repeat(msg: list[bytes], count: int | None, forever: bool) -> Iterator[list[bytes]]:
    n = 0
    while forever or n < (count or 1):
        n += 1
        yield list(msg)


# ---- the runner --------------------------------------------------------------------------------


class _Timeout(Exception):
    pass


class Runner:
    """One ``purezmq <socket type>`` invocation."""

    def __init__(self, args: argparse.Namespace) -> None:
        import purezmq

        self.z = purezmq
        self.args = args
        self.kind: str = args.socket_type
        self.name = f"purezmq {self.kind}"
        if not args.bind and not args.connect:
            raise CliError("give at least one --bind or --connect ENDPOINT", USAGE)
        if self.kind == "dish" and not args.join:
            raise CliError("a dish receives only the groups it joins: give --join GROUP", USAGE)
        if args.count is not None and args.count < 1:
            raise CliError("--count wants a positive number", USAGE)
        security.check(args)
        self.in_format: str = getattr(args, "input_format", None) or args.format
        self.out_format: str = getattr(args, "output_format", None) or args.format
        formats.check_available(self.in_format)
        formats.check_available(self.out_format)
        self.separator = formats.separator_argument(args.separator)
        self.pipeline = Pipeline(args.filter, args.transform)
        self.timeout_ms = None if args.timeout is None else int(args.timeout * 1000)
        self.status = StatusLine(self.name, quiet=args.quiet)
        self.out = sys.stdout.buffer
        self.data: Iterator[list[bytes]] | None = None
        self.interval: float = getattr(args, "interval", 0.0)
        if getattr(args, "data", None) is not None:
            msg = formats.parse_data(self.in_format, args.data, self.separator)
            # A replier answers every request with it; a sender repeats it --count times, or
            # forever with --interval alone.
            forever = self.kind in REPLIERS or (bool(self.interval) and args.count is None)
            self.data = _repeat(msg, args.count, forever)
        self.next_send_at = time.monotonic() + getattr(args, "delay", 0.0)
        self.handshake_failures: list[str] = []
        self.ctx: Any = None
        self.sock: Any = None
        self.monitor: Any = None
        self.pipe: Any = None
        self.authenticator: Any = None

    # ---- set-up and tear-down ----------------------------------------------------------------

    def open(self) -> None:
        z = self.z
        self.ctx = z.Context()
        self.sock = self.ctx.socket(getattr(z, self.kind.upper()))
        args = self.args
        self.sock.setsockopt(z.LINGER, int(args.linger * 1000))
        # Queue nothing for a connection whose handshake has not succeeded: "waiting for a
        # peer" then means one that accepted us, and a refusal is seen before sending.
        # (connect_peer() refuses IMMEDIATE, as libzmq's does: a PEER goes without.)
        if self.kind != "peer":
            self.sock.setsockopt(z.IMMEDIATE, 1)
        if getattr(args, "identity", None):
            self.sock.setsockopt(z.ROUTING_ID, self._address_bytes(args.identity.encode()))
        if self.kind == "sub":
            for topic in args.subscribe or [""]:
                self.sock.setsockopt(z.SUBSCRIBE, topic.encode())
        self.authenticator = security.apply(self.sock, args, args.quiet)
        # Before any endpoint, so that no handshake's outcome is missed.
        self.monitor = self.sock.get_monitor_socket()
        for endpoint in args.bind:
            try:
                self.sock.bind(endpoint)
            except z.ZMQError as exc:
                raise CliError(f"cannot bind {endpoint}: {exc}") from None
            bound = self.sock.getsockopt_string(z.LAST_ENDPOINT) or endpoint
            self._say(f"bound {bound}")
        for endpoint in args.connect:
            try:
                if self.kind == "peer":
                    rid = self.sock.connect_peer(endpoint)
                    self._say(f"connected {endpoint} as routing id {rid}")
                else:
                    self.sock.connect(endpoint)
            except z.ZMQError as exc:
                raise CliError(f"cannot connect {endpoint}: {exc}") from None
        if self.kind == "dish":
            for group in args.join:
                self.sock.join(group)
        if self.kind == "xsub":
            for topic in args.subscribe:
                self.sock.send(b"\x01" + topic.encode())
        if self._needs_stdin():
            self._start_input()

    def _needs_stdin(self) -> bool:
        if self.kind in RECV_ONLY or self.data is not None:
            return False
        return not (self.kind in REPLIERS and (self.args.echo or self.args.transform))

    def _start_input(self) -> None:
        endpoint = f"inproc://purezmq-cli-input-{id(self)}"
        self.pipe = self.ctx.socket(self.z.PAIR)
        self.pipe.setsockopt(self.z.LINGER, 0)
        self.pipe.bind(endpoint)
        writer = self.ctx.socket(self.z.PAIR)
        writer.setsockopt(self.z.LINGER, 0)
        writer.connect(endpoint)
        # A reader of its own on a copy of fd 0: the thread may still be blocked in it when
        # the interpreter exits, which must not touch a lock held there (sys.stdin's would be).
        stream = open(os.dup(sys.stdin.fileno()), "rb")  # noqa: SIM115 - the thread owns it
        thread = threading.Thread(
            target=_read_input,
            args=(writer, self.in_format, stream, self.separator),
            name="purezmq-cli-input",
            daemon=True,  # it may be blocked reading a terminal when the command ends
        )
        thread.start()

    def close(self, ok: bool) -> None:
        self.status.clear()
        if self.authenticator is not None:
            self.authenticator.stop()
        if self.ctx is None:
            return
        if self.sock is not None:
            if not ok:
                self.sock.setsockopt(self.z.LINGER, 0)
            if self.monitor is not None:
                self.sock.disable_monitor()
        # destroy(), not term(): the input thread may still be blocked reading stdin with its
        # socket open. Each socket closes with its own LINGER, so queued messages still leave.
        self.ctx.destroy()

    def _say(self, text: str) -> None:
        if not self.args.quiet:
            self.status.clear()
            print(f"{self.name}: {text}", file=sys.stderr, flush=True)

    # ---- waiting -----------------------------------------------------------------------------

    def _wait(self, sock_events: int, want_input: bool, until: float | None = None) -> str:
        """Block until the socket has ``sock_events`` ("socket"), input is ready ("input") or
        the clock reaches ``until`` ("time"); handles monitor events meanwhile. Raises
        ``_Timeout`` when the socket wait exceeds ``--timeout``."""
        z = self.z
        if sock_events and self.sock.getsockopt(z.EVENTS) & sock_events:
            return "socket"
        if want_input and self.pipe.getsockopt(z.EVENTS) & z.POLLIN:
            return "input"
        poller = z.Poller()
        if sock_events:
            poller.register(self.sock, sock_events)
        if want_input:
            poller.register(self.pipe, z.POLLIN)
        poller.register(self.monitor, z.POLLIN)
        now = time.monotonic()
        deadline = None
        if sock_events and self.timeout_ms is not None:
            deadline = now + self.timeout_ms / 1000
        while True:
            ends = [t for t in (deadline, until) if t is not None]
            wait_ms = None if not ends else max(0, int((min(ends) - now) * 1000) + 1)
            ready = dict(poller.poll(wait_ms))
            if self.monitor in ready:
                self._monitor_events()
            if self.sock in ready:
                return "socket"
            if want_input and self.pipe in ready:
                return "input"
            now = time.monotonic()
            if until is not None and now >= until:
                return "time"
            if deadline is not None and now >= deadline:
                raise _Timeout()

    def _monitor_events(self) -> None:
        from ..utils.monitor import recv_monitor_message

        z = self.z
        while self.monitor.getsockopt(z.EVENTS) & z.POLLIN:
            event = recv_monitor_message(self.monitor)
            name = z.Event(event["event"]).name
            endpoint = event["endpoint"].decode(errors="replace")
            if self.args.verbose:
                self._say(f"event {name} {endpoint} value={int(event['value'])}")
            if name.startswith("HANDSHAKE_FAILED"):
                self.handshake_failures.append(f"{name} from {endpoint}")
                # A connecting-only command has no one else to serve: a denial ends it.
                if name == "HANDSHAKE_FAILED_AUTH" and not self.args.bind:
                    raise CliError(
                        f"refused by {endpoint}: authentication failed"
                        f" (status {int(event['value'])})",
                        REFUSED,
                    )

    # ---- messages ----------------------------------------------------------------------------

    def _next_input(self) -> list[bytes] | None:
        """The next message to send (waiting for stdin if need be); None at the end."""
        if self.data is not None:
            return next(self.data, None)
        self._wait(0, True)
        return self._take_input()

    def _take_input(self) -> list[bytes] | None:
        parts = self.pipe.recv_multipart()
        if parts[0] == _MESSAGE:
            return list(parts[1:])
        if parts[0] == _BAD_INPUT:
            raise CliError(f"bad input: {parts[1].decode(errors='replace')}")
        return None

    def _pace(self, receiving: bool) -> None:
        """Wait for ``--delay``/``--interval``, writing what arrives meanwhile if ``receiving``."""
        while time.monotonic() < self.next_send_at:
            if self._wait(self.z.POLLIN if receiving else 0, False, self.next_send_at) == "socket":
                self._receive_and_write()
        self.next_send_at = max(self.next_send_at, time.monotonic()) + self.interval

    @staticmethod
    def _address_bytes(text: bytes) -> bytes:
        if text.startswith(b"0x"):
            try:
                return bytes.fromhex(text[2:].decode())
            except ValueError:
                pass
        return text

    @staticmethod
    def _address_text(identity: bytes) -> bytes:
        if identity and all(0x21 <= c <= 0x7E for c in identity) and not identity.startswith(
            b"0x"
        ):
            return identity
        return b"0x" + identity.hex().encode()

    def _send(self, msg: list[bytes]) -> None:
        z = self.z
        kind = self.kind
        body: bytes | None = None
        kwargs: dict[str, Any] = {}
        if kind in IDENTITY_ADDRESSED:
            if len(msg) < 2:
                raise CliError(f"a {kind} message is IDENTITY<separator>FRAME...: {msg!r}")
            msg = [self._address_bytes(msg[0]), *msg[1:]]
        elif kind in ROUTING_ID_ADDRESSED:
            if len(msg) != 2 or not msg[0].isdigit():
                raise CliError(f"a {kind} message is ROUTING_ID<separator>BODY: {msg!r}")
            kwargs["routing_id"] = int(msg[0])
            body = msg[1]
        elif kind == "radio":
            group = self.args.group
            if group is None:
                if len(msg) != 2:
                    raise CliError(
                        f"without --group a radio message is GROUP<separator>BODY: {msg!r}"
                    )
                group, body = msg[0].decode(), msg[1]
            elif len(msg) == 1:
                body = msg[0]
            kwargs["group"] = group
        elif kind in DRAFT and len(msg) == 1:
            body = msg[0]
        if kind in DRAFT and body is None:
            raise CliError(f"{kind} messages have one frame, not {len(msg)}")
        while True:
            self._wait(z.POLLOUT, False)
            try:
                if body is not None:
                    self.sock.send(body, z.DONTWAIT, **kwargs)
                else:
                    self.sock.send_multipart(msg, z.DONTWAIT)
                break
            except z.Again:
                continue
        self.status.count_sent()

    def _receive(self) -> list[bytes]:
        kind = self.kind
        if kind in ROUTING_ID_ADDRESSED:
            frame = self.sock.recv(copy=False)
            msg = [str(frame.routing_id).encode(), frame.bytes]
        elif kind == "dish":
            frame = self.sock.recv(copy=False)
            msg = [frame.group.encode(), frame.bytes]
        else:
            msg = list(self.sock.recv_multipart())
            if kind in IDENTITY_ADDRESSED:
                msg[0] = self._address_text(msg[0])
        self.status.count_received()
        return msg

    def _write(self, msg: list[bytes]) -> None:
        self.out.write(formats.format_message(self.out_format, msg, self.separator))
        self.out.flush()

    def _receive_and_write(self) -> bool:
        """Receive one message and write it unless filtered; True when written."""
        msg = self.pipeline(self._receive())
        if msg is None:
            return False
        self._write(msg)
        return True

    # ---- behaviours --------------------------------------------------------------------------

    def run(self) -> None:
        kind = self.kind
        if kind in SEND_ONLY:
            self._send_only()
        elif kind in RECV_ONLY:
            self._recv_only()
        elif kind in REQUESTERS:
            self._request()
        elif kind in REPLIERS:
            self._reply()
        else:
            self._both_ways()

    def _done(self, n: int) -> bool:
        return self.args.count is not None and n >= self.args.count

    def _send_only(self) -> None:
        sent = 0
        while not self._done(sent):
            msg = self._next_input()
            if msg is None:
                return
            out = self.pipeline(msg)
            if out is None:
                continue
            self._pace(receiving=False)
            self._send(out)
            sent += 1

    def _recv_only(self) -> None:
        written = 0
        while not self._done(written):
            self._wait(self.z.POLLIN, False)
            written += self._receive_and_write()

    def _request(self) -> None:
        replies = 0
        while not self._done(replies):
            msg = self._next_input()
            if msg is None:
                return
            self._pace(receiving=False)
            self._send(msg)
            self._wait(self.z.POLLIN, False)
            self._receive_and_write()
            replies += 1

    def _reply(self) -> None:
        answered = 0
        args = self.args
        while not self._done(answered):
            prepared: list[bytes] | None = None
            if self.pipe is not None:
                # Answers come from stdin: when it has ended there is nothing to answer with.
                prepared = self._next_input()
                if prepared is None:
                    return
            self._wait(self.z.POLLIN, False)
            request = self._receive()
            address: list[bytes] = []
            body = request
            if self.kind == "server":
                address, body = request[:1], request[1:]
            self.pipeline.n += 1
            n = self.pipeline.n
            if self.pipeline.filter is None or self.pipeline.filter(request, n):
                self._write(request)
            if args.echo:
                reply = body
            elif self.pipeline.transform is not None:
                # A REP must answer: a dropped (None) reply is an empty one.
                reply = as_message(self.pipeline.transform(body, n)) or [b""]
            elif prepared is not None:
                reply = prepared
            else:
                pending = self._next_input()
                if pending is None:
                    return
                reply = pending
            self._send([*address, *reply])
            answered += 1

    def _both_ways(self) -> None:
        z = self.z
        written = 0
        input_open = self.pipe is not None or self.data is not None
        while not self._done(written):
            if input_open and self.data is not None:
                msg = next(self.data, None)
                if msg is None:
                    input_open = False
                    continue
                self._pace(receiving=True)
                self._send(msg)
                continue
            which = self._wait(z.POLLIN, input_open)
            if which == "socket":
                written += self._receive_and_write()
            elif which == "input":
                msg = self._take_input()
                if msg is None:
                    input_open = False
                else:
                    self._pace(receiving=True)
                    self._send(msg)


def main(args: argparse.Namespace) -> int:
    """Run ``purezmq <socket type>``; returns the exit status (errors raise ``CliError``)."""
    runner = Runner(args)
    ok = False
    try:
        runner.open()
        runner.run()
        ok = True
    except _Timeout:
        seconds = args.timeout
        if runner.handshake_failures:
            raise CliError(
                f"no peer after {seconds} s: handshakes failed ({runner.handshake_failures[-1]})",
                REFUSED,
            ) from None
        raise CliError(f"timed out after {seconds} s", TIMEOUT) from None
    except BrokenPipeError:
        # stdout's reader left (``| head``): not an error; keep Python from reporting it again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        ok = True
    finally:
        runner.close(ok)
    return 0


__all__ = ["EXAMPLES", "Runner", "add_arguments", "main"]
