"""What the CLI and the MCP server both do to memories: save, update, delete, supersede.

Each action takes plain typed values (never an argparse namespace), validates them, writes
through the Store and returns a small result whose `to_json()` is the CLI's `--json` shape.
User errors are raised as UsageError/NotFoundError; nothing here prints.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from gitmem.errors import ConflictError, UsageError
from gitmem.records import editing, finder, new_record
from gitmem.records.store import Store
from gitmem.search.query import Filter
from gitmem.store import active_session, compose, git, secrets
from gitmem.store.record import Memory, normalize_tag
from gitmem.store.types import DEFAULT_TYPE

# Fields `update` sets from typed values (the MCP tool's arguments); see `_apply_fields`.
UPDATABLE = ("type", "title", "status", "summary", "project", "tags", "paths", "links", "metadata")


@dataclasses.dataclass(frozen=True)
class Saved:
    id: str
    type: str
    title: str
    location: str
    existing: bool = False  # an identical record was there already: nothing was written
    redacted: list[str] = dataclasses.field(default_factory=list)  # `kind at where` (--redact)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        if not self.existing:
            del data["existing"]
        if not self.redacted:
            del data["redacted"]
        return data


@dataclasses.dataclass(frozen=True)
class Updated:
    id: str
    changed: bool
    location: str
    redacted: list[str] = dataclasses.field(default_factory=list)  # `kind at where` (redact)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        if not self.redacted:
            del data["redacted"]
        return data


@dataclasses.dataclass(frozen=True)
class Deleted:
    id: str
    title: str
    removed: str  # where it lived
    referenced_by: list[str]  # records whose links/supersedes still name it
    cleaned: list[str] = dataclasses.field(default_factory=list)  # references removed

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "removed": self.removed,
            "referenced_by": self.referenced_by,
            "cleaned": self.cleaned,
        }


@dataclasses.dataclass(frozen=True)
class Superseded:
    old: str
    new: str
    old_title: str

    def to_json(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new}


# ---------------------------------------------------------------------------- save


def check_type(store: Store, type_name: str) -> None:
    if type_name not in store.config.type_names:
        raise UsageError(
            f"unknown type {type_name!r}: expected one of {', '.join(store.config.type_names)}"
        )


def save(
    store: Store,
    *,
    text: str,
    type: str = DEFAULT_TYPE,
    title: str | None = None,
    tags: Sequence[str] = (),
    status: str | None = None,
    summary: str | None = None,
    paths: Sequence[str] = (),
    links: Sequence[str] = (),
    supersedes: Sequence[str] = (),
    project: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    commit: str | None = None,
    source: str = "cli",
    tool: str | None = None,
    session: str | None = None,
    slug: str | None = None,
    cwd: Path | None = None,
    reuse_identical: bool = False,
    refuse_near_duplicate: bool = False,
    redact: bool = False,
) -> Saved:
    """A new memory: a `.memory/` file, or with `commit` (a revision) a note on that commit.

    `tags`, `paths`, `links` and `supersedes` accept comma lists like the CLI; `paths` are
    relative to `cwd` (default: the process's). Every memory `supersedes` names is marked
    superseded. `session`: default, the session active in this worktree (if any), so that
    `session end` can link what was saved during the session. `reuse_identical`: when an
    active record of the same type, title and body is already where this one would go (the
    files, or the note of `commit`), write nothing and return it with `existing` set (an
    assistant saving the same text twice). A memory holding a secret (`store.secrets`) is
    refused (SecretError, nothing written), or with `redact` saved with `[REDACTED:<kind>]`
    in its place; the file name comes from the redacted title.
    `refuse_near_duplicate`: a ConflictError naming an active record of the same type with a
    near-identical title and text (`duplicates`).
    """
    check_type(store, type)
    sha = git.resolve_commit(store.repo, commit) if commit else None
    if sha is None:
        store.require_work_tree()
    if session is None:
        session = active_session.active_id(store.repo)
    memory = new_record.build(
        store,
        text=text,
        type=type,
        title=title,
        tags=tags,
        status=status,
        summary=summary,
        paths=paths,
        links=links,
        supersedes=supersedes,
        project=project,
        metadata=metadata,
        source=source,
        tool=tool,
        session=session,
        slug=slug,
        cwd=cwd,
    )
    secrets.check_slug(slug)
    memory, redacted = secrets.guard(memory, redact=redact, what="the new memory")
    if reuse_identical:
        same = identical(store, memory, sha)
        if same is not None:
            return same
    if refuse_near_duplicate:
        _refuse_near_duplicate(store, memory)
    if sha is not None:
        memory.commits = [sha]
        location = store.save_note(memory, sha)
    else:
        location = store.save_file(memory, slug)
    for old in memory.supersedes:
        editing.mark_superseded(store, old)
    return Saved(memory.id, memory.type, memory.title, location, redacted=_listed(redacted))


def _listed(findings: list[secrets.Finding]) -> list[str]:
    return [str(finding) for finding in findings]


def identical(store: Store, memory: Memory, sha: str | None) -> Saved | None:
    """An active record with `memory`'s type, title and body in the files (`sha` None) or in
    the note of `sha`; None when there is none."""
    for row in finder.records(store, Filter(types=[memory.type])):
        location = str(row["location"])
        if row.get("title") != memory.title:
            continue
        if location.startswith("note:") != (sha is not None) or (
            sha is not None and location != f"note:{sha}"
        ):
            continue
        found = store.load(row).memory
        if found.body.strip() == memory.body.strip():
            return Saved(found.id, found.type, found.title, location, existing=True)
    return None


def _refuse_near_duplicate(store: Store, memory: Memory) -> None:
    from gitmem.records import duplicates

    twin = duplicates.near_duplicate(store, memory)
    if twin is not None:
        raise ConflictError(
            f"not saved: {twin['id']} ({twin['location']}) already says nearly the same: "
            f"{twin['title']!r}; edit or supersede it, or save anyway with --force"
        )


# ---------------------------------------------------------------------------- update


def update(
    store: Store,
    id: str,
    *,
    assignments: Sequence[str] = (),
    unknown: Sequence[str] = (),
    unset: Sequence[str] = (),
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
    body: str | None = None,
    fields: Mapping[str, Any] | None = None,
    cwd: Path | None = None,
    redact: bool = False,
) -> Updated:
    """Change a memory and set `updated`; nothing is written when nothing changed.

    `assignments` are the CLI's `FIELD=VALUE` strings (`--set`), `unknown` the ones naming a
    field outside the schema (`--set-unknown`); `fields` the same changes as
    typed values (keys from UPDATABLE: lists as lists, `metadata` merged key by key, a None
    value removing the key). The result is validated before anything is written, and
    refused if it adds a secret (or, `redact`, written with each one redacted).
    """
    stored = store.get(id)
    memory = copy.deepcopy(stored.memory)
    for assignment in assignments:
        editing.set_field(memory, assignment)
    for assignment in unknown:
        editing.set_unknown(memory, assignment)
    if fields:
        _apply_fields(store, memory, fields, cwd)
    for key in unset:
        editing.unset_field(memory, key)
    # Only the tags named here are normalised; the others stay as written.
    added = [tag for tag in compose.tags(list(add_tags)) if tag not in memory.tags]
    removed = set(compose.tags(list(remove_tags)))
    memory.tags = [tag for tag in [*memory.tags, *added] if normalize_tag(tag) not in removed]
    if body is not None:
        memory.body = body.strip("\n") + "\n"
    redacted: list[secrets.Finding] = []
    location = editing.finish(store, stored, memory, redact=redact, redacted=redacted)
    changed = memory != stored.memory or bool(redacted)
    return Updated(memory.id, changed, location, _listed(redacted))


def _apply_fields(
    store: Store, memory: Memory, fields: Mapping[str, Any], cwd: Path | None
) -> None:
    unknown = sorted(set(fields) - set(UPDATABLE))
    if unknown:
        raise UsageError(
            f"cannot update {', '.join(unknown)}: expected some of {', '.join(UPDATABLE)}"
        )
    for key, value in fields.items():
        if key == "type":
            check_type(store, value)
            memory.type = value
        elif key == "status":
            memory.status = compose.status(value)
        elif key == "tags":
            memory.tags = compose.tags(list(value))
        elif key == "paths":
            memory.paths = compose.repo_paths(store.repo, list(value), cwd)
        elif key == "links":
            memory.links = new_record.resolve_ids(store, value)
        elif key == "metadata":
            merged = {**memory.metadata, **value}
            memory.metadata = {k: v for k, v in merged.items() if v is not None}
        else:  # title, summary, project: one line of text; empty removes an optional one
            text = " ".join(str(value).split())
            if key == "title" and not text:
                raise UsageError("title cannot be empty")
            setattr(memory, key, text or None)


# ---------------------------------------------------------------------------- delete, supersede


def delete(store: Store, id: str, *, force: bool = True, clean_links: bool = False) -> Deleted:
    """Remove one memory (its file, or its part of a note); says who still refers to it.

    `force=False` refuses a file holding work no commit has (untracked, or changed since the
    last commit): deleting it would lose it for good. `clean_links` takes the id out of the
    other records' `links` and `supersedes` (those are listed in `cleaned`)."""
    stored = store.get(id)
    if not force and stored.note_sha is None and store.repo.work_tree is not None:
        state = git.uncommitted(store.repo.work_tree, store.repo.work_tree / stored.location)
        if state is not None:
            raise UsageError(
                f"{stored.location} is {state}: removing it would lose it for good; "
                "commit it first, or pass --force"
            )
    store.delete(stored)
    record_id = stored.memory.id
    referrers = [
        row["id"]
        for row in finder.records(store, Filter(include_retired=True, include_unmerged=True))
        if record_id in row.get("links", []) + row.get("supersedes", []) and row["id"] != record_id
    ]
    cleaned: list[str] = []
    if clean_links:
        for referrer in referrers:
            other = store.get(referrer)
            memory = copy.deepcopy(other.memory)
            memory.links = [x for x in memory.links if x != record_id]
            memory.supersedes = [x for x in memory.supersedes if x != record_id]
            editing.finish(store, other, memory)
            cleaned.append(referrer)
        referrers = []
    return Deleted(record_id, stored.memory.title, stored.location, referrers, cleaned)


def supersede(store: Store, old: str, new: str) -> Superseded:
    """NEW replaces OLD: NEW lists OLD in `supersedes`, OLD gets status superseded."""
    old_stored, new_stored = store.get(old), store.get(new)
    if old_stored.memory.id == new_stored.memory.id:
        raise UsageError("a memory cannot supersede itself")
    if old_stored.memory.id not in new_stored.memory.supersedes:
        memory = copy.deepcopy(new_stored.memory)
        memory.supersedes.append(old_stored.memory.id)
        editing.finish(store, new_stored, memory)
    editing.mark_superseded(store, old_stored.memory.id)
    return Superseded(old_stored.memory.id, new_stored.memory.id, old_stored.memory.title)
