"""Subscribes to circusd-stats' endpoint (argv[1]) and waits for one ``stat.`` publication."""

from __future__ import annotations

import sys

import zmq

context = zmq.Context()
sub = context.socket(zmq.SUB)
sub.setsockopt(zmq.SUBSCRIBE, b"stat.")
sub.setsockopt(zmq.LINGER, 0)
sub.connect(sys.argv[1])
if not sub.poll(30_000):
    sys.exit("no publication from circusd-stats in 30 s")
topic, body = sub.recv_multipart()[:2]
print(topic.decode(), body[:200].decode(errors="replace"))
sub.close()
context.term()
