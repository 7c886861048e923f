"""The whole memory in one git bundle: create it, verify it, restore it without losing anything.

A backup holds `refs/notes/mem`, every `refs/gitmem/*` ref (checkpoints, sessions; not the
`refs/gitmem/remotes/` mirrors of remotes) and the branch holding `.memory/`. It is written
under a temporary name, checked, then renamed, so a file with the final name is a whole bundle.

`git bundle verify` only reads a bundle's header (a truncated pack passes it), so checking is
a real fetch of the bundle into a scratch bare repository that borrows the local objects
through `objects/info/alternates` (read-only): git's `index-pack` then checks every object and
the connectivity of every ref. A restore does that first, so nothing is written from a bad
bundle; a `--dry-run` runs the whole restore in the scratch repository on copies of the local
refs, so its report is exactly what a real run would do, and the repository is untouched.

A real restore fetches the bundle's refs into `refs/gitmem-restore/<pid>/...`, merges notes by
record id exactly as `git mem sync` does (`store.integrate`), brings the other refs in with
`hiddenrefs.adopt` (fast-forward only; diverged tips are kept beside local ones), and deletes
the temporary refs. Only the notes, `refs/gitmem/*` and the branch holding `.memory/` are
restored: a bundle is input like any other, and a crafted one could otherwise move `release`
or add branches; every other ref is listed and left out unless `--refs PATTERN` names it.
Anything that is not a regular file is refused before it is read (a FIFO would block).
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitmem.errors import GitMemError, UsageError
from gitmem.share import hiddenrefs
from gitmem.store import git

if TYPE_CHECKING:
    from gitmem.store.notesmerge import Conflict

MAGIC = (b"# v2 git bundle\n", b"# v3 git bundle\n")
HIDDEN = "refs/gitmem/"
MIRRORS = "refs/gitmem/remotes/"  # copies of remotes' refs (sync --all): not backed up
STAGE = "refs/gitmem-restore/"


@dataclass
class BundleInfo:
    path: Path
    size: int
    refs: dict[str, str]  # {ref: sha} as in the bundle
    records: int  # records in the bundle's refs/notes/mem, counted by the catalog
    checkpoints: int  # checkpoint names
    checkpoint_commits: int  # checkpoints in all their chains

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "size": self.size,
            "refs": self.refs,
            "records": self.records,
            "checkpoints": self.checkpoints,
            "checkpoint_commits": self.checkpoint_commits,
        }


@dataclass
class RestoreResult:
    bundle: BundleInfo
    dry_run: bool
    notes_added: int = 0
    notes_removed: int = 0
    notes_updated: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    refs: list[hiddenrefs.Adoption] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # refs in the bundle a restore leaves out
    notes: str = "absent"  # absent | up to date | kept (local is ahead) | merged
    branch: str | None = None  # the branch holding .memory/ here (refs/heads/...), if known

    def to_json(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle.to_json(),
            "dry_run": self.dry_run,
            "notes": {
                "outcome": self.notes,
                "added": self.notes_added,
                "removed": self.notes_removed,
                "updated": self.notes_updated,
                "conflicts": [c.to_json() for c in self.conflicts],
            },
            "refs": [a.to_json() for a in self.refs],
            "ignored": self.ignored,
            "branch": self.branch,
        }


# ------------------------------------------------------------------ names and refs


def current_branch(repo: git.RepoInfo) -> str:
    proc = git.run(["symbolic-ref", "-q", "--short", "HEAD"], cwd=repo.git_dir, check=False)
    name = proc.stdout.decode().strip()
    if not name:
        raise UsageError(
            "HEAD is detached: name the branch that holds .memory/ with --branch BRANCH "
            "(e.g. --branch main)"
        )
    return name


def default_path(repo: git.RepoInfo, now: datetime | None = None, cwd: Path | None = None) -> Path:
    """`gitmem-backup-<repo>-<UTC timestamp>.bundle`, never inside the work tree (where
    `git add -A` would commit it): in `<git-common-dir>/gitmem/backups/` when the current
    directory is in the work tree or the git directory, else in the current directory."""
    top = repo.work_tree or repo.common_dir
    name = top.name.removesuffix(".git") or "repo"
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    here = (cwd or Path.cwd()).resolve()
    inside = [p.resolve() for p in (repo.work_tree, repo.git_dir, repo.common_dir) if p]
    folder = backup_dir(repo) if any(here.is_relative_to(p) for p in inside) else here
    return folder / f"gitmem-backup-{name}-{stamp}.bundle"


def backup_dir(repo: git.RepoInfo) -> Path:
    """Where backups go by default: local state, outside any work tree."""
    return repo.state_dir / "backups"


def backup_refs(repo: git.RepoInfo, branch: str) -> list[str]:
    """The refs a backup of this repository holds; the branch must exist."""
    ref = branch if branch.startswith("refs/heads/") else f"refs/heads/{branch}"
    found = hiddenrefs.tips(repo, ref, git.NOTES_REF, HIDDEN)
    if ref not in found:
        raise UsageError(
            f"no branch {branch!r} with commits here; name the branch that holds .memory/ "
            "with --branch BRANCH"
        )
    hidden = sorted(r for r in found if r.startswith(HIDDEN) and not r.startswith(MIRRORS))
    return [ref, *([git.NOTES_REF] if git.NOTES_REF in found else []), *hidden]


# ------------------------------------------------------------------ checking a bundle


_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _check_file(path: Path) -> None:
    """Refuse anything but a regular file that starts like a bundle. Opened without blocking
    and checked on the open file: reading a FIFO would wait forever for a writer."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a git bundle") from None
    except OSError as error:
        raise GitMemError(f"cannot read {path}: {error.strerror}") from None
    with os.fdopen(fd, "rb") as stream:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise UsageError(f"{path} is a directory, not a git bundle")
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise UsageError(f"{path} is {kind}, not a regular file: refused (a backup is a file)")
        head = stream.read(len(MAGIC[0]))
    if head not in MAGIC:
        raise UsageError(f"{path} is not a git bundle (made by `git mem backup create`)")


