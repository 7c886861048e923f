"""gitmem.NamedTuple (typing's for mypy, a class built without compiling code at run time) makes
classes that behave as typing.NamedTuple's: the same class body, compared side by side; and
the read path's modules declare theirs with it (no code compiled for them: -X importtime would
not show it, so the modules' classes are checked)."""

from __future__ import annotations

import copy
import pickle
import typing
from typing import Any

import pytest

import gitmem


def declare(base: Any) -> Any:
    class Point(base):
        """A point."""

        x: int
        label: str = "origin"
        tags: tuple[str, ...] = ()

        @property
        def shifted(self) -> int:
            return self.x + 1

        def describe(self) -> str:
            return f"{self.label}@{self.x}"

    return Point


THEIRS, MINE = declare(typing.NamedTuple), declare(gitmem.NamedTuple)


def behaviour(cls: Any) -> list[Any]:
    """What a caller can see of a NamedTuple class, as plain values."""
    a, b = cls(1), cls(2, "b", tags=("t",))
    seen: list[Any] = [
        tuple(a), tuple(b), a == (1, "origin", ()), a == cls(1), hash(a) == hash((1, "origin", ())),
        repr(b).replace(cls.__qualname__, "Point"), cls._fields, cls._field_defaults,
        cls.__match_args__, cls.__doc__, b._asdict(), tuple(b._replace(x=5)),
        tuple(cls._make([3, "c", ()])), a.shifted, b.describe(), b.x, b[1], b[-1],
        isinstance(a, tuple), cls.__slots__, cls.x.__doc__, cls.__name__,
        tuple(copy.copy(b)), tuple(copy.deepcopy(b)), not hasattr(a, "__dict__"),
        cls(x=4) == (4, "origin", ()), [*cls(7)], cls.describe.__name__,
    ]  # fmt: skip
    match b:
        case cls(x, label):
            seen.append((x, label))
    for wrong in (lambda: cls(), lambda: cls(1, 2, 3, 4), lambda: cls(1, nope=2)):
        with pytest.raises(TypeError):
            wrong()
    with pytest.raises(ValueError, match="Got unexpected field names"):
        b._replace(nope=1)
    with pytest.raises(TypeError, match="Expected 3 arguments, got 1"):
        cls._make([1])
    with pytest.raises(AttributeError):
        b.x = 3  # type: ignore[misc]
    return seen


def test_classes_behave_as_typings() -> None:
    assert behaviour(MINE) == behaviour(THEIRS)


class Module(gitmem.NamedTuple):
    """Declared at module level: pickles by reference, as typing's do."""

    name: str
    size: int = 0


def test_a_module_level_class_pickles_and_keeps_its_module() -> None:
    value = Module("a", 2)
    assert pickle.loads(pickle.dumps(value)) == value
    assert type(pickle.loads(pickle.dumps(value))) is Module
    assert (Module.__module__, Module.__qualname__) == (__name__, "Module")
    assert Module.__annotations__ == {"name": "str", "size": "int"}


def test_bodies_typing_refuses_are_refused() -> None:
    with pytest.raises(TypeError, match="Non-default namedtuple field b cannot follow"):

        class Bad(gitmem.NamedTuple):
            a: int = 1
            b: int

    with pytest.raises(AttributeError, match="Cannot overwrite NamedTuple attribute _replace"):

        class Worse(gitmem.NamedTuple):
            a: int

            def _replace(self) -> None: ...

    class Mixin:
        def describe(self) -> str:
            return "mixed"

    # typing.NamedTuple refuses a mixin (and makes Generic ones generic): not dropped silently.
    with pytest.raises(TypeError, match="no other base class is supported"):

        class Mixed(gitmem.NamedTuple, Mixin):  # type: ignore[misc]
            a: int


@pytest.mark.parametrize(
    "name",
    [
        "gitmem.store.git.RepoInfo", "gitmem.store.git.RefTip", "gitmem.store.types.MemoryType",
        "gitmem.store.fields.Field", "gitmem.store.config.Config", "gitmem.search.changes.Document",
        "gitmem.search.changes.Problem", "gitmem.search.worktree.GitState",
        "gitmem.search.worktree.Probe", "gitmem.records.store.Stored",
    ],
)  # fmt: skip
def test_the_read_paths_tuples_are_built_without_code(name: str) -> None:
    """Their `__new__` is gitmem's (not collections' generated `__new__`, which is compiled)."""
    import importlib

    module, _, attribute = name.rpartition(".")
    cls = getattr(importlib.import_module(module), attribute)
    assert issubclass(cls, tuple)
    assert cls.__new__.__code__.co_filename == gitmem.__file__
