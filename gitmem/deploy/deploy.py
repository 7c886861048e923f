"""Deployment records: one `episodic` record in a note on the deployed commit.

The record's `deploy:` mapping is the contract `git mem report deploys` reads (env and status
always; url, version, ci, run_id, run_url, job, actor, duration when known). It must be
writable where CI really runs: a depth-1 clone with no notes fetched, a detached HEAD, no
`user.email` (the author and the notes commit fall back to a CI identity), no remote at all.

A record of a known CI run gets an id derived from what makes the deploy what it is (commit,
env, status, provider, run, job): a job that is retried, or runs `git mem deploy` twice, writes
the record once; two clones that both wrote it keep one copy on sync (records merge by id).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gitmem.deploy.ci_env import CIInfo
from gitmem.errors import RecordError, UsageError
from gitmem.records.store import Store
from gitmem.store import compose, git
from gitmem.store.note_stream import parse_note
from gitmem.store.record import TAG_RE, Memory, derived_id, new_id, normalize_tag
from gitmem.store.validation import validate

STATUSES = ("success", "failure", "started", "rolled-back")
TAG = "deploy"


@dataclass(frozen=True)
class Request:
    """What the user asked to record (the commit already resolved to a full sha)."""

    env: str
    commit: str
    status: str = "success"
    url: str | None = None
    version: str | None = None
    message: str | None = None
    duration: int | None = None


@dataclass
class Deployed:
    memory: Memory
    commit: str
    location: str
    written: bool  # False: a record with this id was already on the commit

    @property
    def deploy(self) -> dict[str, Any]:
        value: dict[str, Any] = self.memory.extra["deploy"]
        return value

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.memory.id,
            "commit": self.commit,
            "env": self.deploy["env"],
            "status": self.deploy["status"],
            "location": self.location,
            "written": self.written,
            "record": self.memory.to_json(),
        }


def check(request: Request) -> None:
    """Refuse bad input before anything is written (UsageError: exit 2)."""
    if not request.env.strip():
        raise UsageError("--env is empty: name the environment, e.g. --env production")
    for option, value in (("--env", request.env), ("--version", request.version)):
        if value is not None and any(unicodedata.category(c) == "Cc" for c in value):
            raise UsageError(f"{option} must be one line of text without control characters")
    if request.status not in STATUSES:
        raise UsageError(
            f"unknown --status {request.status!r}: expected one of {', '.join(STATUSES)}"
        )
    if request.duration is not None and request.duration < 0:
        raise UsageError(f"--duration must be 0 or more seconds, got {request.duration}")


def env_tag(env: str) -> str | None:
    """The tag for an environment name, or None when it makes no valid tag (e.g. only '!!')."""
    tag = normalize_tag(env)
    return tag if TAG_RE.fullmatch(tag) else None


def record_id(request: Request, ci: CIInfo) -> str:
    """Derived from the run when the CI names one (idempotent), else random."""
    if ci.provider is None or ci.run_id is None:
        return new_id()
    parts = (request.commit, request.env, request.status, ci.provider, ci.run_id, ci.job or "")
    return derived_id("deploy", *parts)


def _title(request: Request) -> str:
    return compose.one_line_title(f"Deploy {request.commit[:7]} to {request.env}: {request.status}")


def build(store: Store, request: Request, ci: CIInfo, *, created: str | None = None) -> Memory:
    """The deploy record (validated); `created` defaults to now."""
    check(request)
    deploy: dict[str, Any] = {"env": request.env, "status": request.status}
    optional = {
        "url": request.url or None,  # empty: a CI variable that was not set, as unknown
        "version": request.version or None,
        "ci": ci.provider,
        "run_id": ci.run_id,
        "run_url": ci.run_url,
        "job": ci.job,
        "actor": ci.actor,
        "duration": request.duration if request.duration is not None else ci.duration,
    }
    deploy.update({key: value for key, value in optional.items() if value is not None})
    identity = ci.identity
    author = git.ident(store.repo) or (f"{identity[0]} <{identity[1]}>" if identity else None)
    tag = env_tag(request.env)
    memory = Memory(
        id=record_id(request, ci),
        type="episodic",
        title=_title(request),
        # To the millisecond: a failed deploy and the retry that restores it can fall in one
        # second, and the report orders them by this time.
        created=created or datetime.now(UTC).astimezone().isoformat(timespec="milliseconds"),
        body=request.message.strip("\n") + "\n" if request.message else "",
        author=author,
        tags=[TAG] if tag in (None, TAG) else [TAG, tag],
        source="ci",
        tool=ci.provider,
        commits=[request.commit],
        extra={"deploy": deploy},
    )
    try:
        validate(memory, "the deploy record", types=store.config.type_names)
    except RecordError as error:  # pragma: no cover - every input above is checked first
        raise UsageError(f"{error.field}: {error.message}") from None
    return memory


def _already_there(store: Store, memory: Memory, commit: str) -> bool:
    """Does the note on `commit` already hold a record with this id (a retried job)?"""
    proc = git.run(
        ["notes", f"--ref={git.NOTES_REF}", "show", commit], cwd=store.repo.git_dir, check=False
    )
    if proc.returncode != 0:
        return False
    text = proc.stdout.decode("utf-8", "surrogateescape")
    chunks = parse_note(text, f"note:{commit}", memory.created, store.config.type_names)
    return any(chunk.memory is not None and chunk.memory.id == memory.id for chunk in chunks)


def _split_ident(author: str | None) -> tuple[str, str] | None:
    """`Name <email>` as (name, email); None if it is not in that form."""
    if not author or not author.endswith(">") or " <" not in author:
        return None
    name, email = author[:-1].rsplit(" <", 1)
    return (name, email) if name and email else None


def record(store: Store, memory: Memory, ci: CIInfo) -> Deployed:
    """Write the record as a note on its commit (compare-and-swap), unless it is there.

    The notes commit is signed with git's configured identity; without one (libgit2 reads
    only user.name/user.email, not GIT_AUTHOR_* as `git var` does), by the record's author.
    """
    commit = memory.commits[0]
    location = f"note:{commit}"
    if ci.run_id is not None and _already_there(store, memory, commit):
        return Deployed(memory, commit, location, written=False)
    fallback = _split_ident(memory.author) or ci.identity
    store.save_note(memory, commit, fallback_ident=fallback)
    return Deployed(memory, commit, location, written=True)
