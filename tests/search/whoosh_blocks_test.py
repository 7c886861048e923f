"""`whoosh_blocks`: a term's ids and weights read without unpickling its positions are the ones
Whoosh's own matcher gives, posting by posting, for every term of every field; and each shape
of block Whoosh 2.7 pickles (tuples of 1-3 and more, weights None, one float or a tuple) is
read as Whoosh reads it, any other shape decoded whole."""

from __future__ import annotations

import pickle
import zlib
from pathlib import Path
from typing import Any

import pytest

from gitmem.search import whoosh_bulk, whoosh_write
from gitmem.search.changes import Document, encode_row
from gitmem.search.index import fields_of
from gitmem.search.whoosh_blocks import ids_and_weights, read_postings

WORDS = ["pool", "zebra", "deploy", "production", "validation", "the", "of", "read_csv"]


def documents(count: int) -> list[Document]:
    """Records whose words repeat a varied number of times (weights other than 1.0), some
    words in every record (several blocks of 128 postings), some in one."""
    out = []
    for n in range(count):
        words = [WORDS[(n * k) % len(WORDS)] for k in range(1, 2 + n % 7)]
        row: dict[str, Any] = {
            "id": f"bbbb{n:08d}",
            "type": ("decision", "fact")[n % 2],
            "title": f"Title {words[0]} once{n}",
            "created": "2026-01-02T10:00:00+00:00",
            "location": f".memory/facts/r{n}.md",
        }
        body = " ".join(words * (1 + n % 3)) + f" pool only{n % 150}."
        out.append(Document(row, body, 1_767_261_600 + n))
    return out


def test_every_terms_postings_are_whooshs(tmp_path: Path) -> None:
    from whoosh.codec.whoosh3 import W3LeafMatcher

    ix = whoosh_write.create(tmp_path / "ix")
    docs = documents(600)

    def add(writer: Any, n: int) -> None:
        writer.add_document(**fields_of(docs[n], encode_row(docs[n].row)))

    whoosh_bulk.build(ix, len(docs), add, processes=1)
    ix = whoosh_write.open_index(tmp_path / "ix")
    read = 0
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for field in reader.indexed_field_names():
            for term in reader.lexicon(field):
                m = reader.postings(field, term)
                if type(m) is not W3LeafMatcher:  # (a term in one record: inlined)
                    continue
                ids, weights = read_postings(m)
                expected: list[tuple[int, float]] = []
                while m.is_active():
                    expected.append((m.id(), m.weight()))
                    m.next()
                assert list(zip(ids, weights, strict=True)) == expected, (field, term)
                read += 1
    assert read > 50


def block(ids: tuple[int, ...], weights: Any, values: Any, compress: bool) -> bytes:
    """A block's data as Whoosh 2.7's W3PostingsWriter._write_block pickles it."""
    data = pickle.dumps((ids, weights, values), 2)
    return zlib.compress(data, 3) if compress else data


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("count", [1, 2, 3, 4, 128])
@pytest.mark.parametrize("kind", ["tuple", "none", "one float"])
def test_each_shape_whoosh_pickles(compress: bool, count: int, kind: str) -> None:
    ids = tuple(1 + n * 300 % 70_001 for n in range(count))  # (1-, 2- and 4-byte ints)
    weights: Any = {
        "tuple": tuple(1.0 + n % 3 for n in range(count)),
        "none": None,
        "one float": 2.0,
    }[kind]
    values = tuple(bytes([n % 256, 7]) for n in range(count))
    assert ids_and_weights(block(ids, weights, values, compress), compress, count) == (
        ids,
        weights,
    )


def test_another_shape_is_decoded_whole() -> None:
    ids = (5, 2**40)  # (a LONG1 opcode: not matched, read by unpickling all of it)
    data = block(ids, (1.0, 3.0), (b"a", b"b"), True)
    assert ids_and_weights(data, True, 2) == (ids, (1.0, 3.0))
    assert ids_and_weights(block((1, 2), (1.0, 3.0), None, True), True, 2) == ((1, 2), (1.0, 3.0))


@pytest.mark.parametrize("compress", [True, False])
def test_the_values_are_not_unpickled(compress: bool) -> None:
    """Cut short inside its values, a block cannot be unpickled whole, yet reads."""
    ids, weights = tuple(range(1, 200)), tuple(1.0 + n % 5 for n in range(199))
    data = pickle.dumps((ids, weights, tuple(b"xy" for _ in ids)), 2)[:-40]
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(data)
    cut = zlib.compress(data, 3) if compress else data
    assert ids_and_weights(cut, compress, 199) == (ids, weights)
