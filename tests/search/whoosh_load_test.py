"""`search.whoosh_load`: Whoosh loaded with stand-ins for what no search uses (a fresh
interpreter: this one has Whoosh loaded). A search loads none of those modules; each stand-in
is the real thing when used, and later imports get the real modules."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from importtime import gitmem_loads

# Modules a plain-words search needs none of: each stood in while Whoosh loads, or loaded
# only by what uses it (`whoosh.sorting`, `whoosh.qparser`, Snowball's other languages).
KEPT_OUT = (
    "urllib.request",
    "hashlib",
    "shutil",
    "html",
    "tempfile",
    "random",
    "calendar",
    "queue",
    "whoosh.lang.morph_en",
    "whoosh.lang.porter",
    "whoosh.lang.dmetaphone",
    "whoosh.automata.lev",
    "whoosh.support.levenshtein",
    "whoosh.legacy",
    "whoosh.util.times",
    "whoosh.sorting",
    "whoosh.qparser",
    "whoosh.lang.snowball",
    "whoosh.lang.snowball.danish",
    "mmap",
    "threading",
    "decimal",
    "whoosh.query.positional",
    "whoosh.query.ranges",
    "whoosh.query.nested",
    "whoosh.query.qcolumns",
    "whoosh.query.spans",
    "whoosh.highlight",
)

SCRIPT = """
import sys
kept_out = sys.argv[1].split()
from gitmem.search import whoosh_load
print(sorted(name for name in kept_out if name in sys.modules))
# The stand-ins' names, used as Whoosh uses them: each the real function.
import whoosh.compat, whoosh.util, whoosh.filedb.compound, whoosh.filedb.filestore
import whoosh.analysis.morph, whoosh.codec.base, whoosh.reading, whoosh.fields, whoosh.index
import whoosh.util.cache
print(whoosh.compat.htmlescape("<a & b>"))
print(len(whoosh.util.random_name(8)))
print(whoosh.filedb.filestore.tempfile.gettempdir() != "")
import io
out = io.BytesIO(); whoosh.filedb.compound.copyfileobj(io.BytesIO(b"abc"), out)
print(out.getvalue())
print(whoosh.compat.queue.Queue().empty())
print(whoosh.analysis.morph.StemFilter().stemfn("deploying"))
print(whoosh.analysis.morph.double_metaphone("Thompson"))
print(whoosh.codec.base.lev.levenshtein_automaton("ab", 1).to_dfa().accept("abc"))
print(whoosh.reading.distance("deploy", "deplyo", limit=3))
print(sorted(whoosh.index.toc_loaders), callable(whoosh.index.toc_loaders[-110]))
from datetime import datetime
when = datetime(2026, 12, 5, 3, 4, 5)
print(whoosh.fields.long_to_datetime(whoosh.fields.datetime_to_long(when)) == when)
print(whoosh.filedb.compound.mmap.ACCESS_READ == 1)
import decimal
made = whoosh.fields.Decimal("1.50")
print(type(made) is decimal.Decimal, made == decimal.Decimal("1.5"),
      isinstance(decimal.Decimal(2), whoosh.fields.Decimal), isinstance(2, whoosh.fields.Decimal),
      issubclass(decimal.Decimal, whoosh.fields.Decimal))
lock = whoosh.filedb.compound.Lock(); print(lock.acquire(False), lock.locked())
print(whoosh_load.load_sorting().FieldFacet("created").fieldname)
import whoosh.searching
print(type(whoosh.searching.highlight.Highlighter()).__module__)
import whoosh.query
phrase = whoosh.query.Phrase
print(phrase is sys.modules["whoosh.query.positional"].Phrase, "whoosh.query.spans" in sys.modules)
from whoosh.query import ColumnQuery, NestedParent, NumericRange, Sequence, SpanNear
import whoosh.query.spans, whoosh.query.nested, whoosh.query.ranges, whoosh.query.qcolumns
print(SpanNear is whoosh.query.spans.SpanNear, NestedParent is whoosh.query.nested.NestedParent,
      NumericRange is whoosh.query.ranges.NumericRange, Sequence is whoosh.query.Sequence,
      ColumnQuery is whoosh.query.qcolumns.ColumnQuery, whoosh.query.Term("a", "b").text)
