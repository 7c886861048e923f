"""Standard-library modules the read path loads, without what it never uses.

`dataclasses` imports `inspect` (with `ast`, `dis`, `tokenize`, `linecache`: ~5 ms of every
`git mem list` and `show`, a tenth of their time at 10k records) to call `inspect.signature`
for a dataclass without a docstring. While `dataclasses` loads, `inspect` is a stand-in that
imports the real module on first use of any of its names; afterwards later imports get the
real module. `copy` (with `weakref`), which it imports for the deep copies of `asdict` and
`astuple`, is a stand-in likewise. The modules that define the read path's dataclasses (the
record, the filter) import `dataclasses` from here; once it is loaded, a plain
`import dataclasses` is the same module.
"""

from __future__ import annotations

import sys

from gitmem import stand_in, withdraw

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["dataclass_without_code", "dataclasses"]

# `copy` (and the `weakref` it loads: ~1 ms) only for `asdict` and `astuple`'s deep copies.
_placed = [] if "dataclasses" in sys.modules else stand_in({"inspect": {}, "copy": {}})
try:
    import dataclasses as dataclasses  # re-exported: `from gitmem.store.lazy import dataclasses`
finally:
    withdraw(_placed)


if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass_without_code
else:

    def dataclass_without_code(cls: type) -> type:
        """`@dataclasses.dataclass` (init, repr and eq) without compiling code at run time.

        The module generates `__init__`, `__repr__` and `__eq__` as source and compiles them,
        ~0.2-0.4 ms a class: the read path's record and filter classes. Here those three are
        closures over the fields dataclasses found (the class is a dataclass: `fields`,
        `replace`, `asdict` work), doing what the generated ones do; mypy sees
        `dataclasses.dataclass`. tests/store/lazy_dataclass_test.py compares them."""
        made = dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
        fields = dataclasses.fields(made)
        if hasattr(made, "__post_init__") or any(field.kw_only is True for field in fields):
            raise TypeError(f"{made.__name__}: __post_init__ and kw_only are not supported")
        # dataclasses keeps a class's own __init__, __repr__ and __eq__ (and __hash__, with
        # eq): these closures would replace them, silently.
        own = [name for name in ("__init__", "__repr__", "__eq__", "__hash__") if name in vars(cls)]
        if own:
            raise TypeError(f"{made.__name__}: its own {', '.join(own)} is not supported")
        if any(not field.init for field in fields):
            raise TypeError(f"{made.__name__}: fields with init=False are not supported")
        names = tuple(field.name for field in fields)
        compared = tuple(field.name for field in fields if field.compare)
        shown = tuple(field.name for field in fields if field.repr)
        missing = dataclasses.MISSING
        defaults = {
            field.name: (field.default, field.default_factory)
            for field in fields
            if field.default is not missing or field.default_factory is not missing
        }

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            if len(args) > len(names):
                raise TypeError(
                    f"__init__() takes {len(names) + 1} positional arguments "
                    f"but {len(args) + 1} were given"
                )
            for name, value in zip(names, args, strict=False):
                if name in kwargs:
                    raise TypeError(f"__init__() got multiple values for argument {name!r}")
                kwargs[name] = value
            for name in names:
                if name in kwargs:
                    setattr(self, name, kwargs.pop(name))
                elif name in defaults:
                    default, factory = defaults[name]
                    setattr(self, name, factory() if factory is not missing else default)
                else:
                    raise TypeError(f"__init__() missing 1 required positional argument: {name!r}")
            if kwargs:
                unexpected = next(iter(kwargs))
                raise TypeError(f"__init__() got an unexpected keyword argument {unexpected!r}")

        def __eq__(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                mine = tuple(getattr(self, name) for name in compared)
                return mine == tuple(getattr(other, name) for name in compared)
            return NotImplemented

        showing: set[tuple[int, int]] = set()  # dataclasses' guard against a recursive repr

        def __repr__(self: Any) -> str:
            import _thread

            key = (id(self), _thread.get_ident())
            if key in showing:
                return "..."
            showing.add(key)
            try:
                values = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
            finally:
                showing.discard(key)
            return f"{self.__class__.__qualname__}({values})"

        for function in (__init__, __eq__, __repr__):
            function.__qualname__ = f"{made.__qualname__}.{function.__name__}"
            setattr(made, function.__name__, function)
        made.__hash__ = None  # type: ignore[assignment]  # eq without frozen: as dataclasses
        return made
