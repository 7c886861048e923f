"""publish's digests of `.memory/` files: cached by size, mtime and ctime, never trusted for a
file changed close to when the cache was written (git's racy-file rule)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from gitmem.publish.local import _file_digests


def test_digests_come_from_the_cache_only_for_files_unchanged_since(tmp_path: Path) -> None:
    memory = tmp_path / ".memory"
    (memory / "facts").mkdir(parents=True)
    record = memory / "facts" / "a.md"
    record.write_text("---\nid: a\n---\nfirst\n", encoding="utf-8")
    cache = tmp_path / "publish-files.json"
    first = _file_digests(memory, cache)
    assert list(first) == [".memory/facts/a.md"]

    # Same size, mtime put back: written moments ago, so hashed again, and the change seen.
    stat = record.stat()
    record.write_text("---\nid: a\n---\nfixed\n", encoding="utf-8")
    os.utime(record, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = _file_digests(memory, cache)
    assert second[".memory/facts/a.md"] != first[".memory/facts/a.md"]

    # Long after the file last changed, its cached digest is used without reading it (a
    # digest the file cannot have shows it).
    data = json.loads(cache.read_text(encoding="utf-8"))
    data["written"] += 60
    data["files"]["facts/a.md"][3] = "from-the-cache"
    cache.write_text(json.dumps(data), encoding="utf-8")
    assert _file_digests(memory, cache) == {".memory/facts/a.md": "from-the-cache"}

    # A rewrite changes the ctime (utime cannot put that back): hashed again.
    record.write_text("---\nid: a\n---\nfixed\n", encoding="utf-8")
    os.utime(record, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _file_digests(memory, cache) == second
    # A damaged cache is only slower.
    cache.write_text("{not json", encoding="utf-8")
    assert _file_digests(memory, cache) == second
