"""The package name purezmq's objects show in their reprs: ``purezmq``, or ``zmq`` while purezmq
stands in for pyzmq (``install_as_zmq()``), so that a program (or pyzmq's own tests) reading
``repr(sock)`` sees ``<zmq.Socket(zmq.PUSH) ...>`` exactly as with pyzmq."""

from __future__ import annotations

_public_package = "purezmq"


def set_public_package(name: str) -> None:
    """Called by ``install_as_zmq()`` (``"zmq"``) and ``uninstall_as_zmq()`` (``"purezmq"``)."""
    global _public_package
    _public_package = name


def repr_name(cls: type) -> str:
    """``zmq.Socket``/``purezmq.Socket`` for a class that declares its public name in
    ``_repr_cls`` (looked up on the class itself, not inherited, as pyzmq does); a subclass
    shows its own module and name."""
    public = cls.__dict__.get("_repr_cls")
    if isinstance(public, str):
        return f"{_public_package}.{public}"
    return f"{cls.__module__}.{cls.__name__}"


__all__ = ["repr_name", "set_public_package"]
