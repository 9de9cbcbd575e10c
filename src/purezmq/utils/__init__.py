"""Utilities mirroring pyzmq's ``zmq.utils`` (``monitor``; ``z85`` lives in ``purezmq.z85``)."""

from __future__ import annotations
