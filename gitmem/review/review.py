"""What a reviewer should know about a branch (`git mem pr`).

Three things, between the merge base of BASE and HEAD: the `.memory/` files the branch adds,
changes and removes (read from git's trees, so HEAD need not be checked out); the records
captured in notes on the branch's commits; and the existing memories relevant to the diff —
records whose `paths` match a changed file, then the best search hits for the changed files'
names and the branch's commit subjects. "Existing" means the records the store sees now (the
work tree's `.memory/` and the notes ref), minus those already listed in the first two parts.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from gitmem.errors import RecordError, UsageError
from gitmem.records import finder
from gitmem.records.store import MEMORY_DIR, Store
from gitmem.review import branch
from gitmem.review.findings import Captured, FileChange, Relevant, Review, Why
from gitmem.search.changes import Row
from gitmem.search.query import Filter, created_at, is_retired, path_matches
from gitmem.store import git
from gitmem.store.front_matter import parse_file
from gitmem.store.record import Memory

SEARCH_HITS = 3  # per query: the best few, so one broad query cannot fill the whole list
MAX_QUERIES = 25  # per kind (file names, commit subjects): a huge branch stays quick
# File stems and commit-subject words that say nothing about what a change is about.
_GENERIC_WORDS = (
    "a an and are as at be by for from in into is it of on or not the to with this that "
    "add adds added update updates updated remove removes removed fix fixes fixed change "
    "changes changed use uses make makes move moved rename renamed refactor cleanup wip bump "
    "merge branch main master init index test tests spec conftest utils util helpers common "
    "readme setup config lib mod types"
)
_GENERIC = frozenset(_GENERIC_WORDS.split())
_WORD = re.compile(r"[A-Za-z0-9]+")


def _is_record_path(path: str) -> bool:
    """A record file, as the index sees them: `.md` under `.memory/`, not hidden, no README."""
    if not path.startswith(MEMORY_DIR + "/") or not path.endswith(".md"):
        return False
    parts = path.split("/")[1:]
    return not any(p.startswith(".") for p in parts) and parts != ["README.md"]


# --------------------------------------------------------------------------------- parts


class _Entry(NamedTuple):
    change: str
    old_blob: str | None  # None: nothing to compare with (added)
    new_blob: str | None  # None: removed
    path: str
    old_path: str | None = None


def _entries(diff: list[branch.DiffEntry]) -> list[_Entry]:
    """The diff's record files, as changes to memory (a rename out of .memory/ removes one)."""
    out: list[_Entry] = []
    for letter, old_blob, new_blob, old_path, new_path in diff:
        old_in = letter not in "AC" and _is_record_path(old_path)
        new_in = letter != "D" and _is_record_path(new_path)
        if old_in and new_in:
            renamed = letter == "R" and old_path != new_path
            change = "renamed" if renamed else "changed"
            out.append(_Entry(change, old_blob, new_blob, new_path, old_path if renamed else None))
        elif new_in:
            out.append(_Entry("added", None, new_blob, new_path))
        elif old_in:
            out.append(_Entry("removed", old_blob, None, old_path))
    return out


def _memory_files(store: Store, diff: list[branch.DiffEntry]) -> list[FileChange]:
    types = store.config.type_names
    entries = _entries(diff)
    blobs = git.read_blobs(
        store.repo.git_dir, [b for e in entries for b in (e.old_blob, e.new_blob) if b]
    )
    out: list[FileChange] = []
    for entry in entries:
        item = FileChange(entry.change, entry.path, entry.old_path)
        old = _parse(blobs, entry.old_blob, entry.old_path or entry.path, types)
        new = _parse(blobs, entry.new_blob, entry.path, types)
        shown = new if entry.new_blob else old
        if isinstance(shown, str):
            item.error = shown
        elif shown is not None:
            item.id, item.type, item.title = shown.id, shown.type, shown.title
            item.status = shown.status
        if entry.new_blob and isinstance(old, Memory):
            item.old_status, item.old_title = old.status, old.title
        out.append(item)
    order = {"added": 0, "renamed": 1, "changed": 1, "removed": 2}
    out.sort(key=lambda f: (order[f.change], f.path))
    return out


def _parse(
    blobs: dict[str, bytes], oid: str | None, path: str, types: list[str]
) -> Memory | str | None:
    """The record in a blob, a one-line reason it is not one, or None for no blob."""
    if oid is None:
        return None
    data = blobs.get(oid)
    if data is None:
        return "its content is not in this clone"
    try:
        return parse_file(data.decode("utf-8"), path, types)
    except UnicodeDecodeError:
        return "not valid UTF-8"
    except RecordError as error:
        return str(error)


def _captured(rows: list[Row], commits: list[str]) -> list[Captured]:
    position = {sha: i for i, sha in enumerate(commits)}
    found = []
    for row in rows:
        location = str(row.get("location", ""))
        sha = location[5:] if location.startswith("note:") else None
        if sha in position:
            found.append((position[sha], row))
    found.sort(key=lambda item: (item[0], created_at(item[1]), item[1]["id"]))
    return [
        Captured(row["id"], row["type"], row["title"], str(row.get("status", "active")), sha)
        for _pos, row in found
        for sha in [str(row["location"])[5:]]
    ]


