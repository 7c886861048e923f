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
import types

from gitmem.search.kept import Kept
from gitmem.search.whoosh_load import Searcher

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


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


# (segment, field, term) -> its W3TermInfo, or None where the segment has no such term.
_INFOS: Kept[tuple[Any, ...], Any] = Kept(KEPT)
_MISSING = object()


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
        info = _INFOS.get(key, _MISSING)
        if info is _MISSING:
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
        if info.is_inlined() or type(terms._codec) is not _w3_codec():
            return terms._codec.postings_reader(
                terms._postfile, info, format_, term=(fieldname, tbytes), scorer=scorer
            )
        offset, length = info.extent()
        return _lazy_leaf(terms._postfile, offset, length, format_, (fieldname, tbytes), scorer)


# ------------------------------------------------------------- leaf matchers read on first use

# A W3LeafMatcher reads its postings' header tag and first block header when made (a seek,
# a 4-byte read, an int, a pickle read a few bytes at a time): ~1.5 ms of a 3-word query at
# 100k records (~100 term matchers over the segments), though pruning and `whoosh_topk` read
# most terms' postings with one read of their own (`whoosh_blocks`) from the offsets alone.
# `_lazy_leaf` makes the same matcher (its class, its fields) without those reads; the first
# use of its block state (`_BLOCK_STATE`) does them, as its constructor would have, and
# `whoosh_blocks` checks the header tag itself. The file is shared with other matchers, so
# nothing depends on where it was left: each read seeks first, as Whoosh's do.
_BLOCK_STATE = frozenset(
    {
        "_blocklength",
        "_maxid",
        "_maxweight",
        "_compression",
        "_minlength",
        "_maxlength",
        "_lastblock",
        "_atend",
        "_nextoffset",
        "_dataoffset",
        "_data",
        "_ids",
        "_weights",
        "_values",
        "_i",
    }
)
HEADER_SIZE = 4  # the postings' header tag (whoosh.codec.whoosh3.WHOOSH3_HEADER_MAGIC)


def _w3_codec() -> type:
    from whoosh.codec.whoosh3 import W3Codec

    return W3Codec  # type: ignore[no-any-return]


def _lazy_leaf(
    postfile: Any, offset: int, length: Any, format_: Any, term: Any, scorer: Any
) -> Any:
    from whoosh.codec.whoosh3 import W3LeafMatcher

    if "__getattr__" not in W3LeafMatcher.__dict__:
        W3LeafMatcher.__getattr__ = _load_on_use  # (only ever asked for a missing attribute)
    m = W3LeafMatcher.__new__(W3LeafMatcher)
    m._postfile = postfile
    m._startoffset = offset
    m._length = length
    m.format = format_
    m._term = term
    m._byteids = None  # (as W3Codec.postings_reader leaves it)
    m.scorer = scorer
    m._fixedsize = format_.fixed_value_size()
    m._baseoffset = offset + HEADER_SIZE  # (where `_read_header` leaves the file)
    m._unread = True
    m._read_ids = types.MethodType(_read_ids_only, m)  # (an instance's: the class's shadowed)
    return m


def _read_ids_only(self: Any) -> None:
    """W3LeafMatcher._read_ids without unpickling the block's positions (`whoosh_blocks`):
    a segment with deleted documents filters each term's matcher, and the filter steps past
    the deleted ones as it is made. The weights and values, if asked, are read as Whoosh
    reads them (`_data` still unread)."""
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.util.numlists import delta_decode

    from gitmem.search.whoosh_blocks import ids_and_weights

    if self._data is not None:
        W3LeafMatcher._read_ids(self)
        return
    data = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
    ids, _weights = ids_and_weights(data, bool(self._compression), self._blocklength)
    self._ids = ids if self._byteids else tuple(delta_decode(ids))


def _load_on_use(self: Any, name: str) -> Any:
    """W3LeafMatcher's block state, read on first use (`_lazy_leaf`)."""
    state = self.__dict__
    if name in _BLOCK_STATE and state.get("_unread"):
        state["_unread"] = False
        self._read_header()  # (checks the tag; the same `_baseoffset`)
        self.reset()  # (reads the first block's header)
        return getattr(self, name)
    raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
