"""Test kit for patterns: a stand-in for SocketOptions and an engine stub that owns pipe ends."""

from __future__ import annotations

import random
from dataclasses import dataclass

from purezmq.patterns import PATTERNS, Pattern
from purezmq.patterns.pipe import Pipe, pipe_pair


@dataclass
class Opts:
    """The option attributes patterns read (docs/contracts.md), with libzmq defaults."""

    routing_id: bytes = b""
    router_mandatory: int = 0
    router_handover: int = 0
    probe_router: int = 0
    req_relaxed: int = 0
    req_correlate: int = 0
    xpub_verbose: int = 0
    xpub_verboser: int = 0
    xpub_manual: int = 0
    xpub_manual_last_value: int = 0
    xpub_nodrop: int = 0
    xpub_welcome_msg: bytes | None = None
    invert_matching: int = 0
    only_first_subscribe: int = 0
    xsub_verbose_unsubscribe: int = 0
    stream_notify: int = 1
    conflate: int = 0


def make(socket_type: int, seed: int = 1, **options: object) -> tuple[Pattern, Opts]:
    opts = Opts(**options)  # type: ignore[arg-type]
    return PATTERNS[socket_type](opts, rng=random.Random(seed)), opts  # type: ignore[index]


def connect(
    pattern: Pattern,
    hwm_out: int = 0,
    hwm_in: int = 0,
    *,
    identity: bytes | None = None,
    routing_id: bytes = b"",
    attach: bool = True,
) -> tuple[Pipe, Pipe]:
    """Return ``(socket_end, engine_end)`` wired the way the engine wires them, and attach."""
    mine, theirs = pipe_pair(hwm_out, hwm_in)
    mine.on_read_activated = pattern.read_activated
    mine.on_write_activated = pattern.write_activated
    if identity is not None:
        mine.metadata = {"Identity": identity}
    mine.routing_id = routing_id
    if attach:
        pattern.attach(mine)
    return mine, theirs


def drain(end: Pipe) -> list[list[bytes]]:
    out = []
    while (msg := end.read()) is not None:
        out.append(msg)
    return out
