"""A full build of the Whoosh index: the same segment files as Whoosh's own writer, written
in a fraction of the time, on two cores.

Whoosh's `SegmentWriter` sends every posting (a term of a field of a document: ~170 per record)
through a sorting pool as a tuple, then back out one at a time through `add_postings`, the
postings writer's `add_posting` (type checks, statistics) and a length lookup: ~60% of a
build's CPU time at 10k records. Documents arrive in order and a field yields each of its terms
once per document, so the postings of a term are already in document order: `BulkWriter`
keeps them per term in arrays and writes each block of 128 with one call, its statistics
computed per block. The per-document part (stored rows, columns, lengths) and the block
encoding are Whoosh's own code; `tests/search/whoosh_bulk_test.py` checks the files are
byte for byte those of Whoosh's writer.

`build` splits the documents in two contiguous halves: this process writes the first, a forked
child the second, each into its own segments (at most SEGMENT_DOCS documents each, which bounds
memory), and the table of contents lists them in document order. Scores use the statistics of
the whole index, but Whoosh adds a query's term scores in an order that depends on each
segment's sizes, so they can differ in their last bits between segmentations: the build is
deterministic (the records' order, the same segments every time), which Whoosh's multiprocess
writer (the previous build, dealing batches to whichever process was free) was not.
"""

from __future__ import annotations

import functools
import os
import pickle
import random
import shutil
from array import array
from collections.abc import Callable

from gitmem.search.index import FastText, encode_positions, term_positions
from gitmem.search.whoosh_columns import whole_column
from gitmem.search.whoosh_load import FileIndex, byte_to_length

# (Everything the forked child runs is imported before it forks: a thread of the parent holding
# the import lock at that moment would leave the child waiting for it forever.)
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield  # isort: skip

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


SEGMENT_DOCS = 50_000  # documents per segment: bounds the postings a process holds (at 100k
# records, 50,000 per process: ~730 MB max RSS each, the parsed documents included)
BLOCK = 128  # postings per block: the codec's `blocklimit`

# One posting list being gathered: document numbers, weights (as the codec stores them),
# encoded values (positions, frequencies; None for a format without values).
Postings = tuple["array[int]", "array[float]", "list[bytes] | None"]


