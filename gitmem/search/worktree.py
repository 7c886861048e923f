"""Which `.memory/` files may have changed since the last refresh, asked of git's index.

Git keeps the stat data of every tracked file in its index and checks them in C, in parallel,
handling racily-clean entries by content: `git diff-files` names the tracked files whose work
tree copy differs from the staged one (or may: a touched file is listed too), `git ls-files
--others` the untracked ones; `git ls-files --modified --others` asks both at once. A tracked
file git does not list has its staged content, so a manifest entry whose digest is that
blob's id (`changes.blob_id`) is current. What the manifest must re-check is then small:

- the files git lists now (modified, deleted, untracked, ignored);
- the files the last refresh watched: listed then, read then, or special (symlinks,
  assume-unchanged, skip-worktree, unmerged: git does not vouch for their content);
- when the index file itself changed (`git add`, commit, checkout, merge): every path whose
  staged blob is not the digest the manifest has, and every path no longer in the index.

The caller stats only those. Without a usable git index (no work tree, `GIT_INDEX_FILE`, a
`.memory` that is a symlink, git failing) `probe` says so and the caller walks `.memory/`.

Cost at 100k files: git lstat()s every tracked file (`git diff-files`, which uses
`core.preloadIndex` threads and `core.fsmonitor` when the user has one) and reads every
folder to find untracked ones (`git ls-files --others`). The second is skipped when the
folders say nothing was added: a file created, deleted or renamed changes its folder's mtime
and ctime, so when every folder under `.memory/` has the mtime and ctime it had when `--others`
last ran (and the index file is the same one), git would list the same untracked files, which
a small cache (`others` in the index directory) keeps. Folder times within `RACY_NS` of the
moment they were taken are not trusted (a second entry in the same mtime tick would not show),
and folders are stat-ed before git reads them, so a change while git runs shows next time.

A read-only command calls `start` as soon as it knows the repository, so that git stats the
work tree while Python loads the rest; `probe` takes that answer (if it is recent: the
command started after any change it must see). `show`, `list` and `search` start `diff-files`
earlier still (`start_early`, from `main`, before their parser loads: at 100k files git's stat
of each is ~100 ms of CPU, and Python's first ~20 ms leave one core idle), in the repository
found without git; `start` takes it only if git's discovery names that repository.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import time
from pathlib import Path

from gitmem import NamedTuple
from gitmem import early as at_start  # `early` names the early `diff-files` below
from gitmem.spawn import Spawned
from gitmem.store import git
from gitmem.store.files import atomic_write

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


PREFIX = ".memory/"
Identity = tuple[int, int, int]  # the index file's (mtime_ns, size, inode): git replaces it
Folder = tuple[str, int, int]  # a folder under `.memory/` ("" itself, "a/b/"): mtime_ns, ctime_ns
OTHERS = "others"  # the cache of `git ls-files --others`, in this worktree's index directory
RACY_NS = 2_000_000_000  # as `changes.RACY_NS`: mtime ticks can be 2 s
FRESH_NS = 30_000_000_000  # how old an answer `start` asked for may be when `probe` takes it


class GitState(NamedTuple):
    """What the last refresh learnt from git, kept in the manifest."""

    index_file: Identity | None  # the index file the staged blobs were compared at
    watch: list[str]  # paths (relative to `.memory/`) to re-check on every refresh
    special: list[str]  # tracked paths git does not vouch for (part of `watch`)


class Probe(NamedTuple):
    index_file: Identity | None
    listed: set[str]  # modified, deleted, untracked or ignored now
    special: set[str]
    staged: dict[str, str] | None  # path -> staged blob id; None: the index file is unchanged


def is_record_path(relpath: str) -> bool:
    """A path `changes.scan` would find: a `.md` file under no dot-named folder, not the top
    README.md."""
    if not relpath.endswith(".md") or relpath == "README.md":
        return False
    return not any(part.startswith(".") for part in relpath.split("/"))


def _index_identity(path: Path) -> Identity | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def _paths(out: bytes) -> list[str]:
    return [os.fsdecode(raw)[len(PREFIX) :] for raw in out.split(b"\0") if raw]


def index_root(repo: git.RepoInfo) -> Path:
    """This worktree's index directory (linked worktrees have their own `.memory/` files)."""
    name = "main" if repo.git_dir == repo.common_dir else "wt-" + repo.git_dir.name
    return repo.state_dir / "index" / name


