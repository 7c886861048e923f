"""gitmem: a git-native memory for software teams and their AI coding assistants.

Also the one helper for loading a standard-library module without the modules it imports for
functions gitmem never calls (`stand_in`, `withdraw`): `pathlib` here, `dataclasses` in
`gitmem.store.lazy`, Whoosh in `gitmem.search.whoosh_load`.
"""

from __future__ import annotations

import sys

__version__ = "0.1.0"

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
