"""`search.whoosh_load`: Whoosh loaded with stand-ins for what no search uses (a fresh
interpreter: this one has Whoosh loaded). A search loads none of those modules; each stand-in
is the real thing when used, and later imports get the real modules."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from gitmem.search import whoosh_load
import whoosh.compat, whoosh.util, whoosh.util.times, whoosh.filedb.compound
import whoosh.filedb.filestore
names = ("urllib.request", "hashlib", "shutil", "html", "tempfile", "random", "calendar",
         "queue", "whoosh.lang.morph_en")
print(sorted(name for name in names if name in sys.modules))
print(whoosh.compat.htmlescape("<a & b>"))
print(len(whoosh.util.random_name(8)))
print(whoosh.util.times.relative_days(2024, 2, 31) if hasattr(whoosh.util.times,
      "relative_days") else whoosh.util.times.calendar.monthrange(2024, 2)[1])
print(whoosh.filedb.filestore.tempfile.gettempdir() != "")
import io
out = io.BytesIO(); whoosh.filedb.compound.copyfileobj(io.BytesIO(b"abc"), out)
print(out.getvalue())
print(whoosh.compat.queue.Queue().empty())
import random, tempfile, shutil, calendar
print([type(m).__name__ for m in (random, tempfile, shutil, calendar)])
print(sorted(name for name in names if name in sys.modules))
"""


def test_stand_ins_are_the_real_thing_when_used() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "[]"
    assert lines[1] == "&lt;a &amp; b&gt;"
    assert lines[2] == "8"
    assert lines[4:8] == ["True", "b'abc'", "True", "['module', 'module', 'module', 'module']"]
    assert "random" in lines[8] and "tempfile" in lines[8] and "shutil" in lines[8]
