"""The draft sockets: a SERVER answering CLIENTs by routing id, from several threads at once,
and a RADIO reaching the DISHes that joined a group."""

from __future__ import annotations

import threading

import purezmq as zmq

ctx = zmq.Context()

# CLIENT/SERVER: the server learns each client's routing id from the frame it received.
server = ctx.socket(zmq.SERVER)
port = server.bind_to_random_port("tcp://127.0.0.1")


def serve(n: int) -> None:
    # Draft sockets are thread-safe: two threads share this one SERVER.
    for _ in range(n):
        request = server.recv(copy=False)
        server.send(request.bytes.upper(), routing_id=request.routing_id)


workers = [threading.Thread(target=serve, args=(2,)) for _ in range(2)]
for w in workers:
    w.start()
clients = []
for name in ("ada", "grace"):
    client = ctx.socket(zmq.CLIENT)
    client.connect(f"tcp://127.0.0.1:{port}")
    clients.append((name, client))
for name, client in clients:
    client.send_string(f"hello from {name}")
    client.send_string(f"bye from {name}")
for name, client in clients:
    print(f"{name} got:", client.recv_string(), "/", client.recv_string())
for w in workers:
    w.join()

# RADIO/DISH: a DISH receives only the groups it joined; the group comes with the frame.
dish = ctx.socket(zmq.DISH)
port = dish.bind_to_random_port("tcp://127.0.0.1")
dish.join("weather")
radio = ctx.socket(zmq.RADIO)
radio.connect(f"tcp://127.0.0.1:{port}")
while not dish.poll(10):  # the JOIN travels to the RADIO asynchronously
    radio.send(b"warming up", group="weather")
while dish.poll(0):
    dish.recv()
radio.send(b"goal!", group="sport")
radio.send(b"sunny, 21 C", group="weather")
frame = dish.recv(copy=False)
print(f"[{frame.group}] {frame.bytes.decode()}")

ctx.destroy(linger=0)
