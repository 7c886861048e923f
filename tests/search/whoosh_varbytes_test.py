"""`search.whoosh_varbytes`: a variable-length byte column opens with the same offsets and
lengths as Whoosh's own reader gives, with and without the offsets written, and reads the
same values."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.columns import VarBytesColumn
from whoosh.filedb.filestore import FileStorage

from gitmem.search import whoosh_varbytes


@pytest.mark.parametrize("cutoff", [2**15, 10])  # offsets derived; offsets written (> 10)
def test_the_same_offsets_and_lengths_as_whooshs_reader(tmp_path: Path, cutoff: int) -> None:
    values = [b"", b"a", b"", b"bc" * 300, b"d", *(bytes([n % 256]) * (n % 7) for n in range(60))]
    doccount = len(values) + 3  # (three documents at the end without a value)
    storage = FileStorage(str(tmp_path))
    column = VarBytesColumn(write_offsets_cutoff=cutoff)
    out = storage.create_file("column")
    writer = column.writer(out)
    for docnum, value in enumerate(values):
        if value:
            writer.add(docnum, value)
    writer.finish(doccount)
    length = out.tell()
    out.close()

    whoosh_varbytes.install()
    summed = whoosh_varbytes._read_offsets_and_lengths
    assert VarBytesColumn.Reader._read_offsets_and_lengths is summed
    ours = column.reader(storage.open_file("column"), 0, length, doccount)
    theirs = column.reader(storage.open_file("column"), 0, length, doccount)
    theirs._offsets = theirs._lengths = None
    whoosh_varbytes.WHOOSHS[0](theirs)  # Whoosh's own method, on the same column
    assert (ours._offsets.typecode, ours._offsets.tolist()) == (
        theirs._offsets.typecode,
        theirs._offsets.tolist(),
    )
    assert ours._lengths.tolist() == theirs._lengths.tolist()
    assert ours.had_stored_offsets == theirs.had_stored_offsets == (cutoff == 10)
    assert [ours[n] for n in range(doccount)] == [*values, b"", b"", b""]
