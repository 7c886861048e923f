"""The Whoosh index's schema and analysis: which fields a record becomes, and how text becomes
terms.

This module's name is part of the on-disk format: Whoosh pickles the schema into every index's
table of contents, and with it `gitmem.search.index.FastText`. Renaming the module means
bumping `WhooshEngine.version` (as moving it here from `gitmem/index.py` did), or indexes built
before could not be opened and would be rebuilt through the damage path.

Whoosh's analyzer chain yields one Token object per word through four generators; indexing
body text with `fast_terms` (one regex, a stem cache) produces the same terms at ~2.5 times the
speed. `analyzer_terms_match` in the tests keeps the two in step. A change here must
bump `WhooshEngine.version`, so that indexes built the old way are rebuilt.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator

from gitmem.search.changes import Document
from gitmem.search.engine import Row
from gitmem.search.whoosh_load import (
    analysis,
    columns,
    dumps,
    english_stemmer,
    fields,
    pack_uint,
)

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


TEXT_FIELDS = ("title", "summary", "body", "tags")
BOOSTS = {"title": 4.0, "summary": 2.0, "tags": 2.0}  # BM25F field weights; body 1
FIELD_ALIASES = {"tags": ["tag"], "paths": ["path"], "commits": ["commit"]}

_STOP_WORDS = frozenset(analysis.STOP_WORDS)


def _first_stem(word: str) -> str:
    """Snowball's English stemmer (Porter2: deploy, deploying, deployment agree), loaded by the
    first word to stem: a search stems a few dozen words (and an index build each word once)."""
    global stem
    stem = english_stemmer()
    return stem(word)


stem: Callable[[str], str] = _first_stem

# A token: a word, or an identifier joined by `-` or `.` (`kebab-case`, `os.path.join`).
# Identifiers are indexed whole and as their parts (`_split`), so `csv` finds `read_csv`.
TOKEN = re.compile(r"\w+(?:[-.]\w+)*")
_PIECE = re.compile(r"[^\W_]+")  # the parts between `-`, `.` and `_`
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[^A-Z]+")  # camelCase, HTTPServer, getHTTPResponse
# Longer tokens (a base64 blob, a minified line) are not words anyone searches for, and
# stemming one is quadratic in its length (a 1 MB token took 27 s): not indexed whole or as a
# term; their parts are, up to this length too.
MAX_TERM = 100

_cache: dict[str, tuple[str, ...]] = {}  # token -> its terms: most text repeats words
_stems: dict[str, str] = {}  # word -> stem ("" for a stop word)
# Each of the two is emptied when it reaches this many entries (~20-40 MB): a long-lived
# process (the index service, MCP, serve) meets new words, numbers and identifiers without
# end, and a vocabulary larger than this only costs some words stemmed again.
CACHED = 200_000


def _term(word: str, morph: bool) -> str:
    if morph:
        found = _stems.get(word)
        if found is not None:
            return found
    lowered = word.lower()  # per word, as LowercaseFilter does ("İ" lowers to 2 chars)
    if len(lowered) < 2 or len(lowered) > MAX_TERM or lowered in _STOP_WORDS:
        term = ""
    else:
        term = stem(lowered) if morph else lowered
    if morph and len(word) <= MAX_TERM:
        if len(_stems) >= CACHED:
            _stems.clear()
        _stems[word] = term
    return term


def _parts(token: str) -> list[str]:
    """The words of an identifier: `read_csv`, `kebab-case`, `camelCase`, `a.b` -> 2 each.
    (A token too long to be a term is not split by case: a blob is not camelCase words.)"""
    parts: list[str] = []
    for piece in _PIECE.findall(token):
        if (
            len(token) <= MAX_TERM
            and piece.isascii()
            and not piece.islower()
            and not piece.isupper()
        ):
            parts += _CAMEL.findall(piece)
        else:
            parts.append(piece)
    return parts


def token_terms(token: str, *, morph: bool = True, whole: bool = True) -> tuple[str, ...]:
    """The terms of one token: an identifier's whole (unless not `whole`) before its parts."""
    if morph and whole:
        cached = _cache.get(token)
        if cached is not None:
            return cached
    if token.isascii() and token.isalpha() and token.islower():
        # Most tokens: a plain word is its own only part, its term alone (what the general
        # way below gives it, without splitting it).
        term = _term(token, morph)
        found: tuple[str, ...] = (term,) if term else ()
    else:
        found = _general_terms(token, morph, whole)
    if morph and whole and len(token) <= MAX_TERM:
        if len(_cache) >= CACHED:
            _cache.clear()
        _cache[token] = found
    return found


def _general_terms(token: str, morph: bool, whole: bool) -> tuple[str, ...]:
    parts = _parts(token) if len(token) > 1 else [token]
    terms = [t for t in (_term(p, morph) for p in parts) if t]
    if len(parts) > 1 and whole:
        joined = _term(token, morph=False)  # unstemmed: an identifier is not an English word
        if joined:
            terms.insert(0, joined)
    return tuple(terms)


NEW_AT_END = 2  # the most letters Snowball's rewrites leave at a stem's end that its word lacks


def yield_prefixes(terms: Iterable[str]) -> tuple[str, ...]:
    """What a plain word must begin with to have one of `terms` (stems) as its term: each
    term but its last NEW_AT_END letters (its first letter at least). Snowball rewrites only
    a word's end, each step adding at most that many letters the word did not have
    (`biliti` -> `ble`, `dying` -> `die`: tested over its suffixes in tests/search/index_test.py),
    and never its first letter."""
    return tuple({term[: max(1, len(term) - NEW_AT_END)] for term in terms if term})