@functools.cache
def _writer_class() -> type:
    from whoosh.writing import SegmentWriter

    class BulkWriter(SegmentWriter):  # type: ignore[misc]
        """A `SegmentWriter` for documents added in order to a new segment (see the module)."""

        def __init__(self, ix: FileIndex, **kwargs: Any) -> None:
            super().__init__(ix, **kwargs)
            # field -> term -> postings (terms of FastText fields as str, others as bytes)
            self._terms: dict[str, dict[Any, Postings]] = {}
            self._spelling: set[str] = set()  # fields of spelling words (`spell_title`)
            self._valued = {
                name: self.schema[name].format is not None
                and self.schema[name].format.fixed_value_size() != 0
                for name in self.schema.names()
            }

        def _postings(self, fieldname: str) -> dict[Any, Postings]:
            terms = self._terms.get(fieldname)
            if terms is None:
                terms = self._terms[fieldname] = {}
                if fieldname not in self._valued:  # a spelling field (`spell_title`)
                    self._valued[fieldname] = self.schema[fieldname].format.fixed_value_size() != 0
            return terms

        def add_document(self, **fields: Any) -> None:
            # whoosh.writing.SegmentWriter.add_document, with `self.pool.add` replaced by
            # appends to the term's arrays. (Unused here: vectors, `_boost` keywords.)
            self._check_state()
            perdocwriter = self.perdocwriter
            schema = self.schema
            docnum = self.docnum
            docboost = self._doc_boost(fields)
            fieldnames = sorted([name for name in fields if not name.startswith("_")])
            self._check_fields(schema, fieldnames)
            vbytes = None  # (Whoosh gives spelling postings the last posting's value: kept)
            perdocwriter.start_doc(docnum)
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if type(field) is FastText:  # (the bulk of the postings: no generator)
                    boost = field.format.field_boost
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    terms = self._postings(fieldname)
                    for term, found in term_positions(value).items():
                        freq = len(found)
                        length += freq
                        vbytes = encode_positions(found)
                        postings = terms.get(term)
                        if postings is None:
                            postings = terms[term] = (array("I"), array("f"), [])
                        postings[0].append(docnum)
                        postings[1].append(freq * boost * fieldboost)
                        postings[2].append(vbytes)  # type: ignore[union-attr]
                elif field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    scorable = field.scorable
                    terms = self._postings(fieldname)
                    valued = self._valued[fieldname]
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if scorable:
                            length += freq
                        postings = terms.get(tbytes)
                        if postings is None:
                            postings = terms[tbytes] = (
                                array("I"),
                                array("f"),
                                [] if valued else None,
                            )
                        postings[0].append(docnum)
                        postings[1].append(weight * fieldboost)
                        if postings[2] is not None:
                            postings[2].append(vbytes)
                if field.separate_spelling():
                    spelling_name = field.spelling_fieldname(fieldname)
                    self._spelling.add(spelling_name)
                    spelling = self._postings(spelling_name)
                    for word in field.spellable_words(value):
                        word_bytes = word.encode("utf-8")
                        postings = spelling.get(word_bytes)
                        if postings is None:
                            postings = spelling[word_bytes] = (array("I"), array("f"), [])
                        postings[0].append(0)  # Whoosh's writer does the same
                        postings[1].append(1)
                        assert postings[2] is not None
                        postings[2].append(vbytes or b"")
                customval = fields.get(f"_stored_{fieldname}", value)
                stored = customval if field.stored else None
                perdocwriter.add_field(fieldname, field, stored, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(
                        fieldname, column, field.to_column_value(customval)
                    )
            perdocwriter.finish_doc()
            self._added = True
            self.docnum += 1

        def _flush_segment(self) -> None:
            self.perdocwriter.close()
            reader = self.per_document_reader()
            try:
                self._write_postings(reader)
            finally:
                self.fieldwriter.close()
                reader.close()
            self._terms = {}

        def _write_postings(self, reader: Any) -> None:
            writer = self.fieldwriter
            for fieldname in sorted(self._terms):
                terms = self._terms[fieldname]
                if not terms:
                    continue  # (an empty value: Whoosh's writer never hears of the field)
                column = reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
                codes = bytes(whole_column(column)) if column is not None else None
                # Whoosh's writer gives spelling postings the integer weight 1 (pickled so),
                # and its pool sorts their (equal) postings by value.
                spelling = fieldname in self._spelling
                writer.start_field(fieldname, self.schema[fieldname])
                for term in sorted(terms):  # (str terms sort as their UTF-8 bytes do)
                    ids, weights, values = terms[term]
                    btext = term.encode() if isinstance(term, str) else term
                    if spelling:
                        order = sorted(range(len(ids)), key=lambda n: values[n])  # type: ignore[index]
                        values = [values[n] for n in order]  # type: ignore[index]
                    writer.start_term(btext)
                    _write_blocks(writer._postwriter, ids, weights, values, codes, spelling)
                    writer.finish_term()
                writer.finish_field()

    return BulkWriter


def _write_blocks(
    postwriter: Any,
    ids: array[int],
    weights: array[float],
    values: list[bytes] | None,
    codes: bytes | None,
    spelling: bool,
) -> None:
    """One term's postings as the codec's blocks: what `add_posting` would have buffered."""
    count = len(ids)
    for start in range(0, count, BLOCK):
        stop = min(start + BLOCK, count)
        block_ids = ids[start:stop]
        block_weights = weights[start:stop]
        postwriter._ids = block_ids
        postwriter._weights = block_weights
        if values is None:
            postwriter._values = []
        else:
            chunk = values[start:stop]
            postwriter._values = [v for v in chunk if v] if b"" in chunk else chunk
        top = max(block_weights)
        postwriter._maxweight = (1 if spelling else top) if top > 0 else 0
        minlength, maxlength = None, 0
        if codes is not None:
            found = [codes[n] for n in block_ids]
            present = [c for c in found if c] if 0 in found else found
            if present:
                minlength = byte_to_length(min(present))
                maxlength = byte_to_length(max(present))
        postwriter._minlength = minlength
        postwriter._maxlength = maxlength
        postwriter._write_block(last=stop == count)


def _write_segments(
    ix: FileIndex, add: Callable[[Any, int], None], start: int, stop: int
) -> list[Any]:
    """Segments of the documents `start` to `stop` (at most SEGMENT_DOCS each), finished.
    (On failure nothing is cleaned up here: the temporary directory is shared with the other
    process, and a failed build's index directory is removed as a whole.)"""
    cls = _writer_class()
    segments = []
    for begin in range(start, stop, SEGMENT_DOCS):
        writer = cls(ix, _lk=False)
        for n in range(begin, min(begin + SEGMENT_DOCS, stop)):
            add(writer, n)
        segments.append(writer._finalize_segment())
    return segments


def build(
    ix: FileIndex,
    count: int,
    add: Callable[[Any, int], None],
    *,
    processes: int = 2,
) -> None:
    """Write documents 0 to `count` (`add(writer, n)` adds the n-th) into the new index `ix`
    and commit: the first half here, the second in a forked child (`processes` 2)."""
    from whoosh.index import TOC, LockError, clean_files

    _writer_class()  # (imports what the child needs, before it forks)
    lock = ix.lock("WRITELOCK")
    if not lock.acquire():
        raise LockError
    child = None
    try:
        split = count if processes < 2 or not hasattr(os, "fork") else (count + 1) // 2
        child = _fork(ix, add, split, count) if split < count else None
        segments = _write_segments(ix, add, 0, split)
        if child is not None:
            pending, child = child, None
            segments += _collect(*pending)
        info = ix._read_toc()
        generation = info.generation + 1
        TOC(info.schema, segments, generation).write(ix.storage, ix.indexname)
        clean_files(ix.storage, ix.indexname, generation, segments)
    finally:
        if child is not None:
            _collect(*child, failed=True)
        shutil.rmtree(os.path.join(ix.storage.folder, f"{ix.indexname}.tmp"), ignore_errors=True)
        lock.release()


def _fork(ix: FileIndex, add: Callable[[Any, int], None], start: int, stop: int) -> tuple[int, int]:
    """A child writing documents `start` to `stop`: its pid and the pipe it reports on."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write, report the segments (or the error), never return
        code = 1
        try:
            os.close(read_end)
            random.seed()  # Whoosh names segments with `random`: not the parent's sequence
            try:
                result: Any = _write_segments(ix, add, start, stop)
            except BaseException as error:  # reported to the parent, raised there
                result = error
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(result, out)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, read_end: int, *, failed: bool = False) -> list[Any]:
    """The child's segments (raising its error); waits for it."""
    with os.fdopen(read_end, "rb") as report:
        data = report.read() if not failed else b""
    _pid, status = os.waitpid(pid, 0)
    if failed:
        return []
    if not data or os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"the index writer process failed (status {status})")
    result = pickle.loads(data)
    if isinstance(result, BaseException):
        raise result
    return list(result)
