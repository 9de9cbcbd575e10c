"""A worker pool of actors: each worker is an actor that squares numbers sent on its pipe.

The caller deals jobs round-robin over the actors' pipes and collects one answer per job. One
job is poisoned: the worker that gets it raises, and the exception reaches the caller on its
next receive from that worker, with the worker's traceback, instead of dying with the thread.
"""

from __future__ import annotations

import purezmq as zmq
from purezmq.actor import TERM, Actor, signal

WORKERS = 3


def worker(pipe: zmq.Socket, name: str) -> None:
    signal(pipe)
    while (job := pipe.recv()) != TERM:
        n = int(job)
        if n < 0:
            raise ValueError(f"{name} cannot square a negative job: {n}")
        pipe.send_string(f"{n}^2 = {n * n} by {name}")


def main() -> None:
    pool = [Actor(worker, f"worker-{i}") for i in range(WORKERS)]
    jobs = [3, 4, 5, 6, 7, 8]
    for i, n in enumerate(jobs):
        pool[i % WORKERS].send_string(str(n))
    # Answers come back in job order per worker; read them in the order the jobs went out.
    for i in range(len(jobs)):
        print(pool[i % WORKERS].recv_string())

    pool[0].send_string("-1")
    try:
        pool[0].recv()
    except ValueError as exc:
        print("worker failed:", exc)
    for actor in pool:
        actor.close()
    print("pool closed:", not any(actor.alive for actor in pool))


if __name__ == "__main__":
    main()
