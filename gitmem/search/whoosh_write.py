"""Writing the Whoosh index: creating it, adding and dropping documents, committing.

A full build goes through `whoosh_bulk` (Whoosh's segment format, written without its
per-posting machinery; two processes from BULK_THRESHOLD documents on).
`FileStorage(supports_mmap=False)`: opening a searcher costs ~5 ms instead of copying every
posting into memory (130-180 ms and
+500 MB at 100k records, measured).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from gitmem.search.changes import Document, encode_row
from gitmem.search.engine import Progress
from gitmem.search.index import fields_of, schema
from gitmem.search.whoosh_load import FileIndex, FileStorage, byte_to_length

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


BULK_THRESHOLD = 5000  # documents: from here on, a full build is worth a second process
# (Below, one segment: what the single writer wrote. Whoosh sums a query's term scores in an
# order that depends on each segment's sizes, so scores differ in their last bits between
# segmentations; bench/retrieval.py's 3,806 records stay one segment.)


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


def patch_writer() -> None:
    """Whoosh's segment writer with the lengths read from memory (`_flush_segment`)."""
    import whoosh
    import whoosh.writing

    if whoosh.__version__ == (2, 7, 4):  # the version this replacement was written against
        whoosh.writing.SegmentWriter._flush_segment = _flush_segment


def write(
    ix: FileIndex,
    removed: Iterable[str],
    added: list[Document],
    *,
    fresh: bool = False,
    progress: Progress | None = None,
) -> int:
    """Drop every document from the `removed` locations, add `added`; commit. The generation.

    `fresh`: the index is empty (a full build): no deletions to look up, and a big build may
    use two processes.
    """
    if fresh:
        return _build(ix, added, progress)
    patch_writer()
    writer = ix.writer(limitmb=128)
    try:
        for location in removed:
            writer.delete_by_term("location", location)
        for done, document in enumerate(added, 1):
            writer.add_document(**fields_of(document, encode_row(document.row)))
            if progress is not None and done % 200 == 0:
                progress(done, len(added))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    if progress is not None:
        progress(len(added), len(added))
    return generation(ix)


def _build(ix: FileIndex, added: list[Document], progress: Progress | None) -> int:
    """A full build (`whoosh_bulk`): two processes from BULK_THRESHOLD documents on."""
    from gitmem.search import whoosh_bulk

    total = len(added)
    processes = 2 if total >= BULK_THRESHOLD else 1
    share = (total + 1) // 2 if processes == 2 else total  # the documents written here

    def add(writer: Any, n: int) -> None:
        document = added[n]
        writer.add_document(**fields_of(document, encode_row(document.row)))
        # (Only this process reports; the other half goes at the same pace.)
        if progress is not None and n < share and (n + 1) % 200 == 0:
            progress(min(total, (n + 1) * total // share), total)

    whoosh_bulk.build(ix, total, add, processes=processes)
    if progress is not None:
        progress(total, total)
    return generation(ix)
