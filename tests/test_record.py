"""``purezmq._record``: the value classes behave as ``@dataclass(frozen=True, slots=True)``."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import ClassVar

import pytest

from purezmq._record import field, fields, record, replace


@record
class Point:
    kind: ClassVar[str] = "point"
    x: int
    y: int = 0
    tags: dict[str, int] = field(default_factory=dict, hash=False)


@record
class Point3(Point):
    z: int = 0


@record(frozen=False)
class Box:
    content: bytes


def test_constructor_binds_positionally_and_by_name_with_defaults() -> None:
    p = Point(1, y=2)
    assert (p.x, p.y, p.tags) == (1, 2, {})
    assert Point(1).tags is not Point(1).tags  # a fresh default per instance
    assert fields(Point) == ("x", "y", "tags")
    assert Point.kind == "point"


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((), {}, "missing argument 'x'"),
        ((1, 2, {}, 4), {}, "takes 3 arguments"),
        ((1,), {"x": 2}, "multiple values"),
        ((1,), {"w": 2}, "unexpected keyword"),
    ],
)
def test_constructor_refuses_what_a_dataclass_refuses(
    args: tuple[object, ...], kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        Point(*args, **kwargs)  # type: ignore[arg-type]


def test_repr_eq_hash_match() -> None:
    p = Point(1, 2, {"a": 1})
    assert repr(p) == "Point(x=1, y=2, tags={'a': 1})"
    assert p == Point(1, 2, {"a": 1})
    assert p != Point(1, 3)
    assert Point3(1, 2) != Point(1, 2)  # another class is never equal
    assert hash(Point(1, 2, {"a": 1})) == hash(Point(1, 2, {"b": 2}))  # tags not hashed
    match p:
        case Point(x, y):
            assert (x, y) == (1, 2)
        case _:
            pytest.fail("no match")


def test_frozen_and_slotted() -> None:
    p = Point3(1, 2, z=3)
    assert fields(p) == ("x", "y", "tags", "z")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del p.y
    assert not hasattr(p, "__dict__")


def test_replace_copy_and_pickle() -> None:
    p = Point3(1, 2, {"a": 1}, 3)
    assert replace(p, y=7) == Point3(1, 7, {"a": 1}, 3)
    assert copy.copy(p) == p
    assert pickle.loads(pickle.dumps(p)) == p


def test_a_mutable_record_has_no_hash() -> None:
    b = Box(b"x")
    b.content = b"y"
    assert b == Box(b"y")
    with pytest.raises(TypeError):
        hash(b)
