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

# `copy` (and the `weakref` it loads: ~1 ms) only for `asdict` and `astuple`'s deep copies.
_placed = [] if "dataclasses" in sys.modules else stand_in({"inspect": {}, "copy": {}})
try:
    import dataclasses as dataclasses  # re-exported: `from gitmem.store.lazy import dataclasses`
finally:
    withdraw(_placed)
