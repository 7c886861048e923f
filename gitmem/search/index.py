"""The search index: Whoosh, under `<common-dir>/gitmem/index/` (the only module importing it).

Derived state (DESIGN §4): `catalog.py` decides what changed and hands the changes here; this
module owns the schema, writes documents, and answers queries. Everything in it can be deleted
at any time and is rebuilt from the files and notes.

Speed notes (issue 3, measured on this project's machines):
- Whoosh's analyzer chain yields one Token object per word through four generators; indexing
  body text with `fast_terms` (one regex, a stem cache) produces the same terms at ~2.5 times the
  speed. `analyzer_terms_match` in the tests keeps the two in step.
- `FileStorage(supports_mmap=False)`: opening a searcher costs ~5 ms instead of copying every
  posting into memory (FACTS.md).
- A full build with more than a few thousand documents uses two writer processes and keeps
  their two segments (`multisegment`), which roughly halves the build time on two cores.
"""

from __future__ import annotations

import itertools
import re
import struct
import sys
import types
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from gitmem.search.changes import Document
from gitmem.store.record import RETIRED_STATUSES


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


# `whoosh.compat` imports `urllib.request` (and with it http, email, ssl: ~30% of Whoosh's
# import time) for one function no search uses. While Whoosh loads, that module is a stand-in
# whose function imports the real one on call; afterwards later imports get the real module.
_STAND_IN = "urllib.request" not in sys.modules
if _STAND_IN:
    sys.modules["urllib.request"] = types.ModuleType("urllib.request")
    sys.modules["urllib.request"].urlretrieve = _urlretrieve  # type: ignore[attr-defined]
with warnings.catch_warnings():
    # Whoosh 2.7.4 has `x is 0` comparisons: compiling it without cached bytecode would print
    # SyntaxWarnings to the user.
    warnings.simplefilter("ignore", SyntaxWarning)
    try:
        import whoosh.codec.whoosh3  # noqa: F401 - the codec every index opens (the warnings)
        from whoosh import analysis, columns, fields, qparser, query, sorting
        from whoosh.compat import dumps
        from whoosh.filedb.filestore import FileStorage
        from whoosh.index import FileIndex
        from whoosh.lang import stemmer_for_language
        from whoosh.searching import Searcher
        from whoosh.system import pack_uint
        from whoosh.util.numeric import byte_to_length
    finally:
        if _STAND_IN:
            del sys.modules["urllib.request"]

Row = dict[str, Any]
BULK_THRESHOLD = 3000  # documents: from here on, a full build is worth a second process
TEXT_FIELDS = ("title", "summary", "body", "tags")
BOOSTS = {"title": 4.0, "summary": 2.0, "tags": 2.0}  # BM25F field weights; body 1
FIELD_ALIASES = {"tags": ["tag"], "paths": ["path"], "commits": ["commit"]}

_WORD = re.compile(r"\w+")
_STOP_WORDS = frozenset(analysis.STOP_WORDS)
stem = stemmer_for_language("en")  # Snowball (Porter2): deploy, deploying, deployment agree
_stems: dict[str, str] = {}  # word -> stem ("" for a stop word): most text repeats words


def fast_terms(text: str) -> list[str]:
    """The terms ANALYZER yields for `text`, in order, without building Token objects."""
    terms: list[str] = []
    cache = _stems
    for word in _WORD.findall(text):
        term = cache.get(word)
        if term is None:
            lowered = word.lower()  # per word, as LowercaseFilter does ("İ" lowers to 2 chars)
            term = "" if len(lowered) < 2 or lowered in _STOP_WORDS else stem(lowered)
            cache[word] = term
        if term:
            terms.append(term)
    return terms


# The analyzer Whoosh uses for queries, highlighting and spelling; `fast_terms` for indexing.
ANALYZER = (
    analysis.RegexTokenizer(r"\w+")
    | analysis.LowercaseFilter()
    | analysis.StopFilter()
    | analysis.StemFilter(stemfn=stem, cachesize=-1)
)


