"""Checkpoints: snapshots of work in progress as commit chains on `refs/gitmem/checkpoints/NAME`.

Each commit's tree is the snapshot (paths relative to the work tree root), its parent the
previous checkpoint of that name, its message `checkpoint NAME: STAGE`, a blank line and one JSON
object with the metadata (DESIGN §2c). The snapshot is built in a temporary index with the `git`
binary, so the user's `.git/index`, HEAD, branch, stash and working tree are never touched.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from gitmem import git
from gitmem.errors import ConflictError, GitMemError, NotFoundError, UsageError
from gitmem.git import RepoInfo

REF_PREFIX = "refs/gitmem/checkpoints/"
FORMAT_VERSION = 1
CAS_ATTEMPTS = 50
ZERO = "0" * 40
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


def chain(repo: RepoInfo, name: str) -> list[Checkpoint]:
    """Every checkpoint of `name`, newest first (NotFoundError naming the existing ones)."""
    ref = ref_of(name)
    if git.ref_tip(repo, ref) is None:
        raise _unknown(repo, name)
    out = git.run(
        ["log", "-z", "--first-parent", "--format=%H%n%cI%n%B", ref, "--"], cwd=repo.git_dir
    ).stdout.decode("utf-8", errors="replace")
    checkpoints = []
    for entry in out.split("\0"):
        if not entry.strip():
            continue
        commit, when, message = (entry.split("\n", 2) + ["", ""])[:3]
        checkpoints.append(Checkpoint(commit, parse_message(commit, message, name, when)))
    return checkpoints


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
            f"{name} has {len(found)} checkpoint{'s' if len(found) != 1 else ''}: "
            f"{name}~0 (newest) to {name}~{len(found) - 1}"
        )
    return found[steps]


# --------------------------------------------------------------------------- saving


def _index_env(index: Path) -> dict[str, str]:
    return {"GIT_INDEX_FILE": str(index)}


def _inside(repo_root: Path, path: str, cwd: Path) -> str:
    """`path` (as the user typed it) relative to the work tree root; UsageError if outside."""
    absolute = Path(os.path.abspath(cwd / path))
    root = Path(os.path.realpath(repo_root))
    # Resolve the directory part only: a symlink inside the tree is snapshotted as a link.
    real = Path(os.path.realpath(absolute.parent)) / absolute.name
    try:
        relative = real.relative_to(root)
    except ValueError:
        raise UsageError(
            f"{path!r} is outside the repository ({repo_root}); checkpoints hold files of "
            "this work tree only"
        ) from None
    if relative.parts and relative.parts[0] == ".git":
        raise UsageError(f"{path!r} is inside the git directory; it cannot be checkpointed")
    if not os.path.lexists(real):
        raise UsageError(f"{path!r} does not exist")
    return relative.as_posix() or "."


def _stage(
    repo: RepoInfo, root: Path, index: Path, files: list[str] | None, context: str | None
) -> None:
    """Fill the temporary index with the scope: .gitignore honoured except for files named
    explicitly with --files (a directory given there still honours it)."""
    env = _index_env(index)
    if files is None:
        pathspecs = [context or "."]
        git.run(["add", "-A", "--", *pathspecs], cwd=root, env=env)
        return
    named = [p for p in files if not (root / p).is_dir() or (root / p).is_symlink()]
    dirs = [p for p in files if p not in named]
    if named:
        git.run(["add", "--force", "--", *named], cwd=root, env=env)
    if dirs:
        git.run(["add", "-A", "--", *dirs], cwd=root, env=env)


class _Entry(NamedTuple):
    mode: str
    blob: str
    path: str


def _entries(root: Path, index: Path) -> list[_Entry]:
    out = git.run(["ls-files", "-s", "-z"], cwd=root, env=_index_env(index)).stdout
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        info, _, path = record.partition(b"\t")
        mode, blob, _stage_number = info.decode().split()
        entries.append(_Entry(mode, blob, path.decode("utf-8", errors="surrogateescape")))
    return entries


def _blobs(repo: RepoInfo, oids: Iterable[str]) -> Iterator[bytes]:
    """The content of each blob, in order, from one `git cat-file --batch` (one request at a
    time, so memory holds one file and the pipes never deadlock)."""
    proc = subprocess.Popen(
        ["git", "cat-file", "--batch"],
        cwd=repo.git_dir,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for oid in oids:
            proc.stdin.write(oid.encode() + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) != 3:
                raise GitMemError(f"git cat-file could not read blob {oid}")
            data = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)  # the newline after the content
            yield data
    finally:
        proc.stdin.close()
        proc.wait()


def word_count(data: bytes) -> int | None:
    """Words in a text file; None for binary (a NUL byte, or not UTF-8)."""
    if b"\0" in data:
        return None
    try:
        return len(data.decode("utf-8").split())
    except UnicodeDecodeError:
        return None


def _mtime(path: Path) -> str:
    try:
        stamp = os.lstat(path).st_mtime
    except OSError:  # removed since git added it: the snapshot still has it
        return ""
    return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")


def _file_rows(repo: RepoInfo, root: Path, entries: list[_Entry]) -> list[dict[str, Any]]:
    import hashlib

    # Submodules (160000) have no blob here: the tree records their commit, nothing to hash.
    blobs = [e for e in entries if e.mode != "160000"]
    rows = []
    for entry, data in zip(blobs, _blobs(repo, (e.blob for e in blobs)), strict=True):
        words = None if entry.mode == "120000" else word_count(data)
        rows.append(
            {
                "path": entry.path,
                "size": len(data),
                "mtime": _mtime(root / entry.path),
                "sha256": hashlib.sha256(data).hexdigest(),
                "words": words,
            }
        )
    return rows


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

    `files` and `context` are paths as the user typed them, relative to `cwd`."""
    ref = ref_of(name)
    root = repo.work_tree
    if root is None:
        raise GitMemError("checkpoints need a work tree; run this inside one, not in a bare repo")
    if files is not None and context is not None:
        raise UsageError("give --files or --context, not both")
    if metadata is not None and not isinstance(metadata, dict):
        raise UsageError('--metadata must be a JSON object, e.g. \'{"ticket": "ABC-1"}\'')
    here = cwd or Path.cwd()
    relative_files = [_inside(root, p, here) for p in files] if files is not None else None
    relative_context = _inside(root, context, here) if context is not None else None
    if relative_context is not None and not (root / relative_context).is_dir():
        raise UsageError(f"--context {context!r} is not a directory")
    timestamp = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")

    repo.state_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="checkpoint-", dir=repo.state_dir) as temp:
        index = Path(temp) / "index"
        _stage(repo, root, index, relative_files, relative_context)
        entries = _entries(root, index)
        if not entries:
            where = relative_context or "the working tree"
            raise UsageError(f"nothing to checkpoint: no files in {where} (ignored ones skipped)")
        tree = git.run(["write-tree"], cwd=root, env=_index_env(index)).stdout.decode().strip()
        rows = _file_rows(repo, root, entries)

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
        update = ["update-ref", "-m", f"gitmem: checkpoint {name}", ref, new]
        proc = git.run([*update, tip.oid if tip else ZERO], cwd=repo.git_dir, check=False)
        if proc.returncode == 0:
            return Checkpoint(new, meta)
    raise ConflictError(f"{ref} kept changing under us; try again")
