"""`gitmem.stand_in`: a module loaded without what it imports for functions never called (a
fresh interpreter each: this one has the real modules loaded)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

KEPT = """
import sys, types
from gitmem import stand_in, withdraw
assert "dbm" not in sys.modules
placed = stand_in({"dbm": {"marker": 1}})
import keeper  # `import dbm` at its top
from dbm import whichdb  # a name the stand-in was not given: the real module's, now
print(keeper.dbm.marker, type(keeper.dbm).__name__, whichdb.__module__)
withdraw(placed)
import dbm
print(type(dbm).__name__, keeper.dbm.error is dbm.error, type(sys.modules["dbm"]).__name__)
"""


def test_a_kept_stand_in_answers_every_name_and_leaves(tmp_path: Path) -> None:
    (tmp_path / "keeper.py").write_text("import dbm\n")
    proc = subprocess.run(
        [sys.executable, "-c", KEPT], capture_output=True, text=True, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["1 StandIn dbm", "module True module"]


THREADS = """
import sys, threading
stop = threading.Event()
thread = threading.Thread(target=stop.wait)
thread.start()
from gitmem import stand_in
print(stand_in({"dbm": {}}), "dbm" in sys.modules)
from gitmem.store import yaml_load
yaml = yaml_load.load()
print(type(yaml.reader.Reader.NON_PRINTABLE).__name__)
from gitmem.search import whoosh_load
print(sorted(n for n in ("shutil", "tempfile", "random", "html") if n in sys.modules))
stop.set()
"""


def test_no_stand_ins_while_other_threads_run() -> None:
    """In a process with threads (the index service, an MCP server) another thread could import
    a module while its stand-in is in `sys.modules`: everything loads plainly there."""
    proc = subprocess.run([sys.executable, "-c", THREADS], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "[] False",
        "Pattern",
        "['html', 'random', 'shutil', 'tempfile']",
    ]
