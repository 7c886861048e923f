"""What this repository holds now, as publish compares it with the database: every place a
record lives with a digest of what it holds, and every session transcript's blob id.

A `.memory/` file's digest is a hash of its bytes (read, not parsed: parsing is what costs); a
note's is its blob id and the ids of the records read there (`search.changes.winners`: a note
git copied on a rewrite is one record, read where it was copied to). The notes are parsed by
`search.changes.refresh_notes`, which re-reads only notes whose blob changed since the manifest
publish keeps under the common dir (derived, disposable: without it every note is read).
Records and transcripts are read only for the places and sessions publish found changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitmem.errors import GitMemError, RecordError
from gitmem.search.changes import Changes, refresh_notes, scan, winners
from gitmem.sessions import transcripts
from gitmem.store import config, git
from gitmem.store.files import atomic_write, decode_text
from gitmem.store.front_matter import parse_file
from gitmem.store.note_stream import parse_note
from gitmem.store.record import Memory

MEMORY_DIR = ".memory"
NOTES_CACHE = "publish-notes.json"
FILES_CACHE = "publish-files.json"  # relpath -> [size, mtime_ns, ctime_ns, digest]
RACY = 2.0  # seconds: a file written this close to the cache may have changed unseen


def repository_name(repo: git.RepoInfo) -> str:
    """`host/owner/name` from the origin remote (credentials and `.git` dropped), else the
    work tree's folder name: the same repository gets the same name from every clone."""
    urls = git.config_get_all(repo, "remote.origin.url")
    if urls:
        url = urls[0].strip()
        url = re.sub(r"^[a-z+]+://", "", url)  # scheme
        url = re.sub(r"^[^@/]*@", "", url)  # user[:password]@
        url = re.sub(r"^([^/:]+):(?!\d+/)", r"\1/", url)  # scp-like host:path
        url = re.sub(r"^([^/]+):\d+/", r"\1/", url)  # a port
        url = url.removesuffix("/").removesuffix(".git")
        if url:
            return url
    base = repo.work_tree or repo.common_dir.parent
    return base.name


@dataclass
class Local:
    repo: git.RepoInfo
    name: str
    head: str | None
    notes_tip: str | None
    sources: dict[str, str]  # location -> digest
    sessions_tip: str | None
    session_blobs: dict[str, str]  # session id -> blob id
    problems: list[str] = field(default_factory=list)  # filled while reading records
    _notes: dict[str, list[Any]] = field(default_factory=dict)
    _winners: dict[str, set[str]] = field(default_factory=dict)
    _types: list[str] = field(default_factory=list)

    def records(self, locations: Iterable[str]) -> Iterator[tuple[str, Memory]]:
        """(location, record) of every record in `locations`, read now; what cannot be read
        goes to `problems`."""
        wanted = sorted(set(locations))
        shas = [loc[5:] for loc in wanted if loc.startswith("note:")]
        blobs = git.read_all_blobs(
            self.repo,
            [self._notes[sha][0] for sha in shas],
            "note object {oid} is missing; run `git fsck`",
        )
        for location in wanted:
            if location.startswith("note:"):
                sha = location[5:]
                blob, created = self._notes[sha][0], self._notes[sha][5]
                text = blobs[blob].decode("utf-8", "surrogateescape")
                ids = self._winners.get(sha, set())
                for chunk in parse_note(text, location, created, self._types):
                    if chunk.memory is not None and chunk.memory.id in ids:
                        yield location, chunk.memory
                    elif chunk.error is not None:
                        self.problems.append(str(chunk.error))
                continue
            assert self.repo.work_tree is not None
            try:
                data = (self.repo.work_tree / location).read_bytes()
            except OSError as error:
                raise GitMemError(
                    f"{location} changed while publishing ({error}); run again"
                ) from None
            try:
                yield location, parse_file(decode_text(data, location), location, self._types)
            except RecordError as error:
                self.problems.append(str(error))

    def transcripts(self, session_ids: Iterable[str]) -> Iterator[transcripts.Transcript]:
        """The transcripts of `session_ids`, a batch of blobs at a time."""
        wanted = sorted(set(session_ids))
        for start in range(0, len(wanted), 64):
            batch = {sid: self.session_blobs[sid] for sid in wanted[start : start + 64]}
            data = transcripts.read_blobs(self.repo, list(batch.values()))
            for sid, oid in batch.items():
                yield transcripts.decode(data[oid], sid)


