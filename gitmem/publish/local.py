"""What this repository holds now, as publish compares it with the database: every place a
record lives with a digest of what it holds (the search catalog's manifest: a file's content
digest, a note's blob id and the records read from it), and every session transcript's blob id.

Reading is lazy: the digests cost a directory scan and a ref lookup (plus parsing what changed
since the local index was last updated); records and transcripts are read only for the places
and sessions publish found changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from gitmem.errors import GitMemError, RecordError
from gitmem.search import catalog
from gitmem.search.changes import Row
from gitmem.sessions import transcripts
from gitmem.store import config, git
from gitmem.store.files import decode_text
from gitmem.store.front_matter import parse_file
from gitmem.store.note_stream import parse_note
from gitmem.store.record import Memory

MEMORY_DIR = ".memory"


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
    problems: list[str]
    sessions_tip: str | None
    session_blobs: dict[str, str]  # session id -> blob id
    _rows: dict[str, list[Row]] = field(default_factory=dict)
    _types: list[str] = field(default_factory=list)

    def records(self, locations: Iterable[str]) -> Iterator[tuple[str, Memory]]:
        """(location, record) of every record in `locations`, read now."""
        wanted = sorted(set(locations))
        notes = [loc for loc in wanted if loc.startswith("note:")]
        blobs = git.read_all_blobs(
            self.repo,
            [self._rows[loc][0]["blob"] for loc in notes if self._rows.get(loc)],
            "note object {oid} is missing; run `git fsck`",
        )
        for location in wanted:
            rows = self._rows.get(location, [])
            if not rows:
                continue
            ids = {row["id"] for row in rows}
            if location.startswith("note:"):
                text = blobs[rows[0]["blob"]].decode("utf-8", "surrogateescape")
                for chunk in parse_note(text, location, rows[0]["created"], self._types):
                    if chunk.memory is not None and chunk.memory.id in ids:
                        yield location, chunk.memory
                continue
            assert self.repo.work_tree is not None
            path = self.repo.work_tree / location
            try:
                memory = parse_file(decode_text(path.read_bytes(), location), location, self._types)
            except (OSError, RecordError) as error:
                raise GitMemError(
                    f"{location} changed while publishing ({error}); run again"
                ) from None
            if memory.id in ids:
                yield location, memory

    def transcripts(self, session_ids: Iterable[str]) -> Iterator[transcripts.Transcript]:
        """The transcripts of `session_ids`, a batch of blobs at a time."""
        wanted = sorted(set(session_ids))
        for start in range(0, len(wanted), 64):
            batch = {sid: self.session_blobs[sid] for sid in wanted[start : start + 64]}
            data = transcripts.read_blobs(self.repo, list(batch.values()))
            for sid, oid in batch.items():
                yield transcripts.decode(data[oid], sid)


def read(repo: git.RepoInfo, name: str | None = None) -> Local:
    memory_dir = repo.work_tree / MEMORY_DIR if repo.work_tree else None
    types = config.load(memory_dir).type_names
    # write=False: the catalog only, never the search index (a CI clone has none to keep).
    found = catalog.refresh(repo, memory_dir, types, write=False)
    rows: dict[str, list[Row]] = {}
    for row in found.find(""):
        rows.setdefault(row["location"], []).append(row)
    sessions_tip = transcripts.tip(repo)
    return Local(
        repo=repo,
        name=name or repository_name(repo),
        head=git.verify_commit(repo, "HEAD"),
        notes_tip=git.commit_tip(repo, git.NOTES_REF),
        sources=found.sources(),
        problems=[str(problem) for problem in found.warnings],
        sessions_tip=sessions_tip,
        session_blobs=transcripts.entries(repo, sessions_tip) if sessions_tip else {},
        _rows=rows,
        _types=types,
    )


def memory_dir_of(repo: git.RepoInfo) -> Path | None:
    return repo.work_tree / MEMORY_DIR if repo.work_tree else None
