"""``AsyncioAuthenticator``: a ZAP handler (RFC 27) running as a task on the caller's event
loop, shaped like pyzmq's ``zmq.auth.asyncio.AsyncioAuthenticator``.

``start()`` (called with a running loop) binds the REP socket at ``inproc://zeromq.zap.01``
before it returns and starts a task that answers each request; ``stop()`` cancels the task and
closes the socket. The context is a ``purezmq.asyncio.Context``; a sync ``purezmq.Context`` is
wrapped (shadowed) so that the handler serves that context's servers.
"""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

from .base import Authenticator


class AsyncioAuthenticator(Authenticator):
    """ZAP authentication on an asyncio loop (pyzmq's ``AsyncioAuthenticator``)."""

    def __init__(
        self,
        context: Any = None,
        loop: Any = None,
        encoding: str = "utf-8",
        log: Any = None,
    ) -> None:
        from ..asyncio import Context as AsyncContext

        if context is None:
            context = AsyncContext.instance()
        elif not isinstance(context, AsyncContext):
            context = AsyncContext(context)
        super().__init__(context, encoding, log)
        if loop is not None:
            warnings.warn(
                f"{self.__class__.__name__}(loop) is deprecated and ignored",
                DeprecationWarning,
                stacklevel=2,
            )
        self._task: asyncio.Task[None] | None = None

    async def _serve(self) -> None:
        zap = self.zap_socket
        while True:
            request = await zap.recv_multipart()
            try:
                reply = await self.zap_reply(request)
            except Exception:  # one bad request (or callback) must not kill the handler
                self.log.exception("ZAP request %r failed", request)
                if len(request) < 2:
                    continue
                # RFC 27 §"Reply": 500 is "internal error".
                reply = self.reply_frames(request[1], b"500", b"Internal error")
            if reply is not None:
                await zap.send_multipart(reply)

    async def handle_zap_message(self, msg: list[bytes]) -> None:
        """Answer one ZAP request on ``zap_socket`` (an asyncio socket)."""
        reply = await self.zap_reply(msg)
        if reply is not None:
            await self.zap_socket.send_multipart(reply)

    def start(self) -> None:
        """Bind the ZAP socket and start answering (needs a running event loop)."""
        super().start()
        self._task = asyncio.ensure_future(self._serve())

    def stop(self) -> None:
        """Stop answering and close the ZAP socket."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        super().stop()


__all__ = ["AsyncioAuthenticator"]