try:
    whoosh.query.NoSuchQuery
except AttributeError as error:
    print(error)
print(whoosh_load.english_stemmer()("deployments"))
import whoosh.lang.snowball
english = sys.modules["whoosh.lang.snowball.english"]
print(whoosh.lang.snowball.classes["en"] is english.EnglishStemmer)
import random, tempfile, shutil, calendar, threading, whoosh.lang.porter, whoosh.legacy
print([type(m).__name__ for m in (random, tempfile, shutil, calendar, threading)])
porter, morph = whoosh.lang.porter, whoosh.analysis.morph
print(porter.stem is not morph.stem, type(threading.Lock()) is type(lock))
print(sorted(whoosh.legacy.toc_loaders) == sorted(whoosh.index.toc_loaders))
"""


def test_stand_ins_are_the_real_thing_when_used() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, " ".join(KEPT_OUT)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.splitlines() == [
        "[]",
        "&lt;a &amp; b&gt;",
        "8",
        "True",
        "b'abc'",
        "True",
        "deploi",  # (Porter's, not Snowball's)
        "('TMPSN', None)",
        "True",
        "1",  # (Damerau: one transposition)
        "[-110] True",
        "True",
        "True",
        "True True True False True",
        "True True",
        "created",
        "whoosh.highlight",
        "True False",
        "True True True True True b",
        "module 'whoosh.query' has no attribute 'NoSuchQuery'",
        "deploy",
        "True",
        "['module', 'module', 'module', 'module', 'module']",
        "True True",
        "True",
    ]


def _imported(cwd: Path, *argv: str) -> tuple[str, set[str]]:
    """A one-shot `git mem ARGV` in a fresh interpreter: its output and the modules it loaded
    (-X importtime, no clock)."""
    proc, loaded = gitmem_loads(argv, cwd, GITMEM_SERVICE="off", GITMEM_SEMANTIC="off")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, loaded


def test_a_search_in_plain_words_loads_none_of_them(
    repo: Path, g: Any, mem: Callable[..., Any]
) -> None:
    """Plain words: none of the modules kept out, no query parser; our syntax (a phrase, a
    field's value) loads the parser and still answers."""
    g.write_record(repo, "facts/a.md", "aaaa00000001", title="Deploying the alpha service")
    g.write_record(repo, "facts/b.md", "aaaa00000002", title="Bravo", body="Alpha deployments.")
    assert mem("list").code == 0  # the index built
    out, loaded = _imported(repo, "search", "alpha", "deploy", "--ids")
    assert out.split() == ["aaaa00000001", "aaaa00000002"]
    assert "whoosh.searching" in loaded
    # (`threading` and `hashlib`: Whoosh does without them, `gitmem.semantic.model` loads them)
    assert sorted(loaded & set(KEPT_OUT) - {"threading", "hashlib"}) == []
    out, loaded = _imported(repo, "search", '"alpha service"', "--ids")
    assert (out.split(), "whoosh.qparser" in loaded) == (["aaaa00000001"], True)
    out, loaded = _imported(repo, "search", "title:bravo", "OR", "title:alpha", "--ids")
    assert (sorted(out.split()), "whoosh.qparser" in loaded) == (
        ["aaaa00000001", "aaaa00000002"],
        True,
    )


THREADED = """
import sys, threading
stop = threading.Event()
waiting = threading.Thread(target=stop.wait)
waiting.start()
from gitmem.search import whoosh_load
import whoosh.query, whoosh.fields, decimal
stop.set()
print(sorted(name for name in sys.argv[1].split() if name not in sys.modules))
print(whoosh.fields.Decimal is decimal.Decimal, "__getattr__" in vars(whoosh.query))
"""


def test_a_process_with_threads_loads_whoosh_plainly() -> None:
    """Another thread could import a module while a stand-in is in `sys.modules`: none then,
    and nothing deferred (the index service, `serve` and the MCP server have threads)."""
    proc = subprocess.run(
        [sys.executable, "-c", THREADED, " ".join(KEPT_OUT)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        # (loaded by what uses them, threads or not)
        "['whoosh.lang.snowball', 'whoosh.lang.snowball.danish', 'whoosh.qparser', "
        "'whoosh.sorting']",
        "True False",
    ]
