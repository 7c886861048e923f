"""What `git mem pr` finds on a branch: memory files changed, records captured in notes,
existing memories relevant to the diff. Built by `review.build`, rendered by `markdown`."""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

MARKER = "<!-- gitmem-pr -->"
NOTHING = "No memory changes or relevant memories."


@dataclasses.dataclass
class FileChange:
    """A `.memory/` file added, changed, renamed or removed on the branch."""

    change: str  # added | changed | renamed | removed
    path: str  # the path at HEAD (removed: at the merge base)
    old_path: str | None = None  # renamed: where it was
    id: str | None = None
    type: str | None = None
    title: str | None = None
    status: str | None = None
    old_status: str | None = None  # changed/renamed: the status at the merge base
    old_title: str | None = None
    error: str | None = None  # the file does not read as a record

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Captured:
    """A record in the note on one of the branch's commits."""

    id: str
    type: str
    title: str
    status: str
    commit: str

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class Why(NamedTuple):
    """Why a memory is relevant: what matched (a recorded path, search words) and what it
    matched (a changed file, a commit subject)."""

    kind: str  # paths | name (a changed file's name) | subject (a commit subject)
    match: str
    source: str
    more: int = 0  # other changed files the same recorded path matches

    def __str__(self) -> str:
        if self.kind == "paths":
            more = f" (and {self.more} more)" if self.more else ""
            return f"paths: {self.match} matches {self.source}{more}"
        if self.kind == "name":
            return f"search: matches '{self.match}' from {self.source}"
        return f"search: commit subject '{self.source}'"


@dataclasses.dataclass
class Relevant:
    """An existing memory relevant to the diff, and why."""

    id: str
    type: str
    title: str
    status: str
    location: str
    why: Why

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in dataclasses.asdict(self).items() if k != "why"}
        return {**data, "reason": str(self.why), **self.why._asdict()}


@dataclasses.dataclass
class Review:
    base: str  # BASE as named (or detected)
    head: str
    base_commit: str
    head_commit: str
    merge_base: str
    commits: list[str]  # merge-base..HEAD, oldest first
    changed: list[str]  # changed files outside .memory/, sorted
    files: list[FileChange]
    captured: list[Captured]
    relevant: list[Relevant]

    @property
    def empty(self) -> bool:
        return not (self.files or self.captured or self.relevant)

    def to_json(self) -> dict[str, Any]:
        return {
            "base": {"rev": self.base, "commit": self.base_commit},
            "head": {"rev": self.head, "commit": self.head_commit},
            "merge_base": self.merge_base,
            "commits": len(self.commits),
            "changed_files": self.changed,
            "memory_files": [f.to_json() for f in self.files],
            "captured": [c.to_json() for c in self.captured],
            "relevant": [r.to_json() for r in self.relevant],
        }
