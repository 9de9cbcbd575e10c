"""One ZRE node of the two-namespace pyre scenario (run by pyre.sh, one per namespace).

``python pyre_node.py first|second GROUP``: both nodes join GROUP; the first SHOUTs once it
sees the second JOIN, the second WHISPERs back once the SHOUT arrives, the first WHISPERs in
turn and then waits for the second node's EXIT. Every step prints ``ok: ...``; a step that does
not happen within the deadline ends the node with exit status 1.

``python pyre_node.py beacon SECONDS``: a node that only sends its beacons for a while, so that
``purezmq beacon`` can listen to pyre's (czmq zbeacon's) wire format.
"""

from __future__ import annotations

import sys
import time
import uuid
from typing import Any

import pyre  # type: ignore[import-not-found]
import zmq

DEADLINE_S = 30.0


def next_event(node: Any, poller: Any, wanted: str) -> Any:
    """The next event of type ``wanted`` (others are printed and skipped)."""
    end = time.monotonic() + DEADLINE_S
    while (left := end - time.monotonic()) > 0:
        if not poller.poll(left * 1000):
            break
        event = pyre.PyreEvent(node)
        print(f"event: {event.type} from {event.peer_name} group={event.group} msg={event.msg}")
        if event.type == wanted:
            return event
    raise SystemExit(f"FAILED: no {wanted} within {DEADLINE_S} s")


def beacon_only(seconds: float) -> int:
    """A node that only announces itself (UDP beacons) for ``seconds``, for other listeners."""
    node = pyre.Pyre("node-beacon")
    node.start()
    print(f"ok: started {node.uuid()} on {node.endpoint()}", flush=True)
    poller = zmq.Poller()
    poller.register(node.socket(), zmq.POLLIN)
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if poller.poll(left * 1000):
            node.recv()
    node.stop()
    return 0


def main(role: str, group: str) -> int:
    if role == "beacon":
        return beacon_only(float(group))
    node = pyre.Pyre(f"node-{role}")
    node.set_header("X-ROLE", role)
    node.join(group)
    node.start()
    print(f"ok: started {node.uuid()} on {node.endpoint()}")
    poller = zmq.Poller()
    poller.register(node.socket(), zmq.POLLIN)
    try:
        enter = next_event(node, poller, "ENTER")
        peer: uuid.UUID = enter.peer_uuid
        print(f"ok: ENTER {enter.peer_name} headers={enter.headers}")
        if role == "first":
            join = next_event(node, poller, "JOIN")
            print(f"ok: JOIN {join.peer_name} {join.group}")
            node.shout(group, b"shout from first")
            whisper = next_event(node, poller, "WHISPER")
            assert whisper.msg == [b"whisper from second"], whisper.msg
            print("ok: WHISPER received")
            node.whisper(peer, b"whisper from first")
            exit_ = next_event(node, poller, "EXIT")
            assert exit_.peer_uuid == peer
            print(f"ok: EXIT {exit_.peer_name}")
        else:
            shout = next_event(node, poller, "SHOUT")
            assert shout.group == group and shout.msg == [b"shout from first"], shout.msg
            print("ok: SHOUT received")
            node.whisper(peer, b"whisper from second")
            whisper = next_event(node, poller, "WHISPER")
            assert whisper.msg == [b"whisper from first"], whisper.msg
            print("ok: WHISPER received")
    finally:
        node.stop()
    print("ok: stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
