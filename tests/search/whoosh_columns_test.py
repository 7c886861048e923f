"""`search.whoosh_columns`: a column of one-byte values (the field lengths BM25F reads) read
as its bytes gives what Whoosh's reader gives value by value, the documents after the last
written value included."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.columns import NumericColumn
from whoosh.filedb.filestore import FileStorage

from gitmem.search.whoosh_columns import whole_bytes


@pytest.mark.parametrize("default", [0, 7])
def test_one_byte_values_read_as_their_bytes(tmp_path: Path, default: int) -> None:
    values = [3, default, 255, 0, 1, *(n % 256 for n in range(300)), default, default]
    doccount = len(values) + 4  # the last documents have no value written: the default
    storage = FileStorage(str(tmp_path))
    column = NumericColumn("B", default=default)
    out = storage.create_file("lengths")
    writer = column.writer(out)
    for docnum, value in enumerate(values):
        writer.add(docnum, value)
    writer.finish(doccount)
    length = out.tell()
    out.close()
    reader = column.reader(storage.open_file("lengths"), 0, length, doccount)
    assert reader._count < doccount  # (the case: fewer values written than documents)
    whooshs = bytes(reader[docnum] for docnum in range(doccount))
    assert whole_bytes(reader) == whooshs == bytes([*values, *[default] * 4])
