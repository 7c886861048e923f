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
  are the real ones on first use of any attribute (`gitmem.StandIn`): ~4.5 ms of a one-shot search.
- Its hash tables (each segment's terms) read their directory in one read
  (`whoosh_hashdir`), not 256.
- Whoosh 2.7.4 has `x is 0` comparisons: compiling it without cached bytecode would print
  SyntaxWarnings to the user.

The stand-ins are in `sys.modules` only while Whoosh loads, and only in a process with one
thread (`gitmem.stand_in`): a long-lived process's later imports get the real modules.

Whoosh's query parser (`whoosh.qparser`) is loaded only for a query in our syntax
(`load_qparser`): plain words never need it.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from gitmem import calls_real, stand_in, withdraw


def _md5() -> Any:
    try:  # the same digest, without loading OpenSSL
        return importlib.import_module("_md5").md5
    except ImportError:
        return importlib.import_module("hashlib").md5


# module -> the names its stand-in has (`gitmem.stand_in`): functions that import the real
# module when called, and for hashlib the md5 itself, taken from _md5 now (no OpenSSL). Any
# other name used is the real module's, imported then.
_STAND_INS = {
    "urllib.request": {"urlretrieve": calls_real("urllib.request", "urlretrieve")},
    "whoosh.lang.morph_en": {"variations": calls_real("whoosh.lang.morph_en", "variations")},
    "hashlib": {"md5": _md5()},
    "shutil": {"copyfileobj": calls_real("shutil", "copyfileobj")},  # with bz2 and lzma: ~1.7 ms
    "html": {"escape": calls_real("html", "escape")},  # html.entities' tables: ~1.1 ms
    # Imported whole, used inside functions only (tempfile also imports shutil): ~1.8 ms.
    "tempfile": {},
    "random": {},
    "calendar": {},
    "queue": {},
}
_placed = stand_in(_STAND_INS)
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
        withdraw(_placed)

from gitmem.search import whoosh_hashdir  # noqa: E402 - once Whoosh is loaded

whoosh_hashdir.install()


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
