"""A term's postings read from Whoosh's W3 posting blocks: the document numbers and weights
only, without the positions a ranked query does not need.

Whoosh 2.7 writes each block as a zlib-compressed protocol-2 pickle of one tuple, (ids,
weights, values), the three in that order. The values are every posting's positions, and
protocol 2 pickles each `bytes` value as a call to `codecs.encode` on a latin-1 string:
unpickling them was ~80% of decoding a block (50 of 64 µs for 128 postings). Here a block is
decompressed only as far as its ids and weights can reach (an int opcode is at most 5 bytes,
a float 9), the opcodes of the two are matched by a regular expression (C speed), and that
prefix is unpickled closed as a 2-tuple: the same ints and floats. A block of any other shape
(another opcode, a bound too small) is decoded whole as before. The on-disk format is
Whoosh's, unchanged.
"""

from __future__ import annotations

import io
import itertools
import pickle
import re
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


# BINPUT/LONG_BINPUT: protocol 2 memoizes each tuple (ints, floats and None never).
_PUT = rb"(?:q.|r....)"
_INT = rb"(?:K.|M..|J....)"  # BININT1, BININT2, BININT
_FLOAT = rb"(?:G.{8})"  # BINFLOAT
# PROTO 2, the ids tuple (MARK ... TUPLE, or TUPLE1-3 for up to 3), then the weights: a tuple
# of floats, None, or one float. The tuple forms are tried first: a tuple of 1-3 floats begins
# as one float does (the values after one float begin with neither a float nor a TUPLE1-3).
_HEAD = re.compile(
    rb"\x80\x02(?:\(" + _INT + rb"*t|" + _INT + rb"{1,3}[\x85\x86\x87])" + _PUT
    + rb"(?:\(" + _FLOAT + rb"*t" + _PUT + rb"|" + _FLOAT + rb"{1,3}[\x85\x86\x87]" + _PUT
    + rb"|N|" + _FLOAT + rb")",
    re.S,
)  # fmt: skip
_CLOSE = b"\x86."  # TUPLE2, STOP
_HEAD_BOUND = 32  # PROTO, MARK, TUPLE, two BINPUTs (LONG_BINPUT at most), slack
_BOUND_PER_POSTING = 5 + 9  # an id's opcode (BININT at most) and a weight's (BINFLOAT)


_HEADER_TAG = b"W3Bl"  # whoosh.codec.whoosh3.WHOOSH3_HEADER_MAGIC: a term's postings begin so


class BadPostings(Exception):
    """Postings whose blocks do not add up to their term info's length."""


def ids_and_weights(data: bytes, compressed: bool, count: int) -> tuple[Any, Any]:
    """A block's (ids, weights) as Whoosh pickled them, its values left undecoded."""
    limit = _HEAD_BOUND + _BOUND_PER_POSTING * count
    head = zlib.decompressobj().decompress(data, limit) if compressed else data[:limit]
    found = _HEAD.match(head)
    if found is not None:
        ids, weights = pickle.loads(head[: found.end()] + _CLOSE)
        if len(ids) == count and (not isinstance(weights, tuple) or len(weights) == count):
            return ids, weights
    from whoosh.compat import loads

    ids, weights, _values = loads(zlib.decompress(data) if compressed else data)
    return ids, weights


def read_postings(m: Any) -> tuple[array[int], list[float]]:
    """W3LeafMatcher's blocks read one after the other, each with one read (its `_goto`,
    `_read_data`, `_read_ids` and `_read_weights`, which read a block's header a few bytes
    at a time): every posting's document number and weight (as `weight()` gives it). The
    weights are a list: the floats unpickled kept as they are (an array would box each one
    again whenever it is read)."""
    return read_postings_near(m, None)


def read_postings_near(m: Any, docs: list[int] | None) -> tuple[array[int], list[float]]:
    """`read_postings`, but only the blocks that may hold one of `docs` (ascending; None:
    every block): a block holds the documents after the last one of the block before it, up
    to its own last (its header's), and the others are skipped undecoded."""
    ids: array[int] = array("I")
    weights: list[float] = []
    for block_ids, block_weights, count in _blocks_of(m, docs):
        ids.extend(block_ids)
        if block_weights is None:
            weights += [1.0] * count
        elif isinstance(block_weights, float):  # (Whoosh keeps it in an array("f"))
            weights += [array("f", [block_weights])[0]] * count
        else:
            weights += block_weights
    return ids, weights


def block_ids(m: Any) -> Iterator[Iterable[int]]:
    """A term's document numbers a block at a time, each decoded only when asked for: for
    a caller that stops at the first it looks for."""
    for ids, _weights, _count in _blocks_of(m, None):
        yield ids


def _blocks_of(m: Any, docs: list[int] | None) -> Iterator[tuple[Iterable[int], Any, int]]:
    """The blocks of `read_postings_near`, in order: (ids, weights as pickled, count)."""
    from whoosh.system import unpack_int

    offset, length = m._startoffset, m._length
    if isinstance(length, tuple):  # (how Whoosh 2.7's term info unpacks it)
        (length,) = length
    data = memoryview(m._postfile.get(offset, length))  # the term's postings, one read
    if data[:4] != _HEADER_TAG:  # (a matcher read lazily has not checked it: whoosh_terms)
        raise BadPostings("postings without their header tag")
    position = m._baseoffset - offset
    before = -1  # the last document of the block before
    while True:
        (size,) = unpack_int(data[position : position + 4])
        last = size < 0
        size = abs(size)
        block = io.BytesIO(data[position + 4 : position + 4 + size])
        count, maxid, _maxweight, compression, _mnlen, _mxlen = pickle.load(block)
        if docs is None or _holds(docs, before, maxid):
            ids, weights = ids_and_weights(block.read(), bool(compression), count)
            yield (ids if m._byteids else itertools.accumulate(ids)), weights, count
        before = maxid
        if last:
            if position + 4 + size != length:
                raise BadPostings("postings of another length than their term info says")
            return
        position += 4 + size


def _holds(docs: list[int], before: int, last: int) -> bool:
    """Whether ascending `docs` has one in (before, last]."""
    i = bisect_right(docs, before)
    return i < len(docs) and docs[i] <= last