class _Asked(NamedTuple):
    """Git processes asked what changed, and what to know when they answer."""

    started: int  # time_ns before anything was looked at
    index_file: Identity | None
    modified: Spawned  # git diff-files
    others: Spawned | None  # git ls-files --others; None: `known` answers
    known: list[str]  # untracked record paths, when the folders say nothing was added
    folders: list[Folder] | None  # taken before `others` ran, to save with its answer


_pending: dict[tuple[Path, Path], _Asked] = {}


class _Early(NamedTuple):
    """`git diff-files` started by `start_early`, before git said which repository this is."""

    cwd: str
    env: dict[str, str]
    repo: git.RepoInfo  # as found without git: real paths
    started: int
    index_file: Identity | None
    modified: Spawned


_early: list[_Early] = []


def _usable(repo: git.RepoInfo, memory_dir: Path | None) -> bool:
    if repo.work_tree is None or memory_dir is None or os.environ.get("GIT_INDEX_FILE"):
        return False
    return not memory_dir.is_symlink()


def start_early(where: at_start.Where, argv: list[str]) -> None:
    """Start the `git diff-files` the read command `argv`'s `probe` will want, before the
    command's parser and store load (or take the one `gitmem.early` started for it, earlier
    still): the repository as found without git (`gitmem.early.find_repository`), which `start`
    checks against git's own answer (`git.discover`) before it takes this one."""
    forget()
    repo = git.RepoInfo(Path(where.git_dir), Path(where.common_dir), Path(where.work_tree), False)
    memory_dir = Path(where.work_tree) / ".memory"
    if not _usable(repo, memory_dir):
        at_start.forget()
        return
    taken = at_start.take(argv, where)
    if taken is not None:
        _early.append(
            _Early(taken.cwd, taken.env, repo, taken.started, taken.index_file, taken.proc)
        )
        return
    try:
        cwd = os.getcwd()
        asked = _diff_files(repo)
    except OSError:
        return
    _early.append(_Early(cwd, dict(os.environ), repo, *asked))


def forget() -> None:
    """Drop git processes started for a command that never asked for their answer (it failed
    first): a later command in this process must ask again, after whatever changed since."""
    processes = [early.modified for early in _early]
    for asked in _pending.values():
        processes += [asked.modified, *([asked.others] if asked.others is not None else [])]
    _early.clear()
    _pending.clear()
    for proc in processes:
        proc.drop()


def _take_early(repo: git.RepoInfo, memory_dir: Path) -> _Early | None:
    """The early `diff-files`, when it asked about this repository from here."""
    if not _early:
        return None
    early = _early.pop()
    try:
        same = (
            early.cwd == os.getcwd()
            and early.env == os.environ
            and os.path.realpath(repo.git_dir) == str(early.repo.git_dir)
            and repo.work_tree is not None
            and os.path.realpath(repo.work_tree) == os.path.realpath(str(early.repo.work_tree))
            and memory_dir == repo.work_tree / ".memory"
        )
    except OSError:
        same = False
    if same:
        return early
    early.modified.drop()
    return None


def start(repo: git.RepoInfo, memory_dir: Path | None) -> None:
    """Ask git now what `probe` will want to know, without waiting for the answer: for a
    command that reads, as soon as it has found the repository (git's stat of every file then
    runs while Python imports the rest). Never for a command that writes `.memory/` first."""
    if not _usable(repo, memory_dir):
        forget()
        return
    assert memory_dir is not None
    asked = _ask(repo, memory_dir, _take_early(repo, memory_dir))
    if asked is not None:
        _pending[(repo.git_dir, memory_dir)] = asked