def _file_digests(memory_dir: Path | None, cache_path: Path) -> dict[str, str]:
    """Each `.memory/` file's digest. A file whose size, mtime and ctime (search's scan) are
    those of the last run keeps its cached digest: reading and hashing every file was most of
    a publish that found little changed. As git's racy-file rule: a file changed within RACY
    seconds of the cache's writing is not trusted, it is hashed again."""
    found: dict[str, str] = {}
    if memory_dir is None:
        return found
    cached: dict[str, list[Any]] = {}
    written = 0.0
    with contextlib.suppress(OSError, ValueError, TypeError):
        loaded = json.loads(cache_path.read_text(encoding="utf-8"))
        if isinstance(loaded, dict) and isinstance(loaded.get("files"), dict):
            cached, written = loaded["files"], float(loaded.get("written", 0))
    stats: dict[str, list[Any]] = {}
    for relpath, (mtime_ns, size, ctime_ns) in scan(memory_dir).items():
        path = memory_dir / relpath
        key = [size, mtime_ns, ctime_ns]
        settled = max(mtime_ns, ctime_ns) / 1e9 < written - RACY
        try:
            old = cached.get(relpath)
            if settled and isinstance(old, list) and old[:3] == key:
                digest = str(old[3])
            else:
                # The digest the search catalog uses: a file it says changed is one we send.
                digest = hashlib.blake2b(path.read_bytes(), digest_size=12).hexdigest()
        except OSError:
            continue  # gone since the scan
        stats[relpath] = [*key, digest]
        found[f"{MEMORY_DIR}/{relpath}"] = digest
    if stats != cached:
        with contextlib.suppress(OSError):  # a cache that cannot be written is no error
            data = json.dumps({"written": time.time(), "files": stats})
            atomic_write(cache_path, data.encode(), durable=False)
    return found


def _notes(repo: git.RepoInfo, tip: str | None, types: list[str]) -> dict[str, list[Any]]:
    """The notes manifest (search.changes' shape) at `tip`, re-reading only changed notes."""
    if tip is None:
        return {}
    path = repo.state_dir / NOTES_CACHE
    cached: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        loaded = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(loaded, dict) and loaded.get("types") == types:
            cached = loaded
    if cached.get("tip") == tip and isinstance(cached.get("notes"), dict):
        return dict(cached["notes"])
    old: dict[str, list[Any]] = cached["notes"] if isinstance(cached.get("notes"), dict) else {}
    try:
        notes = refresh_notes(repo, old, types, Changes())
    except (TypeError, ValueError, IndexError, KeyError):  # a damaged cache: read every note
        notes = refresh_notes(repo, {}, types, Changes())
    with contextlib.suppress(OSError):  # a cache that cannot be written is no error
        data = json.dumps({"tip": tip, "types": types, "notes": notes}, default=list)
        atomic_write(path, data.encode(), durable=False)
    return notes


def read(repo: git.RepoInfo, name: str | None = None) -> Local:
    memory_dir = memory_dir_of(repo)
    types = config.load(memory_dir).type_names
    sources = _file_digests(memory_dir, repo.state_dir / FILES_CACHE)
    notes_tip = git.commit_tip(repo, git.NOTES_REF)
    notes = _notes(repo, notes_tip, types)
    chosen = winners(notes)
    for sha, ids in chosen.items():
        sources[f"note:{sha}"] = f"{notes[sha][0]}:{','.join(sorted(ids))}"
    sessions_tip = transcripts.tip(repo)
    return Local(
        repo=repo,
        name=name or repository_name(repo),
        head=git.verify_commit(repo, "HEAD"),
        notes_tip=notes_tip,
        sources=sources,
        sessions_tip=sessions_tip,
        session_blobs=transcripts.entries(repo, sessions_tip) if sessions_tip else {},
        _notes=notes,
        _winners=chosen,
        _types=types,
    )


def memory_dir_of(repo: git.RepoInfo) -> Path | None:
    return repo.work_tree / MEMORY_DIR if repo.work_tree else None
