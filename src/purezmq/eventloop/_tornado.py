"""The one place that imports tornado for ``purezmq.eventloop``, with an actionable error.

tornado is an optional dependency (the ``tornado`` extra). tornado 6 runs on asyncio (its
``IOLoop`` wraps an asyncio loop), which is what lets the tornado flavours here be built on
purezmq's asyncio front-end and on the sockets' ``FD``; older tornado had its own loops.
"""

from __future__ import annotations

#: The oldest tornado whose IOLoop is an asyncio loop.
MIN_TORNADO = (6, 0)
INSTALL_HINT = "pip install 'purezmq[tornado]'"


def require_tornado() -> None:
    """Raise ``ImportError`` naming the extra unless tornado ≥ 6 is importable."""
    try:
        import tornado
    except ImportError as exc:
        raise ImportError(
            f"purezmq.eventloop needs tornado >= 6: {INSTALL_HINT}", name="tornado"
        ) from exc
    version = tuple(getattr(tornado, "version_info", (0,))[:2])
    if version < MIN_TORNADO:
        raise ImportError(
            f"purezmq.eventloop needs tornado >= 6 (found {tornado.version}): {INSTALL_HINT}",
            name="tornado",
        )


__all__ = ["INSTALL_HINT", "MIN_TORNADO", "require_tornado"]
