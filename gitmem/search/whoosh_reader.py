"""The Whoosh index open for reading: `engine.Reader` over one searcher.

Context packs rank their own candidates and read only the rows and bodies they show: counting
and ordering here use the postings and the `created` column, never the stored rows.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator

from gitmem.search import whoosh_columns, whoosh_search, whoosh_terms
from gitmem.search.engine import Doc, Hit, Narrowing, Rerank, Row
from gitmem.search.index import path_prefixes
from gitmem.search.whoosh_load import Searcher
from gitmem.search.whoosh_query import effective_status, plan
from gitmem.search.whoosh_words import Plan
from gitmem.store.record import RETIRED_STATUSES

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any, cast
else:  # mypy's; at run time the value itself

    def cast(_type: object, value: object) -> object:
        return value


class WhooshReader:
    def __init__(self, searcher: Searcher, superseded: set[str]) -> None:
        self._searcher = searcher
        whoosh_columns.cache_lengths(searcher)
        whoosh_terms.cache_terms(searcher)
        self._reader = searcher.reader()
        self._superseded = superseded
        self._plans: dict[tuple[str, str], Plan] = {}  # a text asked again (`hidden`): read once
        self._columns: dict[str, Any] = {}
        self._retired_docs: set[int] | None = None
        self.rerank: Rerank | None = None  # (set by `catalog.Catalog.open`)

    def count(self) -> int:
        return int(self._reader.doc_count())

    def records(self, narrow: Narrowing, keep: Callable[[Row], bool]) -> Iterator[Row]:
        return whoosh_search.rows(self._searcher, narrow, keep)

    def search(
        self,
        text: str,
        narrow: Narrowing,
        keep: Callable[[Row], bool],
        *,
        limit: int,
        newest: bool = False,
        retired: Callable[[Row], bool] = lambda row: False,
        snippets: bool = True,
        match: str = "any",
    ) -> list[Hit]:
        planned = self._plans.get((text, match))
        if planned is None:
            planned = plan(self._reader, self._searcher.schema, text, match=match)
            status = effective_status(planned.query, self._superseded)
            planned = self._plans[text, match] = planned._replace(query=status)
        return whoosh_search.search(
            self._searcher,
            planned,
            narrow,
            keep,
            limit=limit,
            newest=newest,
            retired=retired,
            snippets=snippets,
            rerank=(text, self.rerank) if self.rerank is not None else None,
        )

    def suggest(self, text: str) -> str | None:
        return whoosh_search.suggest(self._searcher, text)

    # ------------------------------------------------------------------------- by document

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

    def current(self, narrow: Narrowing) -> list[Doc]:
        if not self._reader.doc_count():
            return []
        # Plain term postings and set operations: a compound query (AndNot, Or) walks its
        # matchers document by document, ~40 times slower here.
        found: set[int] = set()
        for type_name in narrow.types:
            found |= self._docs("type", type_name)
        if narrow.sources:
            found &= set().union(*(self._docs("source", s) for s in narrow.sources))
        found -= self._retired()
        return cast("list[Doc]", sorted(found))

    def _retired(self) -> set[int]:
        if self._retired_docs is None:
            docs: set[int] = set()
            for status in sorted(RETIRED_STATUSES):
                docs |= self._docs("status", status)
            for record_id in sorted(self._superseded):
                docs |= self._docs("id", record_id)
            self._retired_docs = docs
        return self._retired_docs

    def about(self, paths: list[str]) -> set[Doc]:
        # A record's path terms are its paths and every directory above them (`path_prefixes`):
        # a record at or under P has the term P; one about a directory above P has that
        # directory's term. Recorded globs can concern anything: all of them are candidates.
        terms = path_prefixes(paths)
        for term in self._reader.lexicon("paths"):
            if any(c in term for c in b"*?["):
                terms.add(term.decode("utf-8", "replace"))
        docs: set[int] = set()
        for term in sorted(terms):
            docs |= self._docs("paths", term)
        return cast("set[Doc]", docs)

    def located(self, locations: Iterable[str]) -> set[Doc]:
        # A location holds a few documents: no block reading, and no `in` check before each
        # lookup (that doubles the cost of the term lookups, ~40 us each).
        from whoosh.reading import TermNotFound

        wanted = sorted(set(locations))
        docs: set[int] = set()
        for reader, base in self._reader.leaf_readers() if wanted else ():
            for location in wanted:
                try:
                    matcher = reader.postings("location", location)
                except TermNotFound:
                    continue
                docs.update(base + docnum for docnum in matcher.all_ids())
        return cast("set[Doc]", docs)

    def newest(self, docs: Iterable[Doc], limit: int) -> list[Doc]:
        docs = list(docs)
        if not docs:
            return []  # (an empty index has no columns to read)
        if "created" not in self._columns:
            # Whole, in one read per segment; the raw values sort as the numbers do.
            raw = self._reader.column_reader("created", translate=False)
            self._columns["created"] = whoosh_columns.whole_column(raw)
        created = self._columns["created"]
        ranked = sorted(docs, key=created.__getitem__, reverse=True)
        # Equal times are rare: the ids only to order those (opening the id column costs more
        # than reading a few rows).
        out: list[Doc] = []
        for _time, group in itertools.groupby(ranked, key=created.__getitem__):
            tied = list(group)
            out += sorted(tied, key=self._record_id, reverse=True) if len(tied) > 1 else tied
            if len(out) >= limit:
                break
        return out[:limit]

    def row(self, doc: Doc) -> Row:
        row: Row = json.loads(self._searcher.stored_fields(doc)["row"])
        return row

    def _record_id(self, doc: Doc) -> str:
        return str(self.row(doc)["id"])

    def body(self, doc: Doc) -> str:
        return (whoosh_columns.text_column(self._searcher)[doc] or b"").decode("utf-8", "replace")
