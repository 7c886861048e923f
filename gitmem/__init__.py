"""gitmem: a git-native memory for software teams and their AI coding assistants.

Also the one helper for loading a standard-library module without the modules it imports for
functions gitmem never calls (`stand_in`, `withdraw`): `pathlib` here, `dataclasses` in
`gitmem.store.lazy`, Whoosh in `gitmem.search.whoosh_load`.
"""

from __future__ import annotations

import sys

from gitmem import early

__version__ = "0.1.0"

# A one-shot `git mem show|list|search`: the git it will wait for starts now, before the rest
# of gitmem (and `pathlib` below) loads; the command takes it only if it is still right.
early.start_for_script()

TYPE_CHECKING = False  # not `typing`'s: what this module loads, every command loads
if TYPE_CHECKING:
    import re
    from collections.abc import Callable, Mapping
    from types import ModuleType
    from typing import Any
else:
    ModuleType = type(sys)  # without importing `types`


class StandIn(ModuleType):
    """A module in `sys.modules` only while another module loads (`stand_in`), for one that
    module imports but uses only inside functions. The names it was given are its own; any
    other is the real module's, imported then, so a module that kept the stand-in (or took a
    name from it) works as with the real one, only later."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):  # the import system's questions
            raise AttributeError(name)
        return getattr(real_module(self.__name__), name)


def real_module(name: str) -> ModuleType:
    """The module `name`, imported now if only a stand-in was there."""
    if isinstance(sys.modules.get(name), StandIn):
        del sys.modules[name]
    __import__(name)
    return sys.modules[name]


def calls_real(module: str, name: str) -> Callable[..., Any]:
    """A function that is `module.name`, importing `module` when first called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(real_module(module), name)(*args, **kwargs)

    return call


def one_thread() -> bool:
    """No other Python thread runs, so none can import (or see) a module while a stand-in is in
    `sys.modules` (the index service and MCP server have threads: they load plainly)."""
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def stand_in(modules: Mapping[str, Mapping[str, Any]]) -> list[StandIn]:
    """Put a stand-in, with the names given, in `sys.modules` for each module not loaded yet;
    none in a process with other threads. Give what it returns to `withdraw` (in `finally`)."""
    if not one_thread():
        return []
    placed = []
    for name, names in modules.items():
        if name not in sys.modules:
            module = StandIn(name)
            module.__dict__.update(names)
            sys.modules[name] = module
            placed.append(module)
    return placed


def withdraw(placed: list[StandIn]) -> None:
    """Take the stand-ins out of `sys.modules`: later imports get the real modules."""
    for module in placed:
        if sys.modules.get(module.__name__) is module:
            del sys.modules[module.__name__]


if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple  # what mypy checks: typing's own
else:

    def NamedTuple(*args: Any, **kwargs: Any) -> Any:
        raise TypeError("gitmem.NamedTuple: use the class syntax")

    class _NamedTupleMeta(type):
        def __new__(mcls, name: str, bases: tuple[type, ...], ns: dict[str, Any]) -> type:
            if not bases:  # the base itself
                return super().__new__(mcls, name, bases, ns)
            if bases != (_NamedTupleBase,):  # a mixin or Generic would be dropped silently
                raise TypeError("gitmem.NamedTuple: no other base class is supported")
            return named_tuple(name, ns)

    _NamedTupleBase = _NamedTupleMeta("NamedTuple", (), {})
    NamedTuple.__mro_entries__ = lambda bases: (_NamedTupleBase,)

# The names a NamedTuple's body may not define (typing's `_prohibited`).
_PROHIBITED = frozenset(
    {"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults"}
    | {"_make", "_replace", "_asdict", "_source"}
)


