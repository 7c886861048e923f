"""Whoosh's per-document columns read whole: numeric values (the sort keys of `list`) and
each segment's field lengths (what BM25F asks for every document it scores)."""

from __future__ import annotations

import struct
from collections.abc import Callable

from gitmem.search.whoosh_load import Searcher, byte_to_length

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any, ClassVar


_LENGTHS = [byte_to_length(code) for code in range(256)]


def text_column(searcher: Searcher) -> Any:
    """The searcher's "text" column (the bodies snippets are cut from), opened once a searcher:
    opening it reads each segment's table of offsets (~0.5 ms a query at 10k records, for a
    searcher the index service keeps open across requests)."""
    found = getattr(searcher, "gitmem_text", None)
    if found is None:
        found = searcher.gitmem_text = searcher.reader().column_reader("text")
    return found


def cache_lengths(searcher: Searcher) -> None:
    """Read each segment's field lengths (what BM25F asks for every document it scores) from
    memory: Whoosh's reader seeks and reads the column file once per scored posting, ~15% of
    a query's time. Same answers: each field's length bytes read whole on first use."""
    for leaf, _offset in searcher.leaf_searchers():
        leaf.doc_field_length = _lengths_in_memory(leaf.ixreader)


def _lengths_in_memory(reader: Any) -> Callable[..., int | None]:
    from whoosh.reading import SegmentReader

    if type(reader) is not SegmentReader:
        return reader.doc_field_length  # type: ignore[no-any-return]
    perdoc = reader._perdoc
    kept = getattr(perdoc, "gitmem_lengths", None)  # (a searcher kept open: read once)
    if kept is None:
        kept = perdoc.gitmem_lengths = FieldLengths(perdoc)
    return kept


_SEGMENT_LENGTHS: dict[tuple[str, int, str], bytes | None] = {}


class FieldLengths:
    """W3PerDocReader.doc_field_length with each field's length bytes read whole on first use
    (`whoosh_topk` reads the bytes themselves)."""

    table: ClassVar[list[int | None]] = [None, *_LENGTHS[1:]]  # a length byte's length (0: none)

    def __init__(self, perdoc: Any) -> None:
        self._perdoc = perdoc
        self._codes: dict[str, bytes | None] = {}

    def codes(self, fieldname: str) -> bytes | None:
        """The field's length byte of every document; None when it keeps no lengths."""
        found = self._codes.get(fieldname, b"")
        if found == b"":
            from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

            # A segment's lengths never change (its random id names it): read once a process.
            segment = self._perdoc._segment
            key = (segment.segment_id(), segment.doc_count_all(), fieldname)
            found = _SEGMENT_LENGTHS.get(key, b"")
            if found == b"":
                column = self._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
                found = None if column is None else whole_bytes(column)
                if len(_SEGMENT_LENGTHS) >= 64:
                    _SEGMENT_LENGTHS.clear()
                _SEGMENT_LENGTHS[key] = found
            self._codes[fieldname] = found
        return found

    def __call__(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        found = self.codes(fieldname)
        if found is None:
            return default
        return self.table[found[docnum]]


def whole_bytes(column: Any) -> bytes:
    """`bytes(whole_column(column))` of a column of one-byte values (the field lengths): a
    segment's bytes are the values themselves, read as they are, not unpacked into a list
    of numbers first (~1 ms per field of a 50,000-document segment)."""
    from whoosh.columns import NumericColumn

    if type(column) is NumericColumn.Reader and getattr(column, "_typecode", None) == "B":
        try:
            count: int = column._count
            data = bytes(column._dbfile.get(column._basepos, count))
            if len(data) == count:
                doccount: int = column._doccount
                return data + bytes([column._default]) * (doccount - count)
        except (AttributeError, TypeError, ValueError):  # another Whoosh: the general way
            pass
    return bytes(whole_column(column))


def whole_column(column: Any) -> list[Any]:
    """Every value of a numeric column: Whoosh 2.7's reader reads (and seeks) one value at a
    time, ~5 µs each; this reads each segment's values with one read and one unpack."""
    from whoosh.columns import MultiColumnReader, NumericColumn

    if isinstance(column, MultiColumnReader):
        return [value for reader in column._readers for value in whole_column(reader)]
    if type(column) is NumericColumn.Reader:
        try:
            count, typecode = column._count, column._typecode
            data = column._dbfile.get(column._basepos, count * column._fixedlen)
            values = list(struct.unpack(f"!{count}{typecode}", data))
            return values + [column._default] * (column._doccount - count)
        except (AttributeError, struct.error):  # another Whoosh: the slow way
            pass
    return list(column)
