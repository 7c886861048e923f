"""gitmem: a git-native memory for software teams and their AI coding assistants."""

from __future__ import annotations

import sys

__version__ = "0.1.0"

TYPE_CHECKING = False  # not `typing`'s: what this module loads, every command loads
if TYPE_CHECKING:
    from typing import Any


def _quote_from_bytes(*args: Any, **kwargs: Any) -> Any:
    from urllib.parse import quote_from_bytes

    return quote_from_bytes(*args, **kwargs)


def _load_pathlib() -> None:
    """`pathlib`, loaded without `urllib.parse` (and the `ipaddress` it loads: ~2 ms of every
    command), which it imports for one function, `Path.as_uri`'s: while pathlib loads,
    `urllib.parse` is a stand-in whose function imports the real one on call; afterwards later
    imports get the real module. A pathlib that wants more of it loads as usual."""
    if "pathlib" in sys.modules or "urllib.parse" in sys.modules:
        return
    import types

    stand_in = types.ModuleType("urllib.parse")
    stand_in.__dict__["quote_from_bytes"] = _quote_from_bytes
    sys.modules["urllib.parse"] = stand_in
    try:
        import pathlib  # noqa: F401 - loaded here, used by everything
    except ImportError:
        pass
    finally:
        del sys.modules["urllib.parse"]


_load_pathlib()
