"""Options as attributes (pyzmq's ``AttributeSetter``: ``sock.linger = 0``,
``ctx.io_threads``) and pyzmq's type rules for option values.

Layer 4 base: imports layer 0 and the CURVE availability check only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from .._engine import curve_available
from ..constants import ContextOption, Errno, SocketOption
from ..error import ZMQError
from ..options import SOCKET_OPTIONS

# Options whose value is a byte string (libzmq's binary and string options), from the option
# table. Everything else is an int. pyzmq raises TypeError for ``str`` values on any option
# ("use setsockopt_string").
BYTES_OPTIONS: frozenset[int] = frozenset(
    opt for opt, spec in SOCKET_OPTIONS.items() if spec.kind in ("bytes", "str")
)


def option_for_attribute(owner: str, name: str) -> int:
    """``sock.rcvhwm`` → ``SocketOption.RCVHWM``; AttributeError like pyzmq otherwise."""
    upper = name.upper()
    opt = SocketOption.__members__.get(upper)
    if opt is None:
        ctxopt = ContextOption.__members__.get(upper)
        if ctxopt is None or owner != "Context":
            raise AttributeError(f"{owner} has no such option: {upper}")
        return int(ctxopt)
    return int(opt)


def _plain_attributes(cls: type) -> frozenset[str]:
    """Names that ``__setattr__`` must treat as ordinary attributes for ``cls``."""
    cached = cls.__dict__.get("_plain_attrs_cache")
    if isinstance(cached, frozenset):
        return cached
    names: set[str] = set()
    for klass in cls.__mro__:
        names.update(klass.__dict__)
        names.update(klass.__dict__.get("__annotations__", {}))  # noqa: RUF063 (3.10: no cost)
    result = frozenset(names)
    type.__setattr__(cls, "_plain_attrs_cache", result)
    return result


_SUBSCRIPTION_NAMES = frozenset(("subscribe", "unsubscribe", "SUBSCRIBE", "UNSUBSCRIBE"))


class AttributeSetter:
    """pyzmq's ``AttributeSetter``: option names are attributes (``obj.linger = 0``).

    Every option name (lower and upper case) is a property installed on the class by
    ``install_option_attributes``, not resolved by ``__getattr__``: a class with
    ``__getattr__`` gets no specialised attribute reads from CPython, and a socket's own hot
    path reads its attributes on every send and receive (~13 % of a sync inproc message's
    instructions). Names defined on the class (methods, properties, annotated attributes) and
    private names behave as ordinary attributes; setting an unknown name raises pyzmq's
    ``AttributeError: Socket has no such option: NAME``.
    """

    _attr_owner: ClassVar[str] = "Socket"

    def __setattr__(self, key: str, value: Any) -> None:
        if key.startswith("_"):
            object.__setattr__(self, key, value)
            return
        if key in _SUBSCRIPTION_NAMES and self._attr_owner == "Socket":
            # ``sock.subscribe = b"topic"`` sets the option although a method has that name
            # (pyzmq's rule).
            opt = option_for_attribute("Socket", key)
            self._set_attr_opt(key.upper(), opt, value)
            return
        # Never ``key in self.__dict__``: reading ``__dict__`` turns CPython's compact
        # instance values into a real dict for good, which slows every later attribute read
        # of the object (an inproc asyncio socket lost a quarter of its speed to one
        # ``sock.linger = 0``). Only class-defined names can be in it anyway: other public
        # names are options, or refused below.
        if key in _plain_attributes(type(self)):
            object.__setattr__(self, key, value)
            return
        opt = option_for_attribute(self._attr_owner, key)
        self._set_attr_opt(key.upper(), opt, value)

    if TYPE_CHECKING:
        # For type checkers only: option attributes are generated properties at run time.
        def __getattr__(self, key: str) -> Any: ...

    def _set_attr_opt(self, name: str, opt: int, value: Any) -> None:
        raise NotImplementedError

    def _get_attr_opt(self, name: str, opt: int) -> Any:
        raise NotImplementedError


class OptionAttribute(property):
    """A socket or context option exposed as an attribute (``sock.linger``)."""


def _option_property(name: str, opt: int) -> OptionAttribute:
    def get(self: AttributeSetter) -> Any:
        try:
            return self._get_attr_opt(name, opt)
        except ZMQError as exc:
            # A write-only option (or one this object does not have) reads as a missing
            # attribute, as in pyzmq: ``mock.Mock(spec=sock)`` reads every name in ``dir()``.
            if exc.errno in (Errno.EINVAL, Errno.EFAULT):
                raise AttributeError(f"{name} attribute is write-only") from exc
            raise

    def set_(self: AttributeSetter, value: Any) -> None:
        self._set_attr_opt(name, opt, value)

    return OptionAttribute(get, set_, doc=f"The {name} option, as an attribute (pyzmq style).")


def install_option_attributes(cls: type) -> None:
    """Give ``cls`` a property per option name ``option_for_attribute`` accepts for its
    ``_attr_owner`` (as ``sock.rcvhwm`` and ``sock.RCVHWM``), leaving defined names alone."""
    owner = cls.__dict__.get("_attr_owner", "Socket")
    names: dict[str, int] = {}
    if owner == "Context":
        names.update((n, int(o)) for n, o in ContextOption.__members__.items())
    names.update((n, int(o)) for n, o in SocketOption.__members__.items())  # wins, as there
    taken: set[str] = set()
    for klass in cls.__mro__:
        taken.update(vars(klass))
        taken.update(vars(klass).get("__annotations__", {}))
    for upper, opt in names.items():
        prop = None
        for attr in (upper.lower(), upper):
            if attr not in taken:
                if prop is None:
                    prop = _option_attribute(upper, opt)
                setattr(cls, attr, prop)


#: One property per option, shared by its two spellings and by every class that has it: a
#: property holds no per-class state, and making ~500 of them was a measurable part of the
#: first ``Context()``.
_ATTRIBUTES: dict[tuple[str, int], OptionAttribute] = {}


def _option_attribute(upper: str, opt: int) -> OptionAttribute:
    prop = _ATTRIBUTES.get((upper, opt))
    if prop is None:
        prop = _ATTRIBUTES[upper, opt] = _option_property(upper, opt)
    return prop


_CURVE_OPTIONS = frozenset(
    {
        SocketOption.CURVE_SERVER,
        SocketOption.CURVE_PUBLICKEY,
        SocketOption.CURVE_SECRETKEY,
        SocketOption.CURVE_SERVERKEY,
    }
)


def check_option_value(option: int, value: object) -> object:
    """pyzmq's type rules for ``setsockopt``: TypeError before anything reaches the engine.

    Without PyNaCl every CURVE option is refused with ``ZMQError(ENOTSUP)`` saying how to get it
    (libzmq built without libsodium refuses them too).
    """
    if option in _CURVE_OPTIONS and not curve_available():
        from .._engine import CURVE_MISSING_MESSAGE

        raise ZMQError(Errno.ENOTSUP, CURVE_MISSING_MESSAGE)
    if isinstance(value, str):
        raise TypeError("unicode not allowed, use setsockopt_string")
    if option in BYTES_OPTIONS:
        if value is None and option == SocketOption.XPUB_WELCOME_MSG:
            return value
        if isinstance(value, (bytearray, memoryview)):
            return bytes(value)
        if not isinstance(value, bytes):
            raise TypeError(f"expected bytes, got: {value!r}")
        return value
    if isinstance(value, bool):
        return int(value)
    if not isinstance(value, int):
        raise TypeError(f"expected int, got: {value!r}")
    return value


__all__ = [
    "BYTES_OPTIONS",
    "AttributeSetter",
    "OptionAttribute",
    "check_option_value",
    "install_option_attributes",
    "option_for_attribute",
]