def named_tuple(name: str, ns: dict[str, Any]) -> type:
    """The class `class <name>(NamedTuple): <ns>` makes, as typing.NamedTuple makes it (a tuple
    with a field per annotation, its defaults, `_make`, `_replace`, `_asdict`, its methods), but
    with no code compiled at run time: typing's compiles each annotation (to check it) and
    collections' `namedtuple` its `__new__`, ~0.1-0.2 ms a class; the read path's modules
    declare a dozen. `gitmem.NamedTuple`
    is typing's for mypy, this at run time; tests/store/named_tuple_test.py compares them."""
    try:
        from collections import _tuplegetter  # type: ignore[attr-defined]  # as namedtuple's
    except ImportError:  # another Python than CPython

        def _tuplegetter(index: int, doc: str) -> property:
            from operator import itemgetter

            return property(itemgetter(index), doc=doc)

    fields = tuple(ns.get("__annotations__", {}))
    defaults = {field: ns[field] for field in fields if field in ns}
    after_default = False
    for field in fields:
        if field in defaults:
            after_default = True
        elif after_default:
            raise TypeError(f"Non-default namedtuple field {field} cannot follow default field")
    count = len(fields)
    tuple_new = tuple.__new__

    def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
        if len(args) > count:
            raise TypeError(f"{name}() takes {count} arguments but {len(args)} were given")
        values = list(args)
        for field in fields[len(args) :]:
            if field in kwargs:
                values.append(kwargs.pop(field))
            elif field in defaults:
                values.append(defaults[field])
            else:
                raise TypeError(f"{name}() missing required argument: {field!r}")
        if kwargs:
            raise TypeError(
                f"{name}() got an unexpected or repeated argument: {next(iter(kwargs))!r}"
            )
        return tuple_new(cls, values)

    def _make(cls: type, iterable: Any) -> Any:
        result: tuple[Any, ...] = tuple_new(cls, iterable)
        if len(result) != count:
            raise TypeError(f"Expected {count} arguments, got {len(result)}")
        return result

    def _replace(self: Any, /, **changes: Any) -> Any:
        result = self._make(map(changes.pop, fields, self))
        if changes:
            raise ValueError(f"Got unexpected field names: {list(changes)!r}")
        return result

    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{field}={value!r}" for field, value in zip(fields, self, strict=True))
        return f"{self.__class__.__name__}({shown})"

    body: dict[str, Any] = {
        "__doc__": f"{name}({', '.join(fields)})",
        "__slots__": (),
        "_fields": fields,
        "_field_defaults": defaults,
        "__new__": __new__,
        "_make": classmethod(_make),
        "_replace": _replace,
        "__repr__": __repr__,
        "_asdict": lambda self: dict(zip(fields, self, strict=True)),
        "__getnewargs__": lambda self: tuple(self),
        "__match_args__": fields,
        "__annotations__": dict(ns.get("__annotations__", {})),
    }
    for index, field in enumerate(fields):
        body[field] = _tuplegetter(index, f"Alias for field number {index}")
    for key, value in ns.items():
        if key in _PROHIBITED:
            raise AttributeError(f"Cannot overwrite NamedTuple attribute {key}")
        if key not in ("__annotations__", *fields):
            body[key] = value
    made = type(name, (tuple,), body)
    __new__.__qualname__ = f"{made.__qualname__}.__new__"
    return made


class LaterPattern:
    """A regex compiled at its first use, for a module-level pattern the read path's commands
    rarely use (one a writer, a usage error or a rare input needs): each costs 0.05-0.3 ms to
    compile, and a one-shot `git mem show` is ~40 ms."""

    __slots__ = ("_compiled", "_flags", "_source")

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source, self._flags = source, flags
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            import re

            self._compiled = re.compile(self._source, self._flags)
        return self._compiled

    def search(self, string: str) -> re.Match[str] | None:
        return self.compiled().search(string)

    def fullmatch(self, string: str) -> re.Match[str] | None:
        return self.compiled().fullmatch(string)

    def sub(self, replacement: str | Callable[[re.Match[str]], str], string: str) -> str:
        return self.compiled().sub(replacement, string)


def _load_pathlib() -> None:
    """`pathlib`, loaded without `urllib.parse` (and the `ipaddress` it loads: ~2 ms of every
    command), which it imports for one function, `Path.as_uri`'s."""
    if "pathlib" in sys.modules:
        return
    placed = stand_in(
        {"urllib.parse": {"quote_from_bytes": calls_real("urllib.parse", "quote_from_bytes")}}
    )
    try:
        import pathlib  # noqa: F401 - loaded here, used by everything
    except ImportError:
        pass
    finally:
        withdraw(placed)


_load_pathlib()
