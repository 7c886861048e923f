"""Whoosh, loaded once for `index.py` and the `whoosh_*` modules: they import its names from here.

Two things happen while it loads, which is why the others take its names from here (and import
more of it only inside functions, once it is loaded):
- `whoosh.compat` imports `urllib.request` (and with it http, email, ssl: ~30% of Whoosh's
  import time) for one function no search uses. While Whoosh loads, that module is a stand-in
  whose function imports the real one on call; afterwards later imports get the real module.
- `whoosh.filedb.filetables` takes `md5` from `hashlib` (its hash tables' keys), and loading
  `hashlib` loads OpenSSL (~2.5 ms): it gets the standard library's own `_md5` instead.
- `whoosh.query` imports `whoosh.lang.morph_en` (English word variations: ~4 ms compiling one
  huge regex) for the `Variations` query, which gitmem never builds; it gets the same kind of
  stand-in.
- Whoosh 2.7.4 has `x is 0` comparisons: compiling it without cached bytecode would print
  SyntaxWarnings to the user.

Whoosh's query parser (`whoosh.qparser`) is loaded only for a query in our syntax
(`load_qparser`): plain words never need it.
"""

from __future__ import annotations

import importlib
import sys
import types
import warnings
from typing import Any


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def _variations(word: str) -> Any:
    return importlib.import_module("whoosh.lang.morph_en").variations(word)


def _md5() -> Any:
    try:  # the same digest, without loading OpenSSL
        return importlib.import_module("_md5").md5
    except ImportError:
        return importlib.import_module("hashlib").md5


# module -> (name, what it stands for): for urllib.request and morph_en a function that imports
# the real module when called; for hashlib the md5 itself, taken from _md5 now (no OpenSSL).
_LATER = {
    "urllib.request": ("urlretrieve", _urlretrieve),
    "whoosh.lang.morph_en": ("variations", _variations),
    "hashlib": ("md5", _md5()),
}
_STAND_INS = [name for name in _LATER if name not in sys.modules]
for _name in _STAND_INS:
    sys.modules[_name] = types.ModuleType(_name)
    setattr(sys.modules[_name], *_LATER[_name])
with warnings.catch_warnings():
    warnings.simplefilter("ignore", SyntaxWarning)
    try:
        import whoosh.codec.whoosh3  # noqa: F401 - the codec every index opens (the warnings)
        from whoosh import analysis, columns, fields, matching, query, sorting
        from whoosh.compat import dumps
        from whoosh.filedb.filestore import FileStorage
        from whoosh.index import FileIndex
        from whoosh.lang import stemmer_for_language
        from whoosh.reading import IndexReader
        from whoosh.searching import Searcher
        from whoosh.system import pack_uint
        from whoosh.util.numeric import byte_to_length
    finally:
        for _name in _STAND_INS:
            del sys.modules[_name]


def load_qparser() -> Any:
    """`whoosh.qparser` (~2 ms with its plugins), for a query in our syntax."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        from whoosh import qparser
    return qparser


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
    "load_qparser",
    "matching",
    "pack_uint",
    "query",
    "sorting",
    "stemmer_for_language",
]
