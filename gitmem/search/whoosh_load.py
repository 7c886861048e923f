"""Whoosh, loaded once for `index.py` and the `whoosh_*` modules: they import its names from here.

Some things happen while it loads, which is why the others take its names from here (and import
more of it only inside functions, once it is loaded):
- `whoosh.compat` imports `urllib.request` (and with it http, email, ssl: ~30% of Whoosh's
  import time) for one function no search uses. While Whoosh loads, that module is a stand-in
  whose function imports the real one on call; afterwards later imports get the real module.
- `whoosh.filedb.filetables` takes `md5` from `hashlib` (its hash tables' keys), and loading
  `hashlib` loads OpenSSL (~2.5 ms): it gets the standard library's own `_md5` instead.
- `whoosh.query` imports `whoosh.lang.morph_en` (English word variations: ~4 ms compiling one
  huge regex) for the `Variations` query, which gitmem never builds; it gets the same kind of
  stand-in.
- Modules Whoosh imports for functions no search calls get stand-ins too: `shutil`'s
  `copyfileobj` (shutil loads bz2 and lzma), `html`'s `escape` (html.entities' tables), and
  whole modules used only inside functions (`tempfile`, `random`, `calendar`, `queue`), which
  are the real ones on first use of any attribute (`_Later`): ~4.5 ms of a one-shot search.
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


def _copyfileobj(*args: Any, **kwargs: Any) -> Any:
    from shutil import copyfileobj

    return copyfileobj(*args, **kwargs)


def _htmlescape(*args: Any, **kwargs: Any) -> Any:
    from html import escape

    return escape(*args, **kwargs)


class _Later(types.ModuleType):
    """A module Whoosh imports whole and uses only inside functions: the real one of its name
    on first use of any attribute (by then the stand-in has left `sys.modules`)."""

    def __getattr__(self, name: str) -> Any:
        if sys.modules.get(self.__name__) is self:  # used while Whoosh loads: the real one now
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


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
    "shutil": ("copyfileobj", _copyfileobj),  # with bz2 and lzma: ~1.7 ms
    "html": ("escape", _htmlescape),  # html.entities' tables: ~1.1 ms
}
# Imported whole, used inside functions only (tempfile also imports shutil): ~1.8 ms.
_WHOLE = ("tempfile", "random", "calendar", "queue")
_STAND_INS: dict[str, types.ModuleType] = {}
for _name in [*_LATER, *_WHOLE]:
    if _name not in sys.modules:
        _STAND_INS[_name] = types.ModuleType(_name) if _name in _LATER else _Later(_name)
        if _name in _LATER:
            setattr(_STAND_INS[_name], *_LATER[_name])
        sys.modules[_name] = _STAND_INS[_name]
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
        for _name, _stand_in in _STAND_INS.items():
            if sys.modules.get(_name) is _stand_in:
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
