"""PGM (RFC 3208) reliable multicast, sans-IO: the packet codec, libzmq's message framing
over PGM, and the source and receiver state machines (docs/transports.md, pgm and epgm).

Nothing here touches a socket or a clock: the state machines take the time as an argument and
return the packets to send, so tests drive them deterministically with loss and reordering.
"""
