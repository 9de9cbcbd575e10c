"""``@context()`` and ``@socket(type)``: pyzmq's decorators that hand a function a Context or a
socket for the duration of a call, closed when it returns (``zmq.decorators``)::

    @context()
    @socket(zmq.PUSH)
    def work(ctx, push):
        ...

An object is passed positionally after the caller's arguments, or as the keyword ``name``
(``@socket("push", zmq.PUSH)`` or ``@socket(zmq.PUSH, name="push")``). ``@socket`` uses the
first Context it finds in the call (the keyword ``context_name``, default ``"context"``, then
any positional argument), else ``Context.instance()``. Other arguments go to ``Context(...)``
or ``ctx.socket(...)``, e.g. ``@socket(zmq.PUB, socket_class=MySocket)``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, TypeVar

_R = TypeVar("_R")
#: A decorator: the wrapped function takes the injected object itself, so its own signature
#: is not the caller's.
_Decorator = Callable[[Callable[..., _R]], Callable[..., _R]]


def _split_name(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[str | None, tuple[Any, ...]]:
    """The keyword the object is passed as (``name=`` or a leading str argument), if any."""
    name = kwargs.pop("name", None)
    if isinstance(name, str):
        return name, args
    if args and isinstance(args[0], str):
        return args[0], args[1:]
    return None, args


def _decorate(
    make: Callable[[tuple[Any, ...], dict[str, Any]], AbstractContextManager[Any]],
    name: str | None,
) -> _Decorator[Any]:
    def decorator(func: Callable[..., _R]) -> Callable[..., _R]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> _R:
            if name is not None and name in kwargs:
                raise TypeError(f"{func.__name__}() got multiple values for argument {name!r}")
            with make(args, kwargs) as obj:
                if name is None:
                    return func(*args, obj, **kwargs)
                return func(*args, **{**kwargs, name: obj})

        return wrapper

    return decorator


def context(*args: Any, **kwargs: Any) -> _Decorator[Any]:
    """Give the decorated function a new Context, terminated when it returns.

    ``@context()`` passes it positionally; ``@context("ctx")`` as ``ctx=``.
    """
    from .sync import Context

    name, ctx_args = _split_name(args, kwargs)
    return _decorate(lambda _a, _k: Context(*ctx_args, **kwargs), name)


def socket(*args: Any, **kwargs: Any) -> _Decorator[Any]:
    """Give the decorated function a new socket (``@socket(zmq.PUSH)``), closed when it
    returns. ``context_name`` names the keyword argument to look for a Context in."""
    from .sync import Context

    name, sock_args = _split_name(args, kwargs)
    context_name = kwargs.pop("context_name", "context")

    def make(call_args: tuple[Any, ...], call_kwargs: dict[str, Any]) -> Any:
        ctx = call_kwargs.get(context_name)
        if not isinstance(ctx, Context):
            ctx = next((a for a in call_args if isinstance(a, Context)), None)
        if ctx is None:
            ctx = Context.instance()
        return ctx.socket(*sock_args, **kwargs)

    return _decorate(make, name)


__all__ = ["context", "socket"]