def _git(repo: git.RepoInfo, args: list[str]) -> Spawned:
    assert repo.work_tree is not None
    return at_start.read_git(args, str(repo.git_dir), str(repo.work_tree))


# diff-files: the tracked files whose stat data (or, racily clean, content) differ from the
# index, deleted ones too; the longest part (a stat of each), started first.
_DIFF_FILES = at_start.DIFF_FILES


def _diff_files(repo: git.RepoInfo) -> tuple[int, Identity | None, Spawned]:
    """`diff-files` started now, with the time and the index file it started against."""
    started = time.time_ns()
    index = _index_identity(repo.git_dir / "index")
    return started, index, _git(repo, _DIFF_FILES)


def _ask(repo: git.RepoInfo, memory_dir: Path, early: _Early | None = None) -> _Asked | None:
    if early is not None:
        started, index, modified = early.started, early.index_file, early.modified
    else:
        try:
            started, index, modified = _diff_files(repo)
        except OSError:
            return None
    cache = _read_others(repo, memory_dir, index)
    folders = others = None
    if cache is None:
        # Before git reads them: an entry added while it runs changes a folder taken here.
        folders = _folders(memory_dir, _known_folders(repo, memory_dir))
        try:  # untracked and ignored files
            others = _git(repo, ["ls-files", "--others", "-z", "--", PREFIX])
        except OSError:
            modified.communicate()
            return None
    return _Asked(started, index, modified, others, cache or [], folders)


def _answer(proc: Spawned) -> bytes | None:
    out = proc.communicate()[0]
    return None if proc.returncode else out


def probe(repo: git.RepoInfo, memory_dir: Path | None, previous: GitState | None) -> Probe | None:
    """What git says about `.memory/`; None when git's index cannot be asked."""
    if not _usable(repo, memory_dir):
        return None
    assert memory_dir is not None
    asked = _pending.pop((repo.git_dir, memory_dir), None)
    if asked is not None and time.time_ns() - asked.started > FRESH_NS:
        for proc in (asked.modified, asked.others):
            if proc is not None:
                proc.communicate()
        asked = None
    asked = asked or _ask(repo, memory_dir)
    if asked is None:
        return None
    index = asked.index_file
    spec = ["--", PREFIX]
    # The staged blobs only when the index file changed: at once with the others (two cores).
    fresh = previous is None or index is None or previous.index_file != index
    try:
        stage = _git(repo, ["ls-files", "--stage", "-v", "-z", *spec]) if fresh else None
    except OSError:
        stage = None
    modified = _answer(asked.modified)
    others = _answer(asked.others) if asked.others is not None else b""
    staged_out = _answer(stage) if stage is not None else b""
    if modified is None or others is None or staged_out is None or (fresh and stage is None):
        return None
    untracked = _paths(others)
    if any(path.endswith("/") for path in untracked):
        return None  # a repository nested in `.memory/`: git does not look inside; we do
    listed = {p for p in _paths(modified) if is_record_path(p)}
    untracked_records = [p for p in untracked if is_record_path(p)]
    if index != _index_identity(repo.git_dir / "index"):
        return None  # the index changed while git read it: answers of different times
    if asked.others is not None:
        _save_others(repo, memory_dir, index, asked, untracked_records)
    listed.update(untracked_records if asked.others is not None else asked.known)
    if not fresh:
        assert previous is not None
        return Probe(index, listed, set(previous.special), None)
    staged: dict[str, str] = {}
    special: set[str] = set()
    for line in staged_out.split(b"\0"):
        if not line:
            continue
        info, _tab, raw = line.partition(b"\t")
        tag, mode, oid, stage_number = info.split(b" ")
        path = os.fsdecode(raw)[len(PREFIX) :]
        if not is_record_path(path):
            continue
        # H: an ordinary cached entry. Lowercase: assume-unchanged; S: skip-worktree; M:
        # unmerged; 120000: a symlink (its blob is the link, not what we read through it).
        if tag != b"H" or mode == b"120000" or stage_number != b"0":
            special.add(path)
        staged[path] = oid.decode()
    return Probe(index, listed, special, staged)


