"""Waits a test needs around ZeroMQ's asynchronous steps, each bounded and none a sleep."""

from __future__ import annotations

import time
from typing import Any

#: Seconds a wait may take before it fails.
DEADLINE = 5.0


def wait_subscribed(
    pub: Any, sub: Any, probe: bytes | list[bytes] = b"", *, timeout: float = DEADLINE
) -> None:
    """Publish probes from ``pub`` until ``sub`` receives one, then consume every probe.

    A subscription reaches the publisher asynchronously, and a PUB drops what it sends before
    (the "slow joiner"). Each probe is ``probe`` (one frame or the first frames of a message,
    which must match a subscription of ``sub``) followed by a frame holding its number; once
    one arrives, every later probe arrives too, in order, so ``sub`` is read up to the last
    one sent and holds no probe afterwards. Works with blocking sockets of purezmq and of
    pyzmq, and through devices that forward whole messages. Raises ``TimeoutError`` after
    ``timeout`` seconds.
    """
    head = [probe] if isinstance(probe, bytes) else list(probe)
    deadline = time.monotonic() + timeout
    sent = 0
    while True:
        pub.send_multipart([*head, b"%d" % sent])
        sent += 1
        if sub.poll(10):
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"no subscription reached the publisher within {timeout} s")
    last = b"%d" % (sent - 1)
    while True:
        frames = sub.recv_multipart()
        if frames[: len(head)] == head and frames[-1] == last:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"probe {sent - 1} never reached the subscriber")
        # Wait for the rest of the probes (bounded by the socket's own RCVTIMEO or this poll).
        if not sub.poll(int(max(deadline - time.monotonic(), 0) * 1000) + 1):
            raise TimeoutError(f"probe {sent - 1} never reached the subscriber")


__all__ = ["DEADLINE", "wait_subscribed"]
