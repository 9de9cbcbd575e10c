"""``@record``: small value classes that cost nothing to define.

``dataclasses.dataclass`` writes the source of ``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__``… for every class and compiles it with ``exec()``: 0.3-1 ms per
class, at import. About two dozen such classes lie on the path of a first ``Context()`` and
connection (connection events, statistics, endpoints, option specs), which made them one of the
largest costs of a cold start (bench/README.md, "cold start"). A record gets the same methods
from closures shared by every record, so defining one is a plain class creation.

What a record is, for its users, is what ``@dataclass(frozen=True, slots=True)`` gives:
fields from the class annotations in order (``ClassVar`` ones excluded), defaults and
``field(default_factory=..., hash=False)``, an ``__init__`` taking them positionally or by name,
``__repr__`` ``Name(a=1, b=2)``, ``__eq__``/``__hash__`` over the fields, ``__match_args__``,
``__slots__`` (no ``__dict__``), and assignment raising ``dataclasses.FrozenInstanceError``.
``replace(obj, **changes)`` (also ``copy.replace`` on Python ≥ 3.13) replaces
``dataclasses.replace``. The constructor binds its arguments in Python (about 1 µs), so records
are for things made per connection or per call, never per message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_kwargs: Any) -> Callable[[Any], Any]:
        return lambda fn: fn


_T = TypeVar("_T")

_MISSING: Any = object()


class _Field:
    """What ``field()`` returns: a default, a default factory, and whether it is hashed."""

    __slots__ = ("default", "default_factory", "hash")

    def __init__(self, default: Any, default_factory: Any, hash: bool) -> None:
        self.default = default
        self.default_factory = default_factory
        self.hash = hash


def field(
    *, default: Any = _MISSING, default_factory: Callable[[], Any] = _MISSING, hash: bool = True
) -> Any:
    """A field with a default factory, or left out of ``__hash__`` (as ``dataclasses.field``)."""
    return _Field(default, default_factory, hash)


def _is_classvar(annotation: object) -> bool:
    # Annotations are strings here (``from __future__ import annotations``), as dataclasses
    # also finds them.
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _frozen_setattr(self: object, name: str, value: object) -> None:
    from dataclasses import FrozenInstanceError  # only on this error path

    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: object, name: str) -> None:
    from dataclasses import FrozenInstanceError

    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _build(cls: type[_T], frozen: bool) -> type[_T]:
    inherited: tuple[str, ...] = getattr(cls, "__record_fields__", ())
    # The class's own annotations, read as Python 3.10+ documents it; inspect.get_annotations
    # would import inspect (milliseconds) for the same dict.
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    own = [
        name
        for name, annotation in annotations.items()
        if not _is_classvar(annotation) and name not in inherited
    ]
    names = inherited + tuple(own)
    defaults: dict[str, Any] = dict(getattr(cls, "__record_defaults__", {}))
    factories: dict[str, Callable[[], Any]] = dict(getattr(cls, "__record_factories__", {}))
    unhashed: set[str] = set(getattr(cls, "__record_unhashed__", ()))
    namespace = {k: v for k, v in cls.__dict__.items() if k not in ("__dict__", "__weakref__")}
    for name in own:
        value = namespace.pop(name, _MISSING)
        if isinstance(value, _Field):
            if not value.hash:
                unhashed.add(name)
            if value.default_factory is not _MISSING:
                factories[name] = value.default_factory
            elif value.default is not _MISSING:
                defaults[name] = value.default
        elif value is not _MISSING:
            defaults[name] = value
    required = [n for n in names if n not in defaults and n not in factories]
    if required and names.index(required[-1]) > len(required) - 1:
        raise TypeError(f"{cls.__name__}: a field without a default follows one with a default")
    hashed = tuple(n for n in names if n not in unhashed)
    qualname = cls.__qualname__
    count = len(names)
    known = frozenset(names)
    set_field = object.__setattr__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > count:
            raise TypeError(f"{qualname}() takes {count} arguments but {len(args)} were given")
        for name, value in zip(names, args, strict=False):  # args may be fewer
            set_field(self, name, value)
        for name in names[len(args) :]:
            if name in kwargs:
                value = kwargs.pop(name)
            elif name in defaults:
                value = defaults[name]
            elif name in factories:
                value = factories[name]()
            else:
                raise TypeError(f"{qualname}() missing argument {name!r}")
            set_field(self, name, value)
        if kwargs:
            bad = next(iter(kwargs))
            why = "got multiple values for" if bad in known else "got an unexpected keyword"
            raise TypeError(f"{qualname}() {why} argument {bad!r}")

    def __repr__(self: Any) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{qualname}({fields})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in names)

    def __hash__(self: Any) -> int:
        return hash(tuple(getattr(self, name) for name in hashed))

    def __reduce__(self: Any) -> tuple[Any, tuple[Any, ...]]:
        return self.__class__, tuple(getattr(self, name) for name in names)

    def __replace__(self: Any, **changes: Any) -> Any:
        for name in names:
            if name not in changes:
                changes[name] = getattr(self, name)
        return self.__class__(**changes)

    namespace.update(
        __slots__=tuple(own),
        __init__=__init__,
        __repr__=__repr__,
        __eq__=__eq__,
        __hash__=__hash__ if frozen else None,
        __reduce__=__reduce__,
        __replace__=__replace__,
        __match_args__=names,
        __record_fields__=names,
        __record_defaults__=defaults,
        __record_factories__=factories,
        __record_unhashed__=frozenset(unhashed),
    )
    if frozen:
        namespace.update(__setattr__=_frozen_setattr, __delattr__=_frozen_delattr)
    for fn in (__init__, __repr__, __eq__, __hash__, __reduce__, __replace__):
        fn.__qualname__ = f"{qualname}.{fn.__name__}"
    # A class gets its __slots__ only when it is created: make it again with them, as
    # ``dataclass(slots=True)`` does.
    metaclass: Any = type(cls)
    made: type[_T] = metaclass(cls.__name__, cls.__bases__, namespace)
    return made


@overload
def record(cls: type[_T], /) -> type[_T]: ...
@overload
def record(*, frozen: bool = True) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(frozen_default=True, eq_default=True, field_specifiers=(field,))
def record(cls: type[_T] | None = None, /, *, frozen: bool = True) -> Any:
    """Make ``cls`` a record (see the module docstring); ``@record(frozen=False)`` allows
    assignment to its fields (and has no ``__hash__``)."""
    if cls is None:
        return lambda c: _build(c, frozen)
    return _build(cls, frozen)


def replace(obj: _T, /, **changes: Any) -> _T:
    """A copy of the record ``obj`` with ``changes`` (``dataclasses.replace`` for records)."""
    result: _T = obj.__replace__(**changes)  # type: ignore[attr-defined]
    return result


def fields(cls_or_obj: object) -> tuple[str, ...]:
    """The field names of a record class or instance, in order."""
    names: tuple[str, ...] = cls_or_obj.__record_fields__  # type: ignore[attr-defined]
    return names


__all__ = ["field", "fields", "record", "replace"]
