"""Whoosh's variable-length byte columns (the bodies snippets are cut from, the ids) opened
with their offsets summed at C speed.

A segment of up to 32,768 documents stores only each value's length;
`whoosh.columns.VarBytesColumn.Reader` derives the offsets when the column opens, one Python
`append` per document: ~0.5 ms of a one-shot search at 10k records (the body column of every
segment opens for the snippets). `install` replaces that method with the same steps, the
offsets summed by `itertools.accumulate` into the same array (type "L", the same values).
"""

from __future__ import annotations

import itertools
import struct
from array import array

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


def install() -> None:
    """Give Whoosh's `VarBytesColumn.Reader` the summing `_read_offsets_and_lengths`."""
    from whoosh.columns import VarBytesColumn

    if getattr(VarBytesColumn.Reader._read_offsets_and_lengths, "_summed", False):
        return
    WHOOSHS[:] = [VarBytesColumn.Reader._read_offsets_and_lengths]  # (what the tests compare)
    VarBytesColumn.Reader._read_offsets_and_lengths = _read_offsets_and_lengths


WHOOSHS: list[Any] = []  # Whoosh's own method, once replaced


def _read_offsets_and_lengths(self: Any) -> None:
    # whoosh 2.7.4's VarBytesColumn.Reader._read_offsets_and_lengths, but the offsets loop.
    dbfile = self._dbfile
    doccount = self._doccount
    lastbyte = self._basepos + self._length - 1  # (the lengths' type code)
    lens_code = chr(dbfile.get_byte(lastbyte))
    offsets = None
    if lens_code == "X":  # the offsets were written too (more than 32,768 documents)
        self.had_stored_offsets = True
        lens_code = chr(dbfile.get_byte(lastbyte - 2))
        offsets_code = chr(dbfile.get_byte(lastbyte - 1))
        offsetstart = (lastbyte - 2) - doccount * struct.calcsize(offsets_code)
        offsets = dbfile.get_array(offsetstart, offsets_code, doccount)
        lastbyte = offsetstart
    lenstart = lastbyte - struct.calcsize(lens_code) * doccount
    lengths = dbfile.get_array(lenstart, lens_code, doccount)
    if offsets is None:  # each value's offset: the sum of the lengths before it
        offsets = array("L", itertools.accumulate(lengths, initial=0))
        offsets.pop()  # (the sum of them all)
    self._offsets = offsets
    self._lengths = lengths


_read_offsets_and_lengths._summed = True  # type: ignore[attr-defined]
