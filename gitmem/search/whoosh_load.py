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
- Whoosh's own modules a plain-words search never calls into get the same kind of stand-in:
  the Porter stemmer (module-level regexes) and Double Metaphone that `analysis.morph` imports,
  Levenshtein automata and distances, the loader of a 2011 index format, DATETIME conversions,
  `mmap`, `decimal` (a `Decimal` that is the real one for `isinstance` and calls, not by
  identity); `threading` gets `Lock` itself (`_thread.allocate_lock`). `whoosh.sorting` is loaded
  by a search by date (`load_sorting`), Snowball's English stemmer alone by the first word a
  process stems (`english_stemmer`); `whoosh.query`'s submodules of queries a plain-words
  search never builds when one of their names is first asked for (`_deferred_query`).
- Its hash tables (each segment's terms) read their directory in one read
  (`whoosh_hashdir`), not 256; its byte columns sum their offsets at C speed
  (`whoosh_varbytes`).
- Whoosh 2.7.4 has `x is 0` comparisons: compiling it without cached bytecode would print
  SyntaxWarnings to the user.

The stand-ins are in `sys.modules` only while Whoosh loads, and only in a process with one
thread (`gitmem.stand_in`): a long-lived process's later imports get the real modules.

Whoosh's query parser (`whoosh.qparser`) is loaded only for a query in our syntax
(`load_qparser`): plain words never need it.
"""

from __future__ import annotations

import _thread
import importlib
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

from gitmem import calls_real, real_module, stand_in, withdraw

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


def _md5() -> Any:
    try:  # the same digest, without loading OpenSSL
        return importlib.import_module("_md5").md5
    except ImportError:
        return importlib.import_module("hashlib").md5


class _DecimalClass(type):
    """Instance checks, subclass checks and calls answered by the real `decimal.Decimal`."""

    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, real_module("decimal").Decimal)

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, real_module("decimal").Decimal)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return real_module("decimal").Decimal(*args, **kwargs)


class Decimal(metaclass=_DecimalClass):
    """What `whoosh.fields` takes as `decimal.Decimal` (NUMERIC fields of decimals, which no
    gitmem schema has): the real class for `isinstance` and for making one, without loading
    `decimal` (its C module and `contextvars`: ~1.5-2.5 ms of a one-shot search). Not the real
    class by identity: `NUMERIC(decimal.Decimal, ...)` in a process that loaded Whoosh here
    would be refused as an unknown type."""


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
    # Whoosh's own modules a plain-words search never calls into (~3 ms of a one-shot search):
    # the Porter stemmer (its module-level regexes) and Double Metaphone of `analysis.morph`
    # (gitmem stems with Snowball, `index.stem`), Levenshtein automata and distances (near
    # misses are found by `whoosh_words`' own walk), the loader of a 2011 index format,
    # `datetime` conversions of DATETIME fields, and `mmap` (`supports_mmap=False`: no maps).
    "whoosh.lang.porter": {"stem": calls_real("whoosh.lang.porter", "stem")},
    "whoosh.lang.dmetaphone": {
        "double_metaphone": calls_real("whoosh.lang.dmetaphone", "double_metaphone")
    },
    "whoosh.automata.lev": {},
    "whoosh.support.levenshtein": {
        "distance": calls_real("whoosh.support.levenshtein", "distance")
    },
    "whoosh.legacy": {"toc_loaders": {-110: calls_real("whoosh.legacy", "load_110_toc")}},
    "whoosh.util.times": {
        "datetime_to_long": calls_real("whoosh.util.times", "datetime_to_long"),
        "long_to_datetime": calls_real("whoosh.util.times", "long_to_datetime"),
    },
    "mmap": {},
    "decimal": {"Decimal": Decimal},
    # `from threading import Lock` (Whoosh's caches and storages): `threading.Lock` is
    # `_thread.allocate_lock` itself, so the same lock without loading `threading` (~0.5 ms).
    "threading": {"Lock": _thread.allocate_lock},
    "whoosh.highlight": {},  # (`whoosh_search` makes its `Results` without a Highlighter)
}

# `whoosh.query` imports every kind of query from its submodules (`from ... import *`); these
# are queries a plain-words search never builds (phrases and sequences, ranges, nested
# documents, columns, spans: ~1.5 ms). Stood in while Whoosh loads, they are loaded when one
# of `whoosh.query`'s names is missing (`_deferred_query`), in the package's order, each
# adding its names as its star import would have: `query.Phrase` is what it always was.
_DEFERRED_QUERIES = (
    "whoosh.query.positional",
    "whoosh.query.ranges",
    "whoosh.query.nested",
    "whoosh.query.qcolumns",
    "whoosh.query.spans",
)
_STAND_INS.update({name: {} for name in _DEFERRED_QUERIES})


def _deferred_query(name: str) -> Any:
    """`whoosh.query.<name>` when it is not there yet (PEP 562): the deferred submodules'
    names, added one submodule at a time until `name` is among them."""
    package = sys.modules["whoosh.query"]
    if not (name.startswith("__") and name.endswith("__")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            for module_name in _DEFERRED_QUERIES:
                module = importlib.import_module(module_name)
                for key, value in vars(module).items():
                    if not key.startswith("_"):
                        package.__dict__.setdefault(key, value)
                if name in package.__dict__:
                    return package.__dict__[name]
    raise AttributeError(f"module 'whoosh.query' has no attribute {name!r}")


_placed = stand_in(_STAND_INS)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", SyntaxWarning)
    try:
        import whoosh.codec.whoosh3  # noqa: F401 - the codec every index opens (the warnings)
        from whoosh import analysis, columns, fields, matching, query
        from whoosh.compat import dumps
        from whoosh.filedb.filestore import FileStorage
        from whoosh.index import FileIndex
        from whoosh.reading import IndexReader
        from whoosh.searching import Searcher
        from whoosh.system import pack_uint
        from whoosh.util.numeric import byte_to_length
    finally:
        withdraw(_placed)
if any(module.__name__ in _DEFERRED_QUERIES for module in _placed):
    query.__getattr__ = _deferred_query

from gitmem.search import whoosh_hashdir, whoosh_varbytes  # noqa: E402 - once Whoosh is loaded

whoosh_hashdir.install()
whoosh_varbytes.install()


def english_stemmer() -> Callable[[str], str]:
    """Snowball's English stemmer: `stemmer_for_language("en")`, without the stemmers of the
    thirteen other languages that `whoosh.lang.snowball`'s package module imports (~1.5 ms).
    Its class is the one that package names for "en" when it is loaded later."""
    import whoosh.lang

    folder = [str(Path(whoosh.lang.__file__).with_name("snowball"))]
    placed = stand_in({"whoosh.lang.snowball": {"__path__": folder}})
    try:
        from whoosh.lang.snowball.english import EnglishStemmer
    finally:
        withdraw(placed)
    stem: Callable[[str], str] = EnglishStemmer().stem
    return stem


def load_sorting() -> Any:
    """`whoosh.sorting` (~0.5 ms), for results by date: relevance never needs it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        from whoosh import sorting
    return sorting


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
    "english_stemmer",
    "fields",
    "load_qparser",
    "load_sorting",
    "matching",
    "pack_uint",
    "query",
]
