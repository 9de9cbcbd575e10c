"""``ThreadAuthenticator``: a ZAP handler (RFC 27) answering on a background thread, shaped like
pyzmq's ``zmq.auth.thread.ThreadAuthenticator``.

``start()`` binds the REP socket at ``inproc://zeromq.zap.01`` *before* it returns (so every
connection accepted afterwards is authenticated, RFC 27 §"Overall Design") and starts a daemon
thread that polls that socket and a PAIR command pipe. ``stop()`` sends ``TERMINATE`` over the
pipe, joins the thread and closes both sockets. Configuration calls (``allow``,
``configure_plain``...) may be made at any time: the thread reads the shared tables on each
request, as pyzmq's does.

A credentials callback may return an awaitable: the thread owns a private event loop and runs
it to completion there.

The thread blocks on its sockets, so they are blocking sockets whatever the context's kind: an
asyncio Context (``zmq.asyncio.Context()``, as servers written for asyncio pass) makes them with
``socket_class``, as pyzmq's ``ThreadAuthenticator`` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

from ..constants import PollEvent, SocketType
from ..error import ZMQError
from .base import Authenticator

_TERMINATE = b"TERMINATE"


class AuthenticationThread(threading.Thread):
    """The thread behind a ``ThreadAuthenticator``: answers ZAP requests until TERMINATE."""

    def __init__(self, authenticator: Authenticator, pipe: Any) -> None:
        super().__init__(daemon=True, name="purezmq-auth")
        self.authenticator = authenticator
        self.log = authenticator.log
        self.pipe = pipe

    def run(self) -> None:
        from ..sync import Poller

        loop = asyncio.new_event_loop()
        zap = self.authenticator.zap_socket
        poller = Poller()
        poller.register(self.pipe, PollEvent.POLLIN)
        poller.register(zap, PollEvent.POLLIN)
        try:
            self._serve(loop, poller, zap)
        except ZMQError as exc:
            # The context was terminated (or the sockets closed) under us: nothing to answer.
            self.log.debug("auth thread ends: %s", exc)
        finally:
            with contextlib.suppress(ZMQError):
                self.pipe.close()
            loop.close()

    def _serve(self, loop: asyncio.AbstractEventLoop, poller: Any, zap: Any) -> None:
        while True:
            events = dict(poller.poll())
            if self.pipe in events:
                command = self.pipe.recv_multipart()
                self.log.debug("auth received API command %r", command[0])
                if command[0] == _TERMINATE:
                    return
                self.log.error("Invalid auth command from API: %r", command[0])
                self.pipe.send(b"ERROR")
            if zap in events:
                request = zap.recv_multipart()
                try:
                    loop.run_until_complete(self.authenticator.handle_zap_message(request))
                except ZMQError:
                    raise
                except Exception:  # one bad request (or callback) must not kill the handler
                    self.log.exception("ZAP request %r failed", request)
                    if len(request) >= 2:
                        # RFC 27 §"Reply": 500 is "internal error".
                        zap.send_multipart(
                            self.authenticator.reply_frames(request[1], b"500", b"Internal error")
                        )


class ThreadAuthenticator(Authenticator):
    """Run ZAP authentication in a background thread (pyzmq's ``ThreadAuthenticator``)."""

    def __init__(self, context: Any = None, encoding: str = "utf-8", log: Any = None) -> None:
        super().__init__(context=context, encoding=encoding, log=log)
        self.pipe: Any = None
        self.pipe_endpoint = f"inproc://purezmq.auth.{id(self)}"
        self.thread: AuthenticationThread | None = None

    def _new_socket(self, socket_type: SocketType) -> Any:
        from ..sync import Socket

        return self.context.socket(socket_type, socket_class=Socket)

    def start(self) -> None:
        """Bind the ZAP socket and start the thread."""
        super().start()
        self.pipe = self._new_socket(SocketType.PAIR)
        self.pipe.linger = 1
        self.pipe.bind(self.pipe_endpoint)
        thread_pipe = self._new_socket(SocketType.PAIR)
        thread_pipe.linger = 1
        thread_pipe.connect(self.pipe_endpoint)
        self.thread = AuthenticationThread(self, thread_pipe)
        self.thread.start()

    def stop(self) -> None:
        """Stop the thread, then close the sockets."""
        if self.pipe is not None:
            with contextlib.suppress(ZMQError):  # a terminated context ended the thread
                self.pipe.send(_TERMINATE)
            if self.thread is not None:
                self.thread.join()
            self.thread = None
            with contextlib.suppress(ZMQError):
                self.pipe.close()
            self.pipe = None
        with contextlib.suppress(ZMQError):
            super().stop()
        self.zap_socket = None

    def is_alive(self) -> bool:
        """True while the thread runs."""
        return self.thread is not None and self.thread.is_alive()

    def __enter__(self) -> ThreadAuthenticator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = ["AuthenticationThread", "ThreadAuthenticator"]