# ------------------------------------------------------------------ untracked files, cached


def _folders(memory_dir: Path, known: dict[str, tuple[int, int]]) -> list[Folder] | None:
    """Every folder under `.memory/` (dot-named ones hold no records) with its mtime and
    ctime; a folder whose times are those in `known` has the subfolders `known` lists, so only
    changed ones are read. None when `.memory/` is missing or cannot be read."""
    found: list[Folder] = []
    stack = [""]
    base = str(memory_dir) + "/"
    while stack:
        relpath = stack.pop()
        try:
            stat = os.stat(base + relpath, follow_symlinks=False)
        except OSError:
            if not relpath:
                return None
            continue  # gone since its parent was read: the parent's times changed too
        times = (stat.st_mtime_ns, stat.st_ctime_ns)
        found.append((relpath, *times))
        if known.get(relpath) == times:
            depth = relpath.count("/") + 1
            stack.extend(
                sub for sub in known if sub.startswith(relpath) and sub.count("/") == depth
            )
            continue
        try:
            with os.scandir(base + relpath) as entries:
                for entry in entries:
                    if entry.name[0] != "." and entry.is_dir(follow_symlinks=False):
                        stack.append(f"{relpath}{entry.name}/")
        except OSError:
            if not relpath:
                return None
    return found


def _cache_key(repo: git.RepoInfo, memory_dir: Path, index: Identity | None) -> list[Any]:
    return [1, str(memory_dir), list(index) if index else None]


def _load_others(repo: git.RepoInfo) -> list[Any] | None:
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        cached = marshal.loads((index_root(repo) / OTHERS).read_bytes())
        if isinstance(cached, list) and len(cached) == 3:
            return cached
    return None


def _known_folders(repo: git.RepoInfo, memory_dir: Path) -> dict[str, tuple[int, int]]:
    cached = _load_others(repo)
    if cached is None or not isinstance(cached[1], list):
        return {}
    return {folder[0]: (folder[1], folder[2]) for folder in cached[1] if len(folder) == 3}


def _read_others(repo: git.RepoInfo, memory_dir: Path, index: Identity | None) -> list[str] | None:
    """The untracked record files `git ls-files --others` listed last time, when nothing can
    have been added, removed or renamed since: same index file, every folder's times the same
    (none new: a new folder changes its parent's). None: ask git."""
    cached = _load_others(repo)
    if cached is None or index is None or cached[0] != _cache_key(repo, memory_dir, index):
        return None
    _key, folders, others = cached
    base = str(memory_dir) + "/"
    try:
        for relpath, mtime, ctime in folders:
            stat = os.stat(base + relpath, follow_symlinks=False)
            if (stat.st_mtime_ns, stat.st_ctime_ns) != (mtime, ctime):
                return None
    except (OSError, TypeError, ValueError):
        return None
    return [str(path) for path in others]


def _save_others(
    repo: git.RepoInfo,
    memory_dir: Path,
    index: Identity | None,
    asked: _Asked,
    others: list[str],
) -> None:
    """Keep what `--others` said for the next probe, when the folders' times can be trusted:
    all older than the moment they were taken by more than an mtime tick."""
    folders = asked.folders
    if index is None or folders is None:
        return
    if any(max(mtime, ctime) >= asked.started - RACY_NS for _path, mtime, ctime in folders):
        folders = [(path, -1, -1) for path, _m, _c in folders]  # known, but not trusted
    data = [_cache_key(repo, memory_dir, index), [list(f) for f in folders], sorted(others)]
    with contextlib.suppress(OSError):  # a read-only repository still answers
        root = index_root(repo)
        root.mkdir(parents=True, exist_ok=True)
        atomic_write(root / OTHERS, marshal.dumps(data), durable=False)
