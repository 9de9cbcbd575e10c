"""PUSH → PULL pipeline: a ventilator fans tasks out to workers, a sink fans results in.

PUSH load-balances tasks over the connected workers; PULL fair-queues results from all of
them. Each worker is a thread with its own PULL (tasks in) and PUSH (results out). The workers
run until the Context is terminated (a "stop" task each would not do: PUSH deals messages
only to the workers connected at the time, so one worker could get two stops and another none).
"""

from __future__ import annotations

import threading

import purezmq as zmq

TASKS = 20
WORKERS = 3


def worker(ctx: zmq.Context, tasks_at: str, results_at: str, name: str) -> None:
    tasks = ctx.socket(zmq.PULL)
    tasks.connect(tasks_at)
    results = ctx.socket(zmq.PUSH)
    results.connect(results_at)
    try:
        while True:
            n = int(tasks.recv_string())
            results.send_json({"task": n, "square": n * n, "worker": name})
    except zmq.ContextTerminated:
        tasks.close()
        results.close()


def main() -> None:
    ctx = zmq.Context()
    ventilator = ctx.socket(zmq.PUSH)
    tasks_at = f"tcp://127.0.0.1:{ventilator.bind_to_random_port('tcp://127.0.0.1')}"
    sink = ctx.socket(zmq.PULL)
    results_at = f"tcp://127.0.0.1:{sink.bind_to_random_port('tcp://127.0.0.1')}"

    workers = [
        threading.Thread(target=worker, args=(ctx, tasks_at, results_at, f"w{i}"))
        for i in range(WORKERS)
    ]
    for t in workers:
        t.start()

    for n in range(TASKS):
        ventilator.send_string(str(n))
    total = sum(sink.recv_json()["square"] for _ in range(TASKS))
    print(f"sum of squares below {TASKS}: {total}")

    ventilator.close()
    sink.close()
    ctx.term()  # wakes the workers with ContextTerminated
    for t in workers:
        t.join()


if __name__ == "__main__":
    main()