def glob_matches(changed: str, recorded: str) -> bool:
    """`list --path`'s matching (globs, `dir/` prefixes), with `**/` also matching no folder:
    `src/**/pool.py` is about `src/pool.py` too, as in .gitignore."""
    if path_matches(changed, recorded):
        return True
    return "**/" in recorded and path_matches(changed, recorded.replace("**/", ""))


def _path_reasons(candidates: list[Row], changed: list[str]) -> list[tuple[Row, Why]]:
    hits: dict[str, list[str]] = {}  # by recorded path: many records share one (`src/db/`)
    out = []
    for row in candidates:
        for recorded in row.get("paths", []):
            if recorded not in hits:
                hits[recorded] = [path for path in changed if glob_matches(path, recorded)]
            if hits[recorded]:
                found = hits[recorded]
                out.append((row, Why("paths", recorded, found[0], len(found) - 1)))
                break
    return out


def _significant(text: str) -> list[str]:
    """The words of `text` worth searching for, lowercased, in order, once each."""
    words: list[str] = []
    for word in _WORD.findall(re.sub(r"([a-z])([A-Z])", r"\1 \2", text)):
        word = word.lower()
        if len(word) >= 3 and not word.isdigit() and word not in _GENERIC and word not in words:
            words.append(word)
    return words


def _queries(changed: list[str], subjects: list[str]) -> list[tuple[str, str, Why]]:
    """(query, match, why) for the changed files' names (all words), then the commit subjects
    (any word, ranked as `git mem search` ranks a question: a subject is a sentence, and a
    memory rarely repeats all of it)."""
    out: list[tuple[str, str, Why]] = []
    seen: set[str] = set()
    for path in changed:
        stem = path.rsplit("/", 1)[-1].split(".", 1)[0]
        text = " ".join(_significant(stem))
        if text and text not in seen and len(seen) < MAX_QUERIES:
            seen.add(text)
            out.append((text, "all", Why("name", text, path)))
    for subject in subjects[:MAX_QUERIES]:
        words = _significant(subject)
        if words:
            out.append((" ".join(words), "any", Why("subject", " ".join(words), subject)))
    return out


def _relevant(
    store: Store,
    rows: list[Row],
    superseded: set[str],
    shown: set[str],
    changed: list[str],
    subjects: list[str],
    limit: int,
) -> list[Relevant]:
    # (Not records on commits of another, unmerged branch: `finder.mark` marked those.)
    candidates = [
        r
        for r in rows
        if r["id"] not in shown and not is_retired(r, superseded) and not r.get("unmerged")
    ]
    candidates.sort(key=lambda r: (-created_at(r).timestamp(), r["id"]))
    picked = _path_reasons(candidates, changed)
    taken = shown | {row["id"] for row, _why in picked}
    for text, match, why in _queries(changed, subjects):
        if len(picked) >= limit:
            break
        found = finder.search(store, Filter(), text, limit=SEARCH_HITS, snippets=False, match=match)
        # Ties broken by id: Whoosh orders equal scores by document number, an accident.
        for hit in sorted(found.hits, key=lambda h: (-round(h.score, 6), h.row["id"])):
            if hit.row["id"] not in taken:
                taken.add(hit.row["id"])
                picked.append((hit.row, why))
    return [
        Relevant(
            row["id"],
            row["type"],
            row["title"],
            str(row.get("status", "active")),
            row["location"],
            why,
        )
        for row, why in picked[:limit]
    ]


def build(
    store: Store,
    base: str | None,
    head: str = "HEAD",
    *,
    limit: int = 10,
    remote: str | None = None,
) -> Review:
    """The review of HEAD against BASE (default: `default_base`)."""
    if limit < 1:
        raise UsageError("--limit must be at least 1")
    repo = store.repo
    head_commit = branch.resolve(repo, head, "HEAD revision" if head != "HEAD" else "revision")
    base = base or branch.default_base(repo, remote)
    base_commit = branch.resolve(repo, base, "BASE")
    merge_base = branch.merge_base(repo, base_commit, head_commit, (base, head))
    commits, subjects = [], []
    for sha, merge, subject in branch.log(repo, merge_base, head_commit):
        commits.append(sha)
        if not merge:  # a merge's subject says nothing about the change
            subjects.append(subject)
    diff = branch.diff(repo, merge_base, head_commit)
    changed = sorted({p for e in diff for p in (e[3], e[4]) if not p.startswith(MEMORY_DIR + "/")})
    files = _memory_files(store, diff)
    catalog = store.catalog()
    rows = finder.records(store, Filter(include_retired=True, include_unmerged=True))
    captured = _captured(rows, commits)
    shown = {f.id for f in files if f.id} | {c.id for c in captured}
    relevant = _relevant(store, rows, catalog.superseded, shown, changed, subjects, limit)
    return Review(
        base,
        head,
        base_commit,
        head_commit,
        merge_base,
        commits,
        changed,
        files,
        captured,
        relevant,
    )
