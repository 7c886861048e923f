"""Whoosh, loaded once for `index.py` and the `whoosh_*` modules: they import its names from here.

Two things happen while it loads, which is why the others take its names from here (and import
more of it only inside functions, once it is loaded):
- `whoosh.compat` imports `urllib.request` (and with it http, email, ssl: ~30% of Whoosh's
  import time) for one function no search uses. While Whoosh loads, that module is a stand-in
  whose function imports the real one on call; afterwards later imports get the real module.
- Whoosh 2.7.4 has `x is 0` comparisons: compiling it without cached bytecode would print
  SyntaxWarnings to the user.
"""

from __future__ import annotations

import sys
import types
import warnings
from typing import Any


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


_STAND_IN = "urllib.request" not in sys.modules
if _STAND_IN:
    sys.modules["urllib.request"] = types.ModuleType("urllib.request")
    sys.modules["urllib.request"].urlretrieve = _urlretrieve  # type: ignore[attr-defined]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", SyntaxWarning)
    try:
        import whoosh.codec.whoosh3  # noqa: F401 - the codec every index opens (the warnings)
        from whoosh import analysis, columns, fields, matching, qparser, query, sorting
        from whoosh.compat import dumps
        from whoosh.filedb.filestore import FileStorage
        from whoosh.index import FileIndex
        from whoosh.lang import stemmer_for_language
        from whoosh.reading import IndexReader
        from whoosh.searching import Searcher
        from whoosh.system import pack_uint
        from whoosh.util.numeric import byte_to_length
    finally:
        if _STAND_IN:
            del sys.modules["urllib.request"]

__all__ = [
    "FileIndex",
    "FileStorage",
    "IndexReader",
    "Searcher",
    "analysis",
    "byte_to_length",
    "columns",
    "dumps",
    "fields",
    "matching",
    "pack_uint",
    "qparser",
    "query",
    "sorting",
    "stemmer_for_language",
]
