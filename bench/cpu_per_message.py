"""CPU per message of each side of a blocking PUSH→PULL stream, purezmq or pyzmq.

    python bench/cpu_per_message.py purezmq --size 16384 --count 100000 [--transport ipc]

Prints, for the receiving and the sending process, the rate it saw and its user and system CPU
per message (``getrusage``, all of the process's threads). ``purezmq bench`` says which library
moves more messages; this says which side pays for it, which is where a change must go.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import tempfile
import time
from types import ModuleType
from typing import Any

Result = tuple[str, float, float, float]


def _library(name: str) -> ModuleType:
    if name == "pyzmq":
        import zmq

        return zmq
    import purezmq

    return purezmq


def _cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def _result(role: str, count: int, started: float, cpu: tuple[float, float]) -> Result:
    elapsed = time.perf_counter() - started
    user, system = _cpu()
    return role, elapsed, (user - cpu[0]) / count * 1e6, (system - cpu[1]) / count * 1e6


def _receive(library: str, endpoint: str, count: int, queue: Any) -> None:
    zmq = _library(library)
    ctx = zmq.Context()
    sock = ctx.socket(zmq.PULL)
    sock.bind(endpoint)
    queue.put(sock.getsockopt(zmq.LAST_ENDPOINT).decode())
    sock.recv()  # the clock starts once the stream flows
    cpu, started = _cpu(), time.perf_counter()
    for _ in range(count - 1):
        sock.recv()
    queue.put(_result("recv", count - 1, started, cpu))
    sock.close()
    ctx.term()


def _send(library: str, endpoint: str, count: int, size: int, queue: Any) -> None:
    zmq = _library(library)
    ctx = zmq.Context()
    sock = ctx.socket(zmq.PUSH)
    sock.connect(endpoint)
    msg = b"\0" * size
    cpu, started = _cpu(), time.perf_counter()
    for _ in range(count):
        sock.send(msg)
    queue.put(_result("send", count, started, cpu))
    sock.close(linger=-1)
    ctx.term()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("library", choices=["purezmq", "pyzmq"])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--transport", choices=["tcp", "ipc"], default="tcp")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.transport == "tcp":
            endpoint = "tcp://127.0.0.1:*"
        else:
            endpoint = "ipc://" + os.path.join(tmp, "stream")
        queue: Any = multiprocessing.Queue()
        receiver = multiprocessing.Process(
            target=_receive, args=(args.library, endpoint, args.count, queue)
        )
        receiver.start()
        endpoint = queue.get()
        sender = multiprocessing.Process(
            target=_send, args=(args.library, endpoint, args.count, args.size, queue)
        )
        sender.start()
        results: list[Result] = sorted([queue.get(), queue.get()])
        receiver.join()
        sender.join()
    for role, elapsed, user, system in results:
        rate = args.count / elapsed
        print(
            f"{args.library:8} {args.transport} {args.size:>7} B {role}: {rate / 1e3:8.0f}k msg/s "
            f"{rate * args.size / 1e6:7.0f} MB/s  user {user:6.2f} µs/msg  sys {system:6.2f} µs/msg"
        )


if __name__ == "__main__":
    main()
