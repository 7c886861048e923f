"""Each segment's term infos looked up once a process, not four times a query.

A ranked query asks a segment's term table about each of its ~16 terms several times: the
query plan for its document frequency (`whoosh_words`), Whoosh's `Term.matcher` whether the
segment holds it, the BM25F scorer for the idf (every segment) and the term's statistics,
and the postings reader for where its postings are. Each ask is a lookup in the segment's
on-disk hash table and a `W3TermInfo` decoded again (~40% of building a query's matchers at
100k records, 8 segments). A segment never changes (its random id names it), so what its
table says about a term is kept here, per process, and every ask answers from it: the same
`W3TermInfo` values, the same postings readers.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from typing import Any

from gitmem.search.whoosh_load import Searcher

KEPT = 50_000  # term infos (~200 bytes each)


def cache_terms(searcher: Searcher) -> None:
    """Answer each segment's term lookups from the process's cache (`_CachedTerms`)."""
    from whoosh.codec.whoosh3 import W3TermsReader
    from whoosh.reading import SegmentReader

    for leaf, _offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if type(reader) is not SegmentReader or type(reader._terms) is not W3TermsReader:
            continue  # (already cached, or another codec: Whoosh's own)
        segment = reader._segment
        place = (getattr(reader._storage, "folder", ""), segment.segment_id())
        reader._terms = _CachedTerms(reader._terms, place)


class _Infos:
    """(segment, field, term) -> its W3TermInfo, or None where the segment has no such
    term; least recently used dropped first. (`serve` answers from several threads.)"""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kept: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> tuple[bool, Any]:
        with self._lock:
            if key not in self._kept:
                return False, None
            self._kept.move_to_end(key)
            return True, self._kept[key]

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            self._kept[key] = value
            while len(self._kept) > self.limit:
                self._kept.popitem(last=False)


_INFOS = _Infos(KEPT)


class _CachedTerms:
    """A segment's W3TermsReader whose term lookups answer from `_INFOS`; everything else
    (cursors, iteration, closing) is the reader's own."""

    def __init__(self, terms: Any, place: tuple[str, str]) -> None:
        self._terms = terms
        self._place = place

    def __getattr__(self, name: str) -> Any:
        return getattr(self._terms, name)

    def _info(self, fieldname: str, tbytes: bytes) -> Any:
        key = (*self._place, fieldname, tbytes)
        found, info = _INFOS.get(key)
        if not found:
            from whoosh.reading import TermNotFound

            try:
                info = self._terms.term_info(fieldname, tbytes)
            except TermNotFound:
                info = None
            _INFOS.put(key, info)
        return info

    def __contains__(self, term: tuple[str, bytes]) -> bool:
        return self._info(*term) is not None

    def term_info(self, fieldname: str, tbytes: bytes) -> Any:
        """A copy: Whoosh's `combine_terminfos` shifts a lone segment's ids in place."""
        return copy.copy(self._kept_info(fieldname, tbytes))

    def _kept_info(self, fieldname: str, tbytes: bytes) -> Any:
        info = self._info(fieldname, tbytes)
        if info is None:
            from whoosh.reading import TermNotFound

            raise TermNotFound(f"No term {fieldname}:{tbytes!r}")
        return info

    def frequency(self, fieldname: str, tbytes: bytes) -> float:
        info = self._info(fieldname, tbytes)
        if info is None:
            raise KeyError((fieldname, tbytes))
        return float(info.weight())

    def doc_frequency(self, fieldname: str, tbytes: bytes) -> int:
        info = self._info(fieldname, tbytes)
        if info is None:
            raise KeyError((fieldname, tbytes))
        return int(info.doc_frequency())

    def matcher(self, fieldname: str, tbytes: bytes, format_: Any, scorer: Any = None) -> Any:
        info = self._kept_info(fieldname, tbytes)  # (read, never changed, by the reader)
        terms = self._terms
        return terms._codec.postings_reader(
            terms._postfile, info, format_, term=(fieldname, tbytes), scorer=scorer
        )
