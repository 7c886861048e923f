"""PyYAML, imported without the one regex its pure-Python reader compiles at import.

`yaml.reader` compiles, as its module loads, a class of every printable Unicode range
(`Reader.NON_PRINTABLE`): ~3.5 ms, a third of PyYAML's import, for the pure-Python reader,
which the C loader (libyaml, what gitmem parses with) never uses. While that module runs, its
`re.compile` gives a pattern compiled on first use instead; every other module's regexes, and
that one once used, are the real thing.
"""

from __future__ import annotations

import re
import sys
from types import ModuleType

from gitmem import one_thread

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


_READER = "yaml.reader"


class _LaterPattern:
    """A regex compiled when first used (only ever by PyYAML's pure-Python reader)."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


def load() -> ModuleType:
    """`yaml`, imported now (the first time, with the reader's regex left for later).

    Plainly when other threads run: `re.compile` is the module's, shared by every thread
    (and a module another thread is still importing must not be taken half-made)."""
    if "yaml" in sys.modules or not one_thread():
        import yaml

        return yaml
    compile_now = re.compile

    def compile_later(pattern: Any, flags: int = 0) -> Any:
        if sys._getframe(1).f_globals.get("__name__") == _READER and isinstance(pattern, str):
            return _LaterPattern(pattern, flags)
        return compile_now(pattern, flags)

    re.compile = compile_later
    try:
        import yaml
    finally:
        re.compile = compile_now
    return yaml
