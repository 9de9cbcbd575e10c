"""``purezmq bench``: throughput, fan-out, latency and memory, purezmq beside pyzmq.

Modelled on libzmq's perf tools (local_thr/remote_thr, local_lat/remote_lat): PUSH→PULL and
PUB→N SUB throughput measured on the receivers, REQ↔REP round trips measured on the requester
(median and p99), over tcp, ipc and inproc, for messages of 16 B to 1 MiB, for the sync API, the
asyncio API and the asyncio API on uvloop; RADIO→DISH over udp:// (purezmq only: the pyzmq wheel
has no draft sockets), whose cell also reports the share of messages that arrived, since RADIO
drops at SNDHWM and UDP drops what the receiver's kernel buffer cannot hold. Every side runs in
its own process (inproc: one process); ``--compare pyzmq`` measures pyzmq (sync and
``zmq.asyncio``) interleaved in the same run and prints ratios (``--compare pyzmq,pyomq`` adds
pyomq where installed; comparing also measures the asyncio floor, a bare ``BufferedProtocol``
echo, beside the REQ↔REP cells). ``purezmq bench memory`` measures what connections and floods
cost; ``purezmq bench startup`` the import and a cold first round trip.

Entry points: :func:`main` (``purezmq bench ...`` in :mod:`purezmq.cli` delegates here) and
``python -m purezmq.bench``. Layer 5: workers use the public API only, so the same code drives
pyzmq.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``purezmq bench`` with ``argv`` (without the ``bench`` word); return the exit code."""
    # Imported here, not at the top: workers run as ``-m purezmq.bench.worker``, which imports
    # this package first, and must not find the worker module already imported by it.
    from .command import main as command_main

    return command_main(argv)