@contextlib.contextmanager
def scratch(repo: git.RepoInfo | None) -> Iterator[git.RepoInfo]:
    """A temporary bare repository that reads (never writes) `repo`'s objects."""
    path = Path(tempfile.mkdtemp(prefix="gitmem-bundle-"))
    try:
        fmt: list[str] = []
        if repo is not None:
            proc = git.run(["rev-parse", "--show-object-format"], cwd=repo.git_dir)
            fmt = [f"--object-format={proc.stdout.decode().strip()}"]
        git.run(["init", "-q", "--bare", *fmt, str(path)])
        if repo is not None:
            objects = (repo.common_dir / "objects").resolve()
            (path / "objects" / "info" / "alternates").write_text(f"{objects}\n")
        yield git.RepoInfo(path, path, None, True)
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _fetch(target: git.RepoInfo, bundle: Path, prefix: str) -> dict[str, str]:
    """Fetch every ref of the bundle to `<prefix><ref>` (all of index-pack's checks)."""
    spec = f"+refs/*:{prefix}refs/*" if prefix else "+refs/*:refs/*"
    args = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--update-head-ok"]
    proc = git.run([*args, str(bundle), spec], cwd=target.git_dir, check=False)
    if proc.returncode != 0:
        raise GitMemError(
            f"{bundle} is damaged or truncated, nothing was written ({git.error_line(proc)})"
        )
    found = hiddenrefs.tips(target, f"{prefix}refs/" if prefix else "refs/")
    return {ref.removeprefix(prefix): oid for ref, oid in found.items()}


def _describe(repo: git.RepoInfo, path: Path, refs: dict[str, str], types: list[str]) -> BundleInfo:
    """Counts over a repository whose refs are the bundle's (a scratch one)."""
    from gitmem.search import refresh

    records = 0
    if git.NOTES_REF in refs:
        records = refresh.refresh(repo, None, types, write=False).count
    chains = [oid for ref, oid in refs.items() if ref.startswith(hiddenrefs.CHECKPOINTS)]
    commits = 0
    if chains:
        out = git.run(["rev-list", "--count", *chains], cwd=repo.git_dir).stdout
        commits = int(out.decode().strip())
    return BundleInfo(path, path.stat().st_size, refs, records, len(chains), commits)


def _types(repo: git.RepoInfo | None) -> list[str]:
    from gitmem.store import config

    memory_dir = repo.work_tree / ".memory" if repo and repo.work_tree else None
    return config.load(memory_dir).type_names


def verify(repo: git.RepoInfo | None, path: Path) -> BundleInfo:
    """Check a bundle completely without restoring anything; its refs and counts."""
    path = Path(os.path.abspath(path))
    _check_file(path)
    # Without the local objects at hand, git has to read and check every object of the pack
    # (with them, a fetch skips a pack whose tips it already has: a truncated one would pass).
    with scratch(repo if _has_prerequisites(path) else None) as tmp:
        refs = _fetch(tmp, path, "")
        return _describe(tmp, path, refs, _types(repo))


def _has_prerequisites(path: Path) -> bool:
    """Whether the bundle's header lists commits it needs (`-<sha>` lines): a partial one."""
    with open(path, "rb") as stream:
        for line in stream:
            if line in (b"\n", b""):
                return False
            if line.startswith(b"-"):
                return True
    return False


# ------------------------------------------------------------------ create


