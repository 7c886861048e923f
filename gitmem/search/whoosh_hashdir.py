"""Whoosh's on-disk hash tables (each segment's term table) opened with one read of their
directory instead of 256.

`whoosh.filedb.filetables.HashReader.__init__` reads the 256 entries of a table's directory
8 + 4 bytes at a time, each a `read` through the compound file's layers: ~1 ms of a query at
100k records (a searcher opens one table per segment, and a one-shot process opens a
searcher per query). `install` replaces that constructor with the same steps in the same
order, the directory read as one block and unpacked at C speed: the same `tables` list (of
the same tuples), the file left at the same position. Nothing is kept between calls.
"""

from __future__ import annotations

import os
import struct

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


def install() -> None:
    """Give Whoosh's `HashReader` (and its subclasses) the one-read constructor."""
    from whoosh.filedb import filetables

    if getattr(filetables.HashReader.__init__, "_one_read", False):
        return
    filetables.HashReader.__init__ = _init


def _init(
    self: Any, dbfile: Any, length: int | None = None, magic: bytes = b"HSH3", startoffset: int = 0
) -> None:
    # whoosh 2.7.4's HashReader.__init__, but the directory loop (see the module's doc).
    from whoosh.filedb import filetables

    self.dbfile = dbfile
    self.startoffset = startoffset
    self.is_closed = False
    if length is None:
        dbfile.seek(0, os.SEEK_END)
        length = dbfile.tell() - startoffset
    dbfile.seek(startoffset)
    filemagic = dbfile.read(4)
    if filemagic != magic:
        raise filetables.FileFormatError(f"Unknown file header {filemagic!r}")
    self.hashtype = dbfile.read_byte()
    self.hashfn = filetables._hash_functions[self.hashtype]
    dbfile.read_int()  # (unused future expansion bits)
    dbfile.read_int()
    self.startofdata = dbfile.tell()
    exptr = startoffset + length - filetables._INT_SIZE
    exlen = dbfile.get_int(exptr)
    expos = exptr - exlen
    dbfile.seek(expos)
    self._read_extras()
    dbfile.seek(expos - filetables._directory_size)
    directory = dbfile.read(filetables._directory_size)
    if len(directory) != filetables._directory_size:
        raise struct.error("a hash table's directory cut short")  # (as Whoosh's unpack would)
    self.tables = list(filetables._dir_entry.iter_unpack(directory))
    self.endofdata = self.tables[0][0]


_init._one_read = True  # type: ignore[attr-defined]
