"""``Device``, ``ThreadDevice``, ``ProcessDevice``: a proxy between two sockets that the
device creates itself, in the thread or process that runs it (pyzmq's ``zmq.devices``).

A device is configured before it starts: socket *types* go to the constructor, and
``bind_in``/``connect_out``/``setsockopt_in``... record what to do with the sockets. ``start()``
then creates the sockets where the device runs (a socket belongs to one thread), applies the
recorded options first (an identity must be set before connecting), binds, connects, and
forwards until the Context ends (or, for a steerable proxy, until TERMINATE).
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..constants import QUEUE as _QUEUE
from ..constants import Errno, SocketType
from ..error import ZMQBindError, ZMQError
from ..sync import Context, Socket

#: How a device learns that it should stop: the Context ended, or its sockets were closed.
_CLEAN_SHUTDOWN = frozenset({int(Errno.ETERM), int(Errno.ENOTSOCK)})


@dataclass
class SocketPlan:
    """One socket of a device, as configured before it exists."""

    socket_type: int
    sockopts: list[tuple[int, Any]] = field(default_factory=list)
    binds: list[str] = field(default_factory=list)
    connects: list[str] = field(default_factory=list)

    def open(self, ctx: Any) -> Socket:
        """Create the socket in ``ctx`` and configure it: options, then binds, then connects."""
        sock: Socket = ctx.socket(self.socket_type)
        try:
            self.apply(sock)
        except BaseException:
            sock.close(0)
            raise
        return sock

    def apply(self, sock: Socket) -> None:
        """Set the options, then bind, then connect ``sock`` as planned."""
        for opt, value in self.sockopts:
            sock.setsockopt(opt, value)
        for addr in self.binds:
            sock.bind(addr)
        for addr in self.connects:
            sock.connect(addr)


class Device:
    """A proxy between an in-socket and an out-socket, run by ``start()`` in this thread.

    ``Device(device_type, in_type, out_type)``: ``device_type`` (QUEUE, FORWARDER, STREAMER)
    is kept for pyzmq compatibility; libzmq ignores it since 3.x, every device is a proxy.
    An ``out_type`` below 0 uses the in-socket for both sides (a ROUTER reflector).
    """

    #: Makes the device's Context, in the thread or process that runs it. Threads share the
    #: process-wide ``Context.instance()``; a process makes its own (``ProcessDevice``).
    context_factory: Callable[[], Any] = Context.instance

    def __init__(
        self,
        device_type: int = _QUEUE,
        in_type: int | None = None,
        out_type: int | None = None,
    ) -> None:
        if in_type is None:
            raise TypeError("in_type must be specified")
        if out_type is None:
            raise TypeError("out_type must be specified")
        self.device_type = device_type
        self.in_type = in_type
        self.out_type = out_type
        #: Run in a daemon thread/process (the default: a device forwards until the process
        #: exits, and must not keep it alive).
        self.daemon = True
        self._plans: dict[str, SocketPlan] = {
            "in": SocketPlan(in_type),
            "out": SocketPlan(out_type),
        }
        self._reserved: set[str] = set()
        self._sockets: list[Socket] = []
        self._context: Any = None
        self._finished = threading.Event()

    # -- configuration (recorded, applied where the device runs) --------------------------

    def bind_in(self, addr: str) -> None:
        """Bind the in-socket to ``addr`` when the device starts."""
        self._plans["in"].binds.append(addr)

    def connect_in(self, addr: str) -> None:
        """Connect the in-socket to ``addr`` when the device starts."""
        self._plans["in"].connects.append(addr)

    def setsockopt_in(self, opt: int, value: Any) -> None:
        """Set option ``opt`` on the in-socket when the device starts (before binding)."""
        self._plans["in"].sockopts.append((opt, value))

    def bind_in_to_random_port(self, addr: str, *args: Any, **kwargs: Any) -> int:
        """Pick a free port on ``addr`` now, bind the in-socket to it later; return it.

        Takes ``bind_to_random_port``'s ``min_port``, ``max_port``, ``max_tries``.
        """
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_in(f"{addr}:{port}")
        return port

    def bind_out(self, addr: str) -> None:
        """Bind the out-socket to ``addr`` when the device starts."""
        self._plans["out"].binds.append(addr)

    def connect_out(self, addr: str) -> None:
        """Connect the out-socket to ``addr`` when the device starts."""
        self._plans["out"].connects.append(addr)

    def setsockopt_out(self, opt: int, value: Any) -> None:
        """Set option ``opt`` on the out-socket when the device starts (before binding)."""
        self._plans["out"].sockopts.append((opt, value))

    def bind_out_to_random_port(self, addr: str, *args: Any, **kwargs: Any) -> int:
        """Pick a free port on ``addr`` now, bind the out-socket to it later; return it."""
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_out(f"{addr}:{port}")
        return port

    def _reserve_random_port(self, addr: str, *args: Any, **kwargs: Any) -> int:
        """A port free on ``addr`` now and not handed to another socket of this device.

        The port is only probed (bound, then released): another process may still take it
        before the device binds, as with pyzmq.
        """
        with Context() as ctx, ctx.socket(SocketType.PUSH) as probe:
            probe.linger = 0
            for _ in range(5):
                port = int(probe.bind_to_random_port(addr, *args, **kwargs))
                if f"{addr}:{port}" not in self._reserved:
                    self._reserved.add(f"{addr}:{port}")
                    return port
                probe.unbind(f"{addr}:{port}")
        raise ZMQBindError(f"Could not reserve a random port on {addr} for the device")

    # -- running --------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        """True once the device stopped forwarding and closed its sockets."""
        return self._finished.is_set()

    def _open(self, role: str) -> Socket:
        sock = self._plans[role].open(self._context)
        self._sockets.append(sock)
        return sock

    def _setup_sockets(self) -> tuple[Socket, ...]:
        """Make the Context and the in/out sockets (called where the device runs)."""
        self._context = self.context_factory()
        ins = self._open("in")
        if self.out_type < 0:
            # One socket serves both sides: what was planned for the out side applies to it.
            self._plans["out"].apply(ins)
            return ins, ins
        return ins, self._open("out")

    def run_device(self) -> None:
        """Create the sockets and forward between them; ``start()`` calls it."""
        from .._proxy import proxy

        ins, outs = self._setup_sockets()
        proxy(ins, outs)

    def run(self) -> None:
        """``run_device()``, treating the end of the Context as a normal stop; sockets are
        closed and ``done`` set whatever happens."""
        try:
            self.run_device()
        except ZMQError as exc:
            if exc.errno not in _CLEAN_SHUTDOWN:
                raise
        finally:
            for sock in self._sockets:
                if not sock.closed:
                    sock.close(0)
            self._sockets.clear()
            self._finished.set()

    def start(self) -> None:
        """Run the device. Blocks: the plain ``Device`` runs in the calling thread."""
        self.run()

    def join(self, timeout: float | None = None) -> None:
        """Wait until the device stopped (at most ``timeout`` seconds)."""
        self._finished.wait(timeout)

    def __getstate__(self) -> dict[str, Any]:
        # A ProcessDevice may be pickled to its process (spawn/forkserver start methods):
        # send the configuration, not the live objects of this side.
        state = self.__dict__.copy()
        state.update(_sockets=[], _context=None, _finished=None, launcher=None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._finished = threading.Event()


class BackgroundDevice(Device):
    """A Device that ``start()`` launches in the background (``launcher``) and returns."""

    #: ``threading.Thread`` or ``multiprocessing.Process``: what runs the device.
    _launch_class: ClassVar[Any] = None

    def __init__(
        self,
        device_type: int = _QUEUE,
        in_type: int | None = None,
        out_type: int | None = None,
    ) -> None:
        super().__init__(device_type, in_type, out_type)
        self.launcher: Any = None

    def start(self) -> None:
        """Launch the device and return at once."""
        self.launcher = type(self)._launch_class(target=self.run)
        self.launcher.daemon = self.daemon
        self.launcher.start()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the launched thread or process to end (at most ``timeout`` seconds)."""
        if self.launcher is not None:
            self.launcher.join(timeout=timeout)


class ThreadDevice(BackgroundDevice):
    """A Device run in a background thread, on ``Context.instance()`` by default."""

    _launch_class = threading.Thread


class ProcessDevice(BackgroundDevice):
    """A Device run in a child process (``multiprocessing.Process``), on a fresh Context.

    ``done`` describes this process's copy of the device; use ``join()`` or
    ``launcher.is_alive()`` to follow the child.
    """

    _launch_class = multiprocessing.Process
    #: A Context of its own: a Context inherited through fork belongs to the parent.
    context_factory: Callable[[], Any] = Context

    @property
    def done(self) -> bool:
        return self.launcher is not None and not self.launcher.is_alive()


__all__ = ["Device", "ThreadDevice", "ProcessDevice"]
