"""Standard-library modules the read path loads, without what it never uses.

`dataclasses` imports `inspect` (with `ast`, `dis`, `tokenize`, `linecache`: ~5 ms of every
`git mem list` and `show`, a tenth of their time at 10k records) to call `inspect.signature`
for a dataclass without a docstring. While `dataclasses` loads, `inspect` is a stand-in that
imports the real module on first use of any of its names; afterwards later imports get the
real module. The modules that define the read path's dataclasses (the record, the filter)
import `dataclasses` from here; once it is loaded, a plain `import dataclasses` is the same
module.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


class _Later(types.ModuleType):
    """A module that is the real one of its name on first use of any attribute."""

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module(self.__name__), name)


_STAND_IN = "inspect" not in sys.modules and "dataclasses" not in sys.modules
if _STAND_IN:
    sys.modules["inspect"] = _Later("inspect")
try:
    import dataclasses as dataclasses  # re-exported: `from gitmem.store.lazy import dataclasses`
finally:
    if _STAND_IN:
        del sys.modules["inspect"]