def may_yield(token: str, prefixes: tuple[str, ...]) -> bool:
    """False when no term of `token` (`token_terms`) can be one of the terms `prefixes`
    (`yield_prefixes`) were made of, known without stemming it: a plain lower-case ASCII
    word's only term is its stem, a capitalised one's its lower case's. Anything else: True
    (it may)."""
    if token.isascii() and token.isalpha():
        if token.islower():
            return token.startswith(prefixes)
        if token[1:].islower() and token[0].isupper():  # (one camel-case part: `Deploy`)
            return token.lower().startswith(prefixes)
    return True


def fast_terms(text: str) -> list[str]:
    """The terms ANALYZER yields for `text`, in order, without building Token objects."""
    terms: list[str] = []
    cache = _cache
    for token in TOKEN.findall(text):
        found = cache.get(token)
        terms.extend(token_terms(token) if found is None else found)
    return terms


def positioned_terms(text: str) -> Iterator[tuple[int, str]]:
    """`fast_terms` with positions: an identifier's whole shares its first part's position,
    so that a phrase of its parts (`"read csv"`) matches."""
    position = 0
    cache = _cache
    for token in TOKEN.findall(text):
        found = cache.get(token)
        terms = token_terms(token) if found is None else found
        if len(terms) > 1 and terms[0] not in terms[1:] and _is_whole(token, terms[0]):
            yield position, terms[0]
            terms = terms[1:]
        for term in terms:
            yield position, term
            position += 1


def _is_whole(token: str, term: str) -> bool:
    return len(term) == len(token) and term == token.lower()


class TermTokenizer(analysis.Tokenizer):  # type: ignore[misc]
    """Whoosh's side of `fast_terms` (queries, highlighting, the title's spelling words).

    In a query (mode "query") an identifier is its parts only: `readCsv` and `read_csv` both
    find `read_csv`, and a phrase's words are consecutive.
    """

    is_morph = True  # stems: Whoosh keeps unstemmed title words for spelling (`no_morph`)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[analysis.Token]:
        morph = not kwargs.pop("no_morph", False)
        token = analysis.Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        position = start_pos
        for match in TOKEN.finditer(value):
            terms = token_terms(match.group(0), morph=morph, whole=mode != "query")
            whole = len(terms) > 1 and _is_whole(match.group(0), terms[0])
            for n, term in enumerate(terms):
                token.text = term
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = match.group(0)
                if positions:
                    token.pos = position
                if chars:
                    token.startchar = start_char + match.start()
                    token.endchar = start_char + match.end()
                yield token
                if not (whole and n == 0):
                    position += 1


# The analyzer Whoosh uses for queries, highlighting and spelling; `fast_terms` for indexing.
ANALYZER = TermTokenizer()


class FastText(fields.TEXT):  # type: ignore[misc]
    """A TEXT field (stemmed, with positions for phrases) indexed through `fast_terms`."""

    def index(self, value: str, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        boost = self.format.field_boost
        for term, found in term_positions(value).items():
            yield term.encode(), len(found), len(found) * boost, encode_positions(found)


def term_positions(text: str) -> dict[str, list[int]]:
    """Each term of `text` (`positioned_terms`) and its positions, in order of appearance."""
    positions: dict[str, list[int]] = {}
    for position, term in positioned_terms(text):
        found = positions.get(term)
        if found is None:
            positions[term] = [position]
        else:
            found.append(position)
    return positions


_single: dict[int, bytes] = {}  # most terms occur once in a document
_few: dict[tuple[int, ...], bytes] = {}  # and many of the others two or three times
_FEW = 3
_FEW_CACHED = 500_000  # encodings kept at most (~70 MB)


def encode_positions(positions: list[int]) -> bytes:
    """Whoosh's Positions format: the count, then the deltas between positions, pickled."""
    if len(positions) == 1:
        encoded = _single.get(positions[0])
        if encoded is None:
            encoded = _single[positions[0]] = bytes(pack_uint(1) + dumps(positions, 2))
        return encoded
    deltas = [positions[0], *(b - a for a, b in itertools.pairwise(positions))]
    if len(deltas) > _FEW:
        return bytes(pack_uint(len(deltas)) + dumps(deltas, 2))
    key = tuple(deltas)
    encoded = _few.get(key)
    if encoded is None:
        encoded = bytes(pack_uint(len(deltas)) + dumps(deltas, 2))
        if len(_few) < _FEW_CACHED:
            _few[key] = encoded
    return encoded


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


def path_prefixes(paths: Iterable[str]) -> set[str]:
    """Each path and the directories above it (`src/db/x.py`: src, src/db, src/db/x.py)."""
    terms: set[str] = set()
    for path in paths:
        parts = path.removeprefix("./").rstrip("/").split("/")
        terms.update("/".join(parts[: n + 1]) for n in range(len(parts)))
    return terms


def _path_terms(paths: Iterable[str]) -> str:
    """The `paths` field: `path:src/db` finds a record about `src/db/x.py`."""
    return ",".join(sorted(path_prefixes(paths)))


def fields_of(document: Document, row_json: str) -> dict[str, Any]:
    """The document Whoosh indexes for a record."""
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