class FastText(fields.TEXT):  # type: ignore[misc]
    """A TEXT field (stemmed, with positions for phrases) indexed through `fast_terms`."""

    def index(self, value: str, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        boost = self.format.field_boost
        positions: dict[str, list[int]] = {}
        for position, term in enumerate(fast_terms(value)):
            found = positions.get(term)
            if found is None:
                positions[term] = [position]
            else:
                found.append(position)
        for term, found in positions.items():
            yield term.encode(), len(found), len(found) * boost, encode_positions(found)


_single: dict[int, bytes] = {}  # most terms occur once in a document


def encode_positions(positions: list[int]) -> bytes:
    """Whoosh's Positions format: the count, then the deltas between positions, pickled."""
    if len(positions) == 1:
        encoded = _single.get(positions[0])
        if encoded is None:
            encoded = _single[positions[0]] = bytes(pack_uint(1) + dumps(positions, 2))
        return encoded
    deltas = [positions[0], *(b - a for a, b in itertools.pairwise(positions))]
    return bytes(pack_uint(len(deltas)) + dumps(deltas, 2))


def schema() -> fields.Schema:
    return fields.Schema(
        location=fields.ID(),  # `.memory/...` or `note:<sha>`: what a change replaces
        id=fields.ID(sortable=True),
        type=fields.ID(),
        status=fields.ID(),
        source=fields.ID(),
        project=fields.KEYWORD(commas=True, lowercase=True),
        title=FastText(analyzer=ANALYZER, field_boost=BOOSTS["title"], spelling=True),
        summary=FastText(analyzer=ANALYZER, field_boost=BOOSTS["summary"]),
        body=FastText(analyzer=ANALYZER),
        tags=fields.KEYWORD(commas=True, lowercase=True, scorable=True, field_boost=BOOSTS["tags"]),
        author=fields.TEXT(analyzer=analysis.SimpleAnalyzer()),
        created=fields.NUMERIC(int, bits=64, signed=True, sortable=True),
        paths=fields.KEYWORD(commas=True),
        commits=fields.KEYWORD(commas=True),
        row=fields.STORED(),  # the record's fields as JSON: what list and search print
        text=fields.COLUMN(columns.CompressedBytesColumn()),  # the body, for snippets
    )


def _path_prefixes(paths: Iterable[str]) -> set[str]:
    """Each path and the directories above it (`src/db/x.py`: src, src/db, src/db/x.py)."""
    terms: set[str] = set()
    for path in paths:
        parts = path.removeprefix("./").rstrip("/").split("/")
        terms.update("/".join(parts[: n + 1]) for n in range(len(parts)))
    return terms


def _path_terms(paths: Iterable[str]) -> str:
    """The `paths` field: `path:src/db` finds a record about `src/db/x.py`."""
    return ",".join(sorted(_path_prefixes(paths)))


def _fields(document: Document, row_json: str) -> dict[str, Any]:
    row = document.row
    return {
        "location": row["location"],
        "id": row["id"],
        "type": row["type"],
        "status": row.get("status", "active"),
        "source": row.get("source", ""),
        "project": row.get("project", ""),
        "title": row["title"],
        "summary": row.get("summary", ""),
        "body": document.body,
        "tags": ",".join(row.get("tags", [])),
        "author": row.get("author", ""),
        "created": document.created,
        "paths": _path_terms(row.get("paths", [])),
        "commits": ",".join([*row.get("commits", []), *_note_sha(row)]),
        "row": row_json,
        "text": document.body.encode("utf-8", "surrogateescape"),
    }


def _note_sha(row: Row) -> list[str]:
    location: str = row["location"]
    return [location[5:]] if location.startswith("note:") else []


# ----------------------------------------------------------------------------- opening


def _storage(path: Path) -> FileStorage:
    return FileStorage(str(path), supports_mmap=False)


def create(path: Path) -> FileIndex:
    path.mkdir(parents=True, exist_ok=True)
    return _storage(path).create_index(schema())


def open_index(path: Path) -> FileIndex:
    """The committed index at `path`; raises (any exception) when it is missing or damaged."""
    return _storage(path).open_index()


def generation(ix: FileIndex) -> int:
    return int(ix.latest_generation())


# ----------------------------------------------------------------------------- writing


class _LengthsInMemory:
    """What Whoosh's segment writer asks per posting (a document's field length), from memory.

    Stock Whoosh 2.7.4 reads each posting's length from the column file, and for a field with
    no lengths column (ids, keywords) stats the file again for every posting: a third of the
    time of a full build. Same answers, read once per field.
    """

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._lengths: dict[str, list[int] | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        lengths = self._lengths.get(fieldname, _MISSING)
        if lengths is _MISSING:
            from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

            column = self._reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            lengths = self._lengths[fieldname] = list(column) if column is not None else None
        if lengths is None:
            return default
        code = lengths[docnum]
        return byte_to_length(code) if code else None


_MISSING: Any = object()


def _flush_segment(self: Any) -> None:
    # whoosh.writing.SegmentWriter._flush_segment, with the lengths read as above.
    self.perdocwriter.close()
    reader = self.per_document_reader() if self.codec.length_stats else None
    lengths = _LengthsInMemory(reader) if reader is not None else None
    self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
    self.fieldwriter.close()
    if reader is not None:
        reader.close()


def _patch_writer() -> None:
    import whoosh
    import whoosh.writing

    if whoosh.__version__ == (2, 7, 4):  # the version this replacement was written against
        whoosh.writing.SegmentWriter._flush_segment = _flush_segment


def write(
    ix: FileIndex,
    removed: Iterable[str],
    added: list[Document],
    encode: Callable[[Row], str],
    *,
    fresh: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Drop every document from the `removed` locations, add `added`; commit. The generation.

    `fresh`: the index is empty (a full build): no deletions to look up, and a big build may
    use two processes.
    """
    _patch_writer()
    bulk = fresh and len(added) >= BULK_THRESHOLD
    # A full build keeps its postings in memory up to here rather than sorting runs on disk.
    options: dict[str, Any] = {"limitmb": 512 if fresh else 128}
    if bulk:
        options.update(procs=2, multisegment=True)
    writer = ix.writer(**options)
    try:
        if not fresh:
            for location in removed:
                writer.delete_by_term("location", location)
        for done, document in enumerate(added, 1):
            writer.add_document(**_fields(document, encode(document.row)))
            if progress is not None and done % 200 == 0:
                progress(done, len(added))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    if progress is not None:
        progress(len(added), len(added))
    return generation(ix)


# ----------------------------------------------------------------------------- reading


class Hit(NamedTuple):
    row: Row
    score: float
    snippet: str
    docnum: int = -1  # in the searcher that found it (for `Records`)


class Narrowing(NamedTuple):
    """Filters Whoosh can apply exactly (values as stored); the rest is the caller's `keep`."""

    types: list[str]
    tags: list[str]
    sources: list[str]
    projects: list[str]


def _narrowing_query(narrow: Narrowing) -> query.Query | None:
    parts: list[query.Query] = []
    for field, values in (
        ("type", narrow.types),
        ("source", narrow.sources),
        ("project", [v.lower() for v in narrow.projects]),  # (indexed lowercased)
    ):
        if values:
            parts.append(query.Or([query.Term(field, v) for v in values]))
    parts.extend(query.Term("tags", tag) for tag in narrow.tags)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else query.And(parts)


def effective_status(q: query.Query, superseded: set[str]) -> query.Query:
    """`q` with `status:X` meaning the status records read as (`query.effective_status`).

    A record named in another's `supersedes` reads as superseded whatever its own `status`
    says (unless it is deprecated or rejected); the index holds only its own.
    """
    if not superseded:
        return q
    ids = query.Or([query.Term("id", record_id) for record_id in sorted(superseded)])
    retired = query.Or([query.Term("status", status) for status in sorted(RETIRED_STATUSES)])

    def rewrite(node: query.Query) -> query.Query:
        if not isinstance(node, query.Term) or node.fieldname != "status":
            return node
        if node.text == "superseded":
            return query.Or([node, query.AndNot(ids, retired)])
        if node.text not in RETIRED_STATUSES:
            return query.AndNot(node, ids)
        return node

    return q.accept(rewrite)


def rows(
    searcher: Searcher, narrow: Narrowing, keep: Callable[[Row], bool], loads: Callable[[str], Row]
) -> Iterator[Row]:
    """Every record `narrow` and `keep` accept, newest first (ties: id, descending)."""
    narrowed = _narrowing_query(narrow)
    reader = searcher.reader()
    if not reader.doc_count():
        return  # (an empty index has no columns to read)
    if narrowed is None:
        docnums: Iterable[int] = reader.all_doc_ids()
    else:
        docnums = searcher.docs_for_query(narrowed)
    # The sort keys of every document in one read of each column (sorting through Whoosh reads
    # them one document at a time: a second per 10k documents).
    created = _whole_column(reader.column_reader("created", translate=False))  # sorts as numbers
    ids = list(reader.column_reader("id"))
    for docnum in sorted(docnums, key=lambda d: (created[d], ids[d]), reverse=True):
        row = loads(searcher.stored_fields(docnum)["row"])
        if keep(row):
            yield row


# ----------------------------------------------------------------------------- searching

_PATH_VALUE = re.compile(r"(?i)\b(paths?:)(?:\./)?(\S+?)/*(?=\s|\)|$)")
_COMMIT_VALUE = re.compile(r"(?i)\b(commits?:)([0-9a-f]{4,39})\b(?!\*)")
_MINUS_WORD = re.compile(r"(^|\s)-(?=[\w\"(])")
_PLUS_WORD = re.compile(r"(^|\s)\+(?=[\w\"(])")


def _parser(ix: FileIndex) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), ix.schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    parser.remove_plugin_class(qparser.BoostPlugin)  # `word^2`: not part of our syntax
    return parser


def _rewrite(text: str) -> str:
    """Our syntax on top of Whoosh's: `-word` excludes, `commit:abc123` is a prefix."""
    text = _MINUS_WORD.sub(r"\1NOT ", text)
    text = _PLUS_WORD.sub(r"\1", text)
    text = _PATH_VALUE.sub(r"\1\2", text)
    return _COMMIT_VALUE.sub(lambda m: m.group(1) + m.group(2).lower() + "*", text)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def plain_query(ix: FileIndex, text: str) -> query.Query:
    """`text` as plain words (every word required, in any text field): the fallback."""
    parts = []
    for word in _WORD.findall(text):
        terms = fast_terms(word)
        if terms:
            fields_ = [query.Term(field, terms[0]) for field in ("title", "summary", "body")]
            parts.append(query.Or([*fields_, query.Term("tags", word.lower())]))
    return query.And(parts) if parts else query.NullQuery


def parse(ix: FileIndex, text: str) -> query.Query:
    """The query `text` asks for; text Whoosh's parser cannot make sense of is plain words."""
    try:
        parsed = _parser(ix).parse(_rewrite(text))
    except Exception:  # the parser's errors have no common base class
        return plain_query(ix, text)
    if parsed is query.NullQuery or _malformed(parsed):
        return plain_query(ix, text)
    if isinstance(parsed, query.Not):  # only exclusions: everything else
        return query.AndNot(query.Every(), parsed.query)
    return parsed


_SYNTAX_LEFTOVER = re.compile(r"""[:"'()\[\]{}^~]|^[-+]+$""")


def _malformed(q: query.Query) -> bool:
    """Leftovers of syntax the parser read as words: `foo:`, a lone quote, a dangling AND."""
    for leaf in q.leaves():
        if isinstance(leaf, query.Every):
            return True  # a lone `*`: not a way to list everything
        texts = getattr(leaf, "words", None) or [getattr(leaf, "text", None)]
        for text in texts:
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            if isinstance(text, str) and (
                text.lower() in ("and", "or", "not")
                or _SYNTAX_LEFTOVER.search(text)
                or not text.strip("*?")  # a lone wildcard: everything
            ):
                return True
    return False


def search(
    searcher: Searcher,
    q: query.Query,
    narrow: Narrowing,
    keep: Callable[[Row], bool],
    loads: Callable[[str], Row],
    *,
    limit: int,
    newest: bool = False,
    retired: Callable[[Row], bool] = lambda row: False,
    snippets: bool = True,
) -> list[Hit]:
    """The best `limit` records for `q` that `keep` accepts; `retired` ones rank last."""
    narrowed = _narrowing_query(narrow)
    combined = query.And([q, narrowed]) if narrowed is not None else q
    order = sorting.FieldFacet("created", reverse=True) if newest else None
    wanted = limit * 2 + 20
    while True:
        results = searcher.search(combined, limit=wanted, sortedby=order, terms=True)
        kept: list[tuple[Row, float, int]] = []
        for hit in results:
            row = loads(hit["row"])
            if keep(row):
                kept.append((row, float(hit.score or 0.0), hit.docnum))
        if len(kept) >= limit or len(results.top_n) < wanted:
            break
        wanted *= 4  # `keep` refused many: look further down the ranking
    kept.sort(key=lambda item: retired(item[0]))  # stable: retired below, order kept
    kept = kept[:limit]
    if not snippets or not kept:
        return [Hit(row, score, "", docnum) for row, score, docnum in kept]
    bodies = searcher.reader().column_reader("text")  # reads the column's offsets: once
    terms = {term.decode() for field, term in results.matched_terms() if field in TEXT_FIELDS}
    return [
        Hit(
            row,
            score,
            snippet((bodies[docnum] or b"").decode("utf-8", "replace"), terms),
            docnum,
        )
        for row, score, docnum in kept
    ]


MARK_START, MARK_END = "\x01", "\x02"  # around matched words: the caller styles them


def _term_of(word: str) -> str:
    terms = fast_terms(word)
    return terms[0] if terms else ""


SNIPPET_SCAN = 20_000  # characters of a body searched for the passage: huge bodies stay cheap


def snippet(body: str, terms: set[str], width: int = 200) -> str:
    """The passage of `body` holding the most matched `terms` (stems), those words marked."""
    text = " ".join(body[:SNIPPET_SCAN].split())
    spans = [m.span() for m in _WORD.finditer(text) if _term_of(m.group(0)) in terms]
    if not spans:
        return text[:width] + ("…" if len(text) > width or len(body) > SNIPPET_SCAN else "")
    # The window of `width` characters starting at a match that holds the most matches.
    best, best_count, last = 0, 0, 0
    for first, (start, _stop) in enumerate(spans):
        last = max(last, first)
        while last + 1 < len(spans) and spans[last + 1][1] <= start + width:
            last += 1
        if last - first + 1 > best_count:
            best, best_count = first, last - first + 1
    begin = text.rfind(" ", 0, max(0, spans[best][0] - width // 4)) + 1
    end = min(len(text), begin + width)
    if end < len(text) and " " in text[begin:end]:
        end = text.rfind(" ", begin, end)
    out = []
    cursor = begin
    for start, stop in spans:
        if start >= begin and stop <= end:
            out += [text[cursor:start], MARK_START, text[start:stop], MARK_END]
            cursor = stop
    out.append(text[cursor:end])
    more = end < len(text) or len(body) > SNIPPET_SCAN
    return ("…" if begin else "") + "".join(out) + ("…" if more else "")


def suggest(searcher: Searcher, text: str) -> str | None:
    """`text` with unknown words replaced by the closest known ones, if that changes it."""
    reader = searcher.reader()
    # Titles (their unstemmed words) first, then tags. (Whoosh's MultiCorrector is broken.)
    correctors = [reader.corrector("title"), reader.corrector("tags")]
    changed = False

    def fix(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group(0)
        before, after = text[: match.start()], text[match.end() :]
        if word in ("AND", "OR", "NOT") or after.startswith(":") or before.endswith(":"):
            return word  # syntax, not a word to correct
        known = any(
            reader.doc_frequency(field, term) for term in fast_terms(word) for field in TEXT_FIELDS
        )
        if known or not fast_terms(word):
            return word
        for corrector in correctors:
            found = corrector.suggest(word.lower(), limit=1)
            if found:
                changed = True
                return str(found[0])
        return word

    corrected = _WORD.sub(fix, text)
    return corrected if changed else None


# ----------------------------------------------------------------------------- by document


class Records:
    """Records by document number, for a caller that ranks its own candidates (context packs)
    and loads only the rows and bodies it shows: counting and ordering use the postings and
    the `created` column, never the stored rows."""

    def __init__(self, searcher: Searcher, loads: Callable[[str], Row]) -> None:
        self._searcher = searcher
        self._reader = searcher.reader()
        self._loads = loads
        self._columns: dict[str, Any] = {}
        self._retired_key: str | None = None
        self._retired_docs: set[int] = set()

    def _column(self, name: str) -> Any:
        if name not in self._columns:  # opening one reads its table of offsets: once
            self._columns[name] = self._reader.column_reader(name)
        return self._columns[name]

    def _docs(self, field: str, text: str) -> set[int]:
        """The documents holding one term, read a block of postings at a time.

        Whoosh's generic `all_ids` (what `docs_for_query` uses) makes several calls per
        document: ~60% of a context pack's time at 10k records. A segment with deleted
        documents wraps its postings in a filter: those take the generic way.
        """
        from whoosh.codec.whoosh3 import W3LeafMatcher

        found: set[int] = set()
        for reader, base in self._reader.leaf_readers():
            if (field, text) not in reader:
                continue
            matcher = reader.postings(field, text)
            if type(matcher) is not W3LeafMatcher:
                found.update(base + docnum for docnum in matcher.all_ids())
                continue
            while matcher.is_active():
                if matcher._ids is None:
                    matcher._read_ids()
                found.update(base + docnum for docnum in matcher._ids[matcher._i :])
                matcher._next_block()
        return found

    def current(self, narrow: Narrowing, superseded: set[str]) -> list[int]:
        """The records `narrow` accepts that are not retired (a superseded, deprecated or
        rejected status, or named in `superseded`)."""
        if not self._reader.doc_count():
            return []
        # Plain term postings and set operations: a compound query (AndNot, Or) walks its
        # matchers document by document, ~40 times slower here.
        found: set[int] = set()
        for type_name in narrow.types:
            found |= self._docs("type", type_name)
        if narrow.sources:
            found &= set().union(*(self._docs("source", s) for s in narrow.sources))
        found -= self._retired(superseded)
        return sorted(found)

    def _retired(self, superseded: set[str]) -> set[int]:
        key = ",".join(sorted(superseded))
        if self._retired_key != key:
            docs: set[int] = set()
            for status in sorted(RETIRED_STATUSES):
                docs |= self._docs("status", status)
            for record_id in sorted(superseded):
                docs |= self._docs("id", record_id)
            self._retired_docs, self._retired_key = docs, key
        return self._retired_docs

    def about(self, paths: list[str]) -> set[int]:
        """The records whose recorded paths may concern one of `paths`: a superset, for
        `query.path_matches` to decide."""
        # A record's path terms are its paths and every directory above them (`_path_terms`):
        # a record at or under P has the term P; one about a directory above P has that
        # directory's term. Recorded globs can concern anything: all of them are candidates.
        terms = _path_prefixes(paths)
        for term in self._reader.lexicon("paths"):
            if any(c in term for c in b"*?["):
                terms.add(term.decode("utf-8", "replace"))
        docs: set[int] = set()
        for term in sorted(terms):
            docs |= self._docs("paths", term)
        return docs

    def newest(self, docnums: Iterable[int], limit: int) -> list[int]:
        """The `limit` newest of `docnums` (ties: id descending, as `rows`)."""
        docnums = list(docnums)
        if not docnums:
            return []  # (an empty index has no columns to read)
        if "created" not in self._columns:
            # Whole, in one read per segment; the raw values sort as the numbers do.
            raw = self._reader.column_reader("created", translate=False)
            self._columns["created"] = _whole_column(raw)
        created = self._columns["created"]
        ranked = sorted(docnums, key=created.__getitem__, reverse=True)
        # Equal times are rare: the ids only to order those (opening the id column costs more
        # than reading a few rows).
        out: list[int] = []
        for _time, group in itertools.groupby(ranked, key=created.__getitem__):
            tied = list(group)
            out += sorted(tied, key=self.record_id, reverse=True) if len(tied) > 1 else tied
            if len(out) >= limit:
                break
        return out[:limit]

    def row(self, docnum: int) -> Row:
        return self._loads(self._searcher.stored_fields(docnum)["row"])

    def record_id(self, docnum: int) -> str:
        return str(self.row(docnum)["id"])

    def body(self, docnum: int) -> str:
        return (self._column("text")[docnum] or b"").decode("utf-8", "replace")


def _whole_column(column: Any) -> list[Any]:
    """Every value of a numeric column: Whoosh 2.7's reader reads (and seeks) one value at a
    time, ~5 µs each; this reads each segment's values with one read and one unpack."""
    from whoosh.columns import MultiColumnReader, NumericColumn

    if isinstance(column, MultiColumnReader):
        return [value for reader in column._readers for value in _whole_column(reader)]
    if type(column) is NumericColumn.Reader:
        try:
            count, typecode = column._count, column._typecode
            data = column._dbfile.get(column._basepos, count * column._fixedlen)
            values = list(struct.unpack(f"!{count}{typecode}", data))
            return values + [column._default] * (column._doccount - count)
        except (AttributeError, struct.error):  # another Whoosh: the slow way
            pass
    return list(column)