def create(repo: git.RepoInfo, path: Path, branch: str | None = None) -> BundleInfo:
    """Write and check the bundle; the file appears under its name only when whole."""
    refs = backup_refs(repo, branch or current_branch(repo))
    path = Path(os.path.abspath(path))
    if path.exists():
        raise UsageError(f"{path} already exists; give another FILE or move it away")
    if not path.parent.is_dir():
        raise UsageError(f"no such directory: {path.parent}")
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        proc = git.run(["bundle", "create", "-q", str(temp), *refs], cwd=repo.git_dir, check=False)
        if proc.returncode != 0:
            raise GitMemError(f"could not write the bundle: {git.error_line(proc)}")
        info = verify(repo, temp)
        try:
            os.link(temp, path)  # never replaces a file someone created meanwhile
        except FileExistsError:
            raise UsageError(f"{path} appeared meanwhile; nothing was overwritten") from None
        info.path = path
        return info
    finally:
        temp.unlink(missing_ok=True)


# ------------------------------------------------------------------ restore


def _copy_refs(source: git.RepoInfo, target: git.RepoInfo) -> None:
    """Give the scratch repository the local refs a restore looks at (objects are shared)."""
    found = hiddenrefs.tips(source, git.NOTES_REF, HIDDEN, "refs/heads/")
    commands = "".join(f"create {ref} {oid}\n" for ref, oid in found.items())
    if commands:
        git.run(["update-ref", "--stdin"], cwd=target.git_dir, input=commands.encode())


def _drop(target: git.RepoInfo, prefix: str) -> None:
    staged = hiddenrefs.tips(target, prefix)
    commands = "".join(f"delete {ref} {oid}\n" for ref, oid in staged.items())
    if commands:
        git.run(["update-ref", "--stdin"], cwd=target.git_dir, input=commands.encode())


def _restore_notes(target: git.RepoInfo, theirs: str, result: RestoreResult) -> None:
    from gitmem.store import integrate, notesmerge

    before = hiddenrefs.tips(target, git.NOTES_REF).get(git.NOTES_REF)
    result.conflicts = integrate.integrate(target, theirs, "the backup")
    after = hiddenrefs.tips(target, git.NOTES_REF).get(git.NOTES_REF)
    if before == after:
        result.notes = hiddenrefs.UP_TO_DATE if before == theirs else hiddenrefs.AHEAD
        return
    result.notes = "merged"
    old, new = integrate.notes_tree(target, before), integrate.notes_tree(target, after)
    change = notesmerge.delta(old, new, integrate.reader(target))
    result.notes_added, result.notes_removed = change.added, change.removed
    result.notes_updated = change.updated


def restored(ref: str, branch: str | None, patterns: Sequence[str]) -> bool:
    """Whether a restore touches `ref`: the notes, the hidden refs (not the mirrors of
    remotes), the branch holding `.memory/`, and only what `patterns` (`--refs`) name besides.
    A bundle is input like any other: a crafted one must not move `release` or add a branch."""
    if ref == git.NOTES_REF or ref == branch:
        return True
    if ref.startswith(HIDDEN) and not ref.startswith(MIRRORS):
        return True
    return any(fnmatch.fnmatchcase(ref, pattern) for pattern in patterns)


def _apply(
    target: git.RepoInfo,
    refs: dict[str, str],
    in_use: frozenset[str],
    out: RestoreResult,
    patterns: Sequence[str],
) -> None:
    for ref, oid in sorted(refs.items()):
        if not restored(ref, out.branch, patterns):
            out.ignored.append(ref)
        elif ref == git.NOTES_REF:
            _restore_notes(target, oid, out)
        else:
            out.refs.append(hiddenrefs.adopt(target, ref, oid, "backup restore", in_use=in_use))


def restore(
    repo: git.RepoInfo,
    path: Path,
    dry_run: bool = False,
    *,
    branch: str | None = None,
    patterns: Sequence[str] = (),
) -> RestoreResult:
    """Bring a bundle's memory back, never overwriting newer local state (module docstring).

    `branch`: the branch holding `.memory/` (default: the current one; none when HEAD is
    detached); `patterns`: globs over full ref names (`refs/heads/release`, `refs/tags/*`)
    of other refs to bring back too."""
    info = verify(repo, path)  # the full check, before anything is written
    result = RestoreResult(info, dry_run)
    if branch is None:
        with contextlib.suppress(UsageError):
            branch = current_branch(repo)
    if branch is not None:
        result.branch = branch if branch.startswith("refs/heads/") else f"refs/heads/{branch}"
    in_use = frozenset(hiddenrefs.checked_out(repo))
    prefix = f"{STAGE}{os.getpid()}/"
    # A dry run plays the restore in a scratch copy of the refs; a real one needs none.
    with scratch(repo) if dry_run else contextlib.nullcontext(repo) as target:
        if dry_run:
            _copy_refs(repo, target)
        try:
            refs = _fetch(target, info.path, prefix)
            _apply(target, refs, in_use, result, patterns)
        finally:
            _drop(target, prefix)
    return result
