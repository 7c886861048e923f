"""store.lazy.dataclass_without_code: the record's and the filter's classes behave as
`@dataclasses.dataclass` would make them (init, repr, eq), with no code compiled: each compared
with a twin dataclasses builds from the same fields."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest

from gitmem.search.query import Filter
from gitmem.store.lazy import dataclass_without_code
from gitmem.store.record import Memory, Origin


def twin(cls: type) -> Any:
    """The class `@dataclasses.dataclass` makes from `cls`'s fields."""
    specs = []
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        kept = {"repr": field.repr, "compare": field.compare}
        if field.default is not dataclasses.MISSING:
            kept["default"] = field.default
        if field.default_factory is not dataclasses.MISSING:
            kept["default_factory"] = field.default_factory
        specs.append((field.name, field.type, dataclasses.field(**kept)))
    return dataclasses.make_dataclass(cls.__name__, specs)


def seen(value: Any) -> Any:
    return repr(value), dataclasses.asdict(value)


@pytest.mark.parametrize(
    ("cls", "args", "kwargs"),
    [
        (Memory, ("abcd00001234", "fact", "T", "2026-01-01T00:00:00+00:00"), {}),
        (Memory, ("abcd00001234", "fact", "T", "c", "body"), {"tags": ["a"]}),
        (Memory, (), {"id": "x", "type": "fact", "title": "T", "created": "c", "extra": {"k": 1},
                      "origin": Origin({"id": "id: x\n"}, {"id": "x"}), "foreign": True}),
        (Origin, ({"a": "a: 1\n"}, {"a": 1}), {}),
        (Origin, (), {"raw": {}, "values": {}, "preamble": "# c\n"}),
        (Filter, (), {}),
        (Filter, (["fact"],), {"include_retired": True, "paths": ["src/"]}),
    ],
)  # fmt: skip
def test_init_repr_and_eq_are_dataclasses(cls: Any, args: tuple[Any, ...], kwargs: Any) -> None:
    other = twin(cls)
    mine, theirs = cls(*args, **kwargs), other(*args, **kwargs)
    assert seen(mine) == seen(theirs)
    assert mine == cls(*args, **kwargs) and theirs == other(*args, **kwargs)
    assert (mine == theirs) is False  # another class: NotImplemented both ways
    changed = dataclasses.replace(mine, **{dataclasses.fields(cls)[0].name: ["changed"]})
    assert (changed == mine) == (
        dataclasses.replace(theirs, **{dataclasses.fields(cls)[0].name: ["changed"]}) == theirs
    )
    assert cls.__hash__ is None and other.__hash__ is None


def test_fresh_defaults_and_compare_false_fields() -> None:
    a = Memory("abcd00001234", "fact", "T", "c")
    b = Memory("abcd00001234", "fact", "T", "c")
    a.tags.append("x")
    assert b.tags == []  # a new list each time, as default_factory
    b.tags.append("x")
    b.origin, b.foreign = Origin({}, {}), True  # compare=False
    assert a == b
    assert "origin" not in repr(a) and "foreign=False" in repr(a)
    assert pickle.loads(pickle.dumps(a)) == a


@pytest.mark.parametrize(
    "call",
    [
        lambda: Memory("a", "b", "c"),  # missing created
        lambda: Memory("a", "b", "c", "d", title="again"),
        lambda: Memory("a", "b", "c", "d", nope=1),
        lambda: Origin({}, {}, "", "too many"),
    ],
)
def test_bad_calls_raise_type_error_as_dataclasses_do(call: Any) -> None:
    with pytest.raises(TypeError):
        call()


def test_what_it_does_not_support_is_refused() -> None:
    with pytest.raises(TypeError, match="not supported"):

        @dataclass_without_code
        class Later:
            """A docstring."""

            x: int

            def __post_init__(self) -> None: ...


def test_a_class_s_own_methods_are_refused_not_replaced() -> None:
    """dataclasses keeps a class's own __repr__/__eq__/__hash__ and leaves init=False fields
    out of __init__; the closures would replace the one and take the other: refused."""
    with pytest.raises(TypeError, match="its own __repr__ is not supported"):

        @dataclass_without_code
        class OwnRepr:
            """A docstring."""

            x: int

            def __repr__(self) -> str:
                return "mine"

    with pytest.raises(TypeError, match="its own __eq__, __hash__ is not supported"):

        @dataclass_without_code
        class OwnHash:
            """A docstring."""

            x: int

            def __eq__(self, other: object) -> bool:
                return True

            def __hash__(self) -> int:
                return 1

    with pytest.raises(TypeError, match="init=False are not supported"):

        @dataclass_without_code
        class NotInInit:
            """A docstring."""

            x: int
            y: int = dataclasses.field(default=0, init=False)


def test_a_recursive_repr_stops() -> None:
    origin = Origin({}, {})
    origin.values["self"] = origin
    assert repr(origin) == "Origin(raw={}, values={'self': ...}, preamble='')"
