"""Checkpoints: snapshots of work in progress as commit chains on `refs/gitmem/checkpoints/NAME`.

Each commit's tree is the snapshot (paths relative to the work tree root), its parent the
previous checkpoint of that name, its message `checkpoint NAME: STAGE`, a blank line and one JSON
object with the metadata. The snapshot is built in a temporary index with the `git`
binary, so the user's `.git/index`, HEAD, branch, stash and working tree are never touched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from gitmem.checkpoints import snapshot
from gitmem.errors import ConflictError, GitMemError, NotFoundError, UsageError
from gitmem.output import plural
from gitmem.store import git
from gitmem.store.git import RepoInfo

REF_PREFIX = "refs/gitmem/checkpoints/"
FORMAT_VERSION = 1
CAS_ATTEMPTS = 50
NAME_RULE = (
    "a checkpoint name is 1-100 ASCII letters, digits, '.', '_' and '-', starting with a letter, "
    "digit or '_', without '..' and not ending in '.' or '.lock'"
)
_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,99}")


def validate_name(name: str) -> str:
    """`name` if it is a valid checkpoint name (one git ref component, no surprises)."""
    if not _NAME_RE.fullmatch(name) or ".." in name or name.endswith(".") or name.endswith(".lock"):
        raise UsageError(f"bad checkpoint name {name!r}: {NAME_RULE}")
    return name


def ref_of(name: str) -> str:
    return REF_PREFIX + validate_name(name)


class Checkpoint(NamedTuple):
    commit: str
    meta: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.meta.get("name") or "")

    @property
    def timestamp(self) -> str:
        return str(self.meta.get("timestamp") or "")

    @property
    def stage(self) -> str | None:
        return self.meta.get("stage")

    @property
    def notes(self) -> str | None:
        return self.meta.get("notes")

    @property
    def head(self) -> str | None:
        return self.meta.get("head")

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self.meta.get("metadata") or {})

    @property
    def progress(self) -> dict[str, list[str]]:
        progress = self.meta.get("progress") or {}
        return {"done": list(progress.get("done") or []), "todo": list(progress.get("todo") or [])}

    @property
    def scope(self) -> dict[str, Any]:
        return dict(self.meta.get("scope") or {"files": None, "context": None})

    @property
    def files(self) -> list[dict[str, Any]]:
        return list(self.meta.get("files") or [])

    @property
    def totals(self) -> dict[str, int]:
        totals = self.meta.get("totals") or {}
        return {key: int(totals.get(key) or 0) for key in ("files", "words", "bytes")}

    def to_json(self) -> dict[str, Any]:
        return {"commit": self.commit, **self.meta}


# --------------------------------------------------------------------------- reading


def parse_message(commit: str, message: str, name: str, when: str) -> dict[str, Any]:
    """The metadata of a checkpoint commit's message.

    A commit someone made by hand on the ref (no JSON) still reads, with what git knows, so a
    chain with a foreign commit in it can be listed and pruned rather than refused.
    """
    _, _, rest = message.partition("\n\n")
    try:
        meta = json.loads(rest)
    except ValueError:
        meta = None
    if not isinstance(meta, dict) or "gitmem_checkpoint" not in meta:
        first = message.split("\n", 1)[0]
        meta = {"gitmem_checkpoint": None, "name": name, "timestamp": when, "notes": first}
    meta.setdefault("name", name)
    meta.setdefault("timestamp", when)
    return meta


def names(repo: RepoInfo) -> list[str]:
    """The checkpoint names that exist, sorted."""
    out = git.run(
        ["for-each-ref", "--format=%(refname)", REF_PREFIX], cwd=repo.git_dir
    ).stdout.decode()
    found = [line.removeprefix(REF_PREFIX) for line in out.splitlines()]
    return sorted(name for name in found if "/" not in name)


def _unknown(repo: RepoInfo, name: str) -> NotFoundError:
    existing = names(repo)
    known = ", ".join(existing) if existing else "none yet (git mem checkpoint save --name NAME)"
    return NotFoundError(f"no checkpoint named {name!r}; checkpoints: {known}")


def _log(repo: RepoInfo, name: str, rev: str, limit: int | None = None) -> list[Checkpoint]:
    count = [f"--max-count={limit}"] if limit is not None else []
    out = git.run(
        ["log", "-z", "--first-parent", *count, "--format=%H%n%cI%n%B", rev, "--"],
        cwd=repo.git_dir,
    ).stdout.decode("utf-8", errors="replace")
    checkpoints = []
    for entry in out.split("\0"):
        if not entry.strip():
            continue
        commit, when, message = [*entry.split("\n", 2), "", ""][:3]
        checkpoints.append(Checkpoint(commit, parse_message(commit, message, name, when)))
    return checkpoints


def chain(repo: RepoInfo, name: str) -> list[Checkpoint]:
    """Every checkpoint of `name`, newest first (NotFoundError naming the existing ones)."""
    ref = ref_of(name)
    if git.ref_tip(repo, ref) is None:
        raise _unknown(repo, name)
    return _log(repo, name, ref)


def _normalise_time(text: str) -> str:
    return text.replace("Z", "+00:00").replace(" ", "T")


def resolve(repo: RepoInfo, spec: str) -> Checkpoint:
    """`NAME` (the newest), `NAME~N` (N before the newest) or `NAME@TIMESTAMP` (exact, or a
    unique prefix such as `@2026-11-22T01`)."""
    if "@" in spec:
        name, _, stamp = spec.partition("@")
        found = chain(repo, name)
        wanted = _normalise_time(stamp)
        exact = [c for c in found if c.timestamp == wanted]
        matches = exact or [c for c in found if c.timestamp.startswith(wanted)] if wanted else []
        if len(matches) == 1:
            return matches[0]
        listed = ", ".join(c.timestamp for c in (matches or found))
        if not matches:
            raise NotFoundError(f"{name} has no checkpoint at {stamp!r}; it has: {listed}")
        raise UsageError(
            f"{spec!r} matches {len(matches)} checkpoints ({listed}); "
            f"give more of the timestamp or use {name}~N"
        )
    name, tilde, back = spec.partition("~")
    if tilde and not back.isdigit():
        raise UsageError(f"bad checkpoint {spec!r}: use NAME, NAME~N or NAME@TIMESTAMP")
    found = chain(repo, name)
    steps = int(back) if tilde else 0
    if steps >= len(found):
        raise NotFoundError(
            f"{name} has {plural(len(found), 'checkpoint')}: "
            f"{name}~0 (newest) to {name}~{len(found) - 1}"
        )
    return found[steps]


# --------------------------------------------------------------------------- saving


def format_time(when: datetime) -> str:
    """A checkpoint's timestamp: UTC ISO 8601, with milliseconds when it has any (two saves in
    one second stay apart; a whole second reads as before, `2026-11-22T01:05:07+00:00`)."""
    spec = "milliseconds" if when.microsecond // 1000 else "seconds"
    return when.astimezone(UTC).isoformat(timespec=spec)


def parse_time(stamp: str) -> datetime | None:
    """A timestamp as written by any version (seconds or milliseconds), None if unreadable."""
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _identity_env(repo: RepoInfo, timestamp: str) -> dict[str, str]:
    env = {"GIT_AUTHOR_DATE": timestamp, "GIT_COMMITTER_DATE": timestamp}
    if git.ident(repo) is None:
        name, email = git.FALLBACK_IDENT
        env |= {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }
    return env


def message(meta: dict[str, Any]) -> str:
    stage = meta.get("stage")
    first = f"checkpoint {meta['name']}: {stage}" if stage else f"checkpoint {meta['name']}"
    return f"{first}\n\n{json.dumps(meta, indent=2, sort_keys=True)}\n"


def _head(repo: RepoInfo) -> str | None:
    proc = git.run(["rev-parse", "--verify", "--quiet", "HEAD"], cwd=repo.git_dir, check=False)
    return proc.stdout.decode().strip() or None


def save(
    repo: RepoInfo,
    name: str,
    *,
    stage: str | None = None,
    notes: str | None = None,
    files: list[str] | None = None,
    context: str | None = None,
    metadata: dict[str, Any] | None = None,
    done: Iterable[str] = (),
    todo: Iterable[str] = (),
    cwd: Path | None = None,
    now: datetime | None = None,
) -> Checkpoint:
    """Snapshot the scope (the named `files`, everything under `context`, or by default the
    whole work tree with .gitignore honoured) as a new checkpoint of `name`.

    `files` and `context` are paths as the user typed them, relative to `cwd`; `files=[]`
    keeps no files at all (a save point imported from another tool)."""
    ref = ref_of(name)
    root = repo.work_tree
    if root is None:
        raise GitMemError("checkpoints need a work tree; run this inside one, not in a bare repo")
    if files is not None and context is not None:
        raise UsageError("give --files or --context, not both")
    if stage is not None and (not stage.strip() or "\n" in stage or "\r" in stage):
        raise UsageError("--stage must be one non-empty line (it is the commit's subject)")
    if metadata is not None and not isinstance(metadata, dict):
        raise UsageError('--metadata must be a JSON object, e.g. \'{"ticket": "ABC-1"}\'')
    here = cwd or Path.cwd()
    relative_files = [snapshot.inside(root, p, here) for p in files] if files is not None else None
    relative_context = snapshot.inside(root, context, here) if context is not None else None
    if relative_context is not None and not (root / relative_context).is_dir():
        raise UsageError(f"--context {context!r} is not a directory")
    when = (now or datetime.now(UTC)).astimezone(UTC)
    when = when.replace(microsecond=when.microsecond // 1000 * 1000)  # what is written

    tip = git.ref_tip(repo, ref)
    known: snapshot.Known = {}
    if tip is not None and tip.kind == "commit":  # unchanged files need not be read again
        (previous,) = _log(repo, name, tip.oid, limit=1)
        known = snapshot.known_rows(repo, previous.commit, previous.files)
        before = parse_time(previous.timestamp)
        if now is None and before is not None and when <= before:
            when = before + timedelta(milliseconds=1)  # same millisecond, or a clock set back
    timestamp = format_time(when)
    if files == []:  # a save point with no files: progress and notes only (an import)
        tree = git.run(["mktree"], cwd=repo.git_dir, input=b"").stdout.decode().strip()
        rows: list[dict[str, Any]] = []
    else:
        tree, rows = snapshot.snapshot(repo, root, relative_files, relative_context, known)

    meta: dict[str, Any] = {
        "gitmem_checkpoint": FORMAT_VERSION,
        "name": name,
        "timestamp": timestamp,
        "stage": stage,
        "notes": notes,
        "metadata": metadata or {},
        "progress": {"done": list(done), "todo": list(todo)},
        "head": _head(repo),
        "scope": {"files": relative_files, "context": relative_context},
        "files": rows,
        "totals": {
            "files": len(rows),
            "words": sum(row["words"] or 0 for row in rows),
            "bytes": sum(row["size"] for row in rows),
        },
    }
    text = message(meta).encode()
    env = _identity_env(repo, timestamp)
    for _ in range(CAS_ATTEMPTS):
        tip = git.ref_tip(repo, ref)
        parents = ["-p", tip.oid] if tip is not None else []
        commit = git.run(
            ["commit-tree", tree, *parents, "-F", "-"], cwd=repo.git_dir, input=text, env=env
        )
        new = commit.stdout.decode().strip()
        if git.move_ref(repo, ref, new, tip.oid if tip else None, f"gitmem: checkpoint {name}"):
            return Checkpoint(new, meta)
    raise ConflictError(f"{ref} kept changing under us; try again")


# --------------------------------------------------------------------------- reporting


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover - the loop always returns


def scope_text(scope: dict[str, Any]) -> str:
    if scope.get("files") is not None:
        return "files " + ", ".join(scope["files"])
    if scope.get("context") is not None:
        return f"everything under {scope['context']}/"
    return "the whole working tree"


def summary(checkpoint: Checkpoint, files: bool = True) -> str:
    """The readable account of one checkpoint (what `checkpoint show` prints); `files=False`
    leaves out the table of files."""
    c = checkpoint
    lines = [f"checkpoint {c.name} @ {c.timestamp} (commit {c.commit[:12]})"]
    if c.stage:
        lines.append(f"stage:    {c.stage}")
    if c.notes:
        lines.append(f"notes:    {c.notes}")
    lines.append(f"head:     {c.head[:12] if c.head else '(no commit yet)'}")
    lines.append(f"scope:    {scope_text(c.scope)}")
    if c.metadata:
        lines.append(f"metadata: {json.dumps(c.metadata, sort_keys=True, ensure_ascii=False)}")
    progress = c.progress
    if progress["done"] or progress["todo"]:
        lines.append(f"progress: {len(progress['done'])} done, {len(progress['todo'])} to do")
        lines += [f"  [x] {item}" for item in progress["done"]]
        lines += [f"  [ ] {item}" for item in progress["todo"]]
    totals = c.totals
    lines.append(
        f"totals:   {plural(totals['files'], 'file')}, {plural(totals['words'], 'word')}, "
        f"{human_size(totals['bytes'])}"
    )
    if files and c.files:
        lines.append(f"{'size':>12}  {'words':>7}  path")
        for row in c.files:
            words = "binary" if row.get("words") is None else str(row["words"])
            lines.append(f"{human_size(int(row['size'])):>12}  {words:>7}  {row['path']}")
    return "\n".join(lines)
