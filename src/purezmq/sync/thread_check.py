"""Concurrent use of one classic socket by two threads: a clear error instead of lost wake-ups
or a socket changed under a call that is using it.

libzmq's classic sockets are not thread-safe, but a socket may move from one thread to another
(with a full memory barrier, which a ``Thread.join()`` or a lock gives): the rule broken is
*two threads inside calls at once*, not "another thread than the creator". What is checked:

* two threads parked at once in a blocking ``send``/``recv`` of the same socket (they share the
  socket's one wake-up signal, so one of them may sleep through the message that was meant to
  wake it, and both run the socket's pattern unlocked);
* a control call — ``setsockopt`` (``subscribe``...), ``bind``, ``connect``, ``unbind``,
  ``disconnect``, ``bind_to_random_port``, ``close`` — in one thread while another thread is
  blocked in ``send``/``recv`` or inside a control call of that socket, and a blocking wait
  that starts while another thread is inside a control call (the pattern, the endpoints or
  the options would change under the running call).

The second thread gets the error; the first goes on undisturbed, and a refused ``close()``
leaves the socket open. The check is O(1) (two attribute reads and a write) and runs only on
control calls and on the way into a blocking wait, never on a send/recv that does not block.
It is best effort, not a lock: two threads entering in the same instant may both pass.

Not checked (real programs rely on them, and they are safe here): a thread blocked in
``poll()`` while another sends or receives on that socket; non-blocking calls, and sends or
receives that do not block, beside a blocked one; ``getsockopt``; closing a socket from
another thread once its user is done with it (Jupyter, salt, circus); ``Context.term()`` and
``destroy()``. The draft thread-safe types (CLIENT, SERVER, RADIO, DISH, SCATTER, GATHER, PEER,
CHANNEL) and green sockets (many greenlets of one thread may wait on one socket) are exempt.

The errno is EFAULT: libzmq's answer for an object that is not valid for the call (a
terminated context handle, a closed message), the nearest it has to "this socket is in use".
"""

from __future__ import annotations

import threading

from ..constants import Errno
from ..error import ZMQError

#: The calls whose overlap is checked while they wait (the rest are control calls).
_BLOCKING = frozenset({"send", "recv"})


def _thread_name(ident: int) -> str:
    for thread in threading.enumerate():
        if thread.ident == ident:
            return repr(thread.name)
    return f"thread {ident:#x}"


def concurrent_use_error(sock: object, what: str, inside: tuple[int, str]) -> ZMQError:
    """The error for the thread that enters ``what`` (a blocking send/recv or a control call)
    while thread ``inside[0]`` is inside ``inside[1]`` on the same socket."""
    me = _thread_name(threading.get_ident())
    other = _thread_name(inside[0])
    state = "blocked in" if inside[1] in _BLOCKING else "inside"
    return ZMQError(
        Errno.EFAULT,
        f"{sock!r}: {what}() in thread {me} while thread {other} is {state} {inside[1]}() "
        "on the same socket. A socket is not thread-safe: use one socket per thread, hand it "
        "over only between calls (e.g. after Thread.join()), wait on several sockets with a "
        "Poller, or use a thread-safe draft type (CLIENT/SERVER...).",
    )


__all__ = ["concurrent_use_error"]
