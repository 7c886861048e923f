"""What gitmem asks of the `git` binary: discovery, config, refs, blobs, compare-and-swap.

The `git` binary answers cheap questions (~1.3 ms a call) without loading pygit2 (`import
pygit2` costs ~110 ms, more than `git mem show` may spend in total); objects.py is the pygit2
side, for writers and tree walks.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from gitmem import NamedTuple
from gitmem.errors import GitMemError, UsageError
from gitmem.spawn import Spawned

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:  # loaded by `run`: the read path's git processes are `Spawned`
    import subprocess

NOTES_REF = "refs/notes/mem"
CAS_ATTEMPTS = 200
FALLBACK_IDENT = ("gitmem", "gitmem@localhost")


class RepoInfo(NamedTuple):
    git_dir: Path
    common_dir: Path
    work_tree: Path | None  # None: bare repository, or run from inside the git dir
    bare: bool

    @property
    def state_dir(self) -> Path:
        """Local, disposable gitmem state (shared by all worktrees)."""
        return self.common_dir / "gitmem"


class RefTip(NamedTuple):
    oid: str
    kind: str  # commit, tree, blob, tag


_PATH_VARS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
)


def _env() -> dict[str, str] | None:
    """The environment for git, with relative GIT_DIR & co. made absolute.

    They are relative to the directory the user ran us in, but we run git in the git dir.
    """
    relative = [k for k in _PATH_VARS if os.environ.get(k) and not os.path.isabs(os.environ[k])]
    if not relative:
        return None
    env = dict(os.environ)
    for key in relative:
        env[key] = os.path.abspath(env[key])
    return env


def run(
    args: list[str],
    cwd: Path | None = None,
    input: bytes | None = None,
    check: bool = True,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """`git ARGS`; `env` adds variables (e.g. GIT_INDEX_FILE for a temporary index)."""
    for arg in args:
        if "\0" in arg:  # no process takes one; from a request or a JSON body it is bad input
            raise UsageError(f"{arg!r} cannot be given to git: it contains a NUL character")
    full = {**(_env() or os.environ), **env} if env else _env()
    import subprocess

    proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, env=full)
    if check and proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines()
        detail = message[-1] if message else f"exit {proc.returncode}"
        raise GitMemError(f"git {args[0]} failed: {detail.removeprefix('fatal: ')}")
    return proc


def error_line(proc: subprocess.CompletedProcess[bytes]) -> str:
    """What a failed git said: its first fatal/error line (the later ones are advice), else its
    last line."""
    lines = proc.stderr.decode(errors="replace").strip().splitlines()
    for line in lines:
        if line.startswith(("fatal: ", "error: ")):
            return line.split(": ", 1)[1]
    return lines[-1] if lines else f"git exited with {proc.returncode}"


def is_tracked(work_tree: Path, path: Path) -> bool:
    """Whether git's index has `path` (a file in the work tree)."""
    proc = run(["ls-files", "--error-unmatch", "--", str(path)], cwd=work_tree, check=False)
    return proc.returncode == 0


def uncommitted(work_tree: Path, path: Path) -> str | None:
    """Why `path` holds work no commit has ("untracked", "modified", ...), None if committed."""
    proc = run(
        ["status", "--porcelain=v1", "--ignored", "--untracked-files=all", "--", str(path)],
        cwd=work_tree,
    )
    code = proc.stdout.decode(errors="replace")[:2]
    if not code.strip():
        return None
    if code == "??":
        return "untracked"
    if code == "!!":
        return "ignored by git, never committed"
    if code[1] == " " and code[0] == "A":
        return "added but never committed"
    return "modified since the last commit"


def move_tracked(work_tree: Path, old: Path, new: Path) -> None:
    """`git mv OLD NEW`: the file moves and the rename is staged, as git would."""
    run(["mv", "--", str(old), str(new)], cwd=work_tree)


def read_blobs(cwd: Path, names: Iterable[str]) -> dict[str, bytes]:
    """Blobs named any way `git cat-file` takes them (ids, `:path` for the staged file), read
    by one `git cat-file --batch`; names git cannot find, or that are not blobs, are left out."""
    wanted = [name for name in dict.fromkeys(names) if "\n" not in name]
    if not wanted:
        return {}
    request = "".join(f"{name}\n" for name in wanted).encode("utf-8", "surrogateescape")
    out = run(["cat-file", "--batch"], cwd=cwd, input=request).stdout
    blobs: dict[str, bytes] = {}
    position = 0
    for name in wanted:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if len(header) == 3:  # "<oid> <type> <size>"; else "<name> missing" (or ambiguous)
            size = int(header[2])
            if header[1] == b"blob":
                blobs[name] = out[position : position + size]
            position += size + 1
    return blobs


def read_all_blobs(repo: RepoInfo, oids: list[str], missing: str) -> dict[str, bytes]:
    """`read_blobs` of objects that must all be there: a GitMemError for the first one that
    is not (`missing` is the message, with `{oid}` for its id)."""
    blobs = read_blobs(repo.git_dir, oids)
    for oid in oids:
        if oid not in blobs:
            raise GitMemError(missing.format(oid=oid))
    return blobs


DISCOVER = [
    "rev-parse",
    "--absolute-git-dir",
    "--git-common-dir",
    "--is-bare-repository",
    "--is-inside-git-dir",
    "--show-toplevel",
]
# The `rev-parse` a read command started before its parser and store loaded
# (`start_discovery`): the directory and environment it runs in, and the process.
_started: list[tuple[str, dict[str, str], Spawned]] = []


def start_discovery() -> None:
    """Start the `git rev-parse` of `discover()` now, for a command that will call it from this
    directory: git answers while Python loads the command. Not when a GIT_* path variable is
    relative (`run` makes those absolute)."""
    forget_discovery()
    if _env() is not None:
        return
    try:
        cwd = os.getcwd()
        proc = Spawned(DISCOVER, errors=True)
    except OSError:
        return  # not installed, no current directory: `discover` says so
    _started.append((cwd, dict(os.environ), proc))


def forget_discovery() -> None:
    """Drop a `rev-parse` `start_discovery` started that no `discover` took (a command that
    failed first): a later command must ask again."""
    while _started:
        _started.pop()[2].drop()


def _early_discovery() -> tuple[bytes, bytes] | None:
    """The early `rev-parse`'s output, when it ran where and as `discover()` would now."""
    if not _started:
        return None
    cwd, env, proc = _started.pop()
    try:
        same = cwd == os.getcwd() and env == os.environ
    except OSError:
        same = False
    if not same:
        proc.drop()
        return None
    out, err = proc.communicate()
    return out, err


def discover(cwd: Path | None = None) -> RepoInfo:
    """Find the repository the way git does (GIT_DIR, GIT_WORK_TREE, upward discovery)."""
    early = _early_discovery() if cwd is None else None
    if early is None:
        try:
            proc = run(DISCOVER, cwd=cwd, check=False)
        except FileNotFoundError:
            raise GitMemError("git is not installed or not on PATH") from None
        early = proc.stdout, proc.stderr
    stdout, stderr = early
    lines = stdout.decode(errors="surrogateescape").splitlines()
    if len(lines) < 4:
        error = stderr.decode(errors="replace").strip().splitlines()
        detail = error[-1].removeprefix("fatal: ") if error else "not a git repository"
        raise GitMemError(detail)
    git_dir = Path(lines[0])
    common = Path(lines[1])
    if not common.is_absolute():
        common = (Path(cwd or os.getcwd()) / common).resolve()
    bare = lines[2] == "true"
    # --show-toplevel fails (and prints nothing) in a bare repository or inside the git dir.
    work_tree = Path(lines[4]) if len(lines) > 4 and lines[3] != "true" and not bare else None
    return RepoInfo(git_dir, common, work_tree, bare)


def log_dir() -> Path | None:
    """Where to log an unexpected error: `logs/` in the state dir of the repository git finds
    from here; None where there is none (not a repository, or discovery itself failed)."""
    try:
        return discover().state_dir / "logs"
    except Exception:  # called while handling another error: never raise a second one
        return None


def config_get_all(repo: RepoInfo, key: str) -> list[str]:
    proc = run(["config", "--get-all", key], cwd=repo.git_dir, check=False)
    return proc.stdout.decode().splitlines()


def config_add(repo: RepoInfo, key: str, value: str) -> None:
    run(["config", "--add", key, value], cwd=repo.git_dir)


def remotes(repo: RepoInfo) -> list[str]:
    return run(["remote"], cwd=repo.git_dir).stdout.decode().split()


def verify_commit(repo: RepoInfo, rev: str) -> str | None:
    """The full sha of the commit `rev` names, or None."""
    if "\0" in rev:
        return None
    proc = run(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
        cwd=repo.git_dir,
        check=False,
    )
    out = proc.stdout.decode().strip()
    return out if proc.returncode == 0 and out else None


def resolve_commit(repo: RepoInfo, rev: str) -> str:
    sha = verify_commit(repo, rev)
    if sha is None:
        raise UsageError(f"cannot resolve {rev!r} to a commit")
    return sha


def ident(repo: RepoInfo) -> str | None:
    """`Name <email>` as git would author a commit, or None if git has no identity."""
    proc = run(["var", "GIT_AUTHOR_IDENT"], cwd=repo.git_dir, check=False)
    if proc.returncode != 0:
        return None
    name_email = proc.stdout.decode(errors="replace").strip().rsplit(" ", 2)[0]
    return name_email or None


def editor(repo: RepoInfo) -> str:
    """The editor git would use (GIT_EDITOR, core.editor, VISUAL, EDITOR, vi)."""
    return run(["var", "GIT_EDITOR"], cwd=repo.git_dir).stdout.decode().strip()


def ref_tip(repo: RepoInfo, ref: str) -> RefTip | None:
    fmt = "%(objectname) %(objecttype)"
    out = run(["for-each-ref", f"--format={fmt}", ref], cwd=repo.git_dir).stdout.decode()
    for line in out.splitlines():
        oid, kind = line.split()
        return RefTip(oid, kind)
    return None


def read_blob(repo: RepoInfo, oid: str) -> bytes:
    return run(["cat-file", "blob", oid], cwd=repo.git_dir).stdout


def commit_time(repo: RepoInfo, rev: str) -> str | None:
    proc = run(["show", "-s", "--format=%cI", rev, "--"], cwd=repo.git_dir, check=False)
    return proc.stdout.decode().strip() or None


def commit_tip(repo: RepoInfo, ref: str) -> str | None:
    """The commit `ref` points at; None if there is no such ref; an error if it points at
    something else (someone moved it by hand)."""
    tip = ref_tip(repo, ref)
    if tip is None:
        return None
    if tip.kind != "commit":
        raise not_a_commit(ref, tip.kind)
    return tip.oid


def not_a_commit(ref: str, kind: str) -> GitMemError:
    """The error for a notes ref someone pointed at something other than a commit."""
    return GitMemError(
        f"{ref} points at a {kind}, not a commit; inspect it with `git show {ref}` and "
        f"move it aside with `git update-ref -d {ref}` once its content is safe"
    )


def move_ref(repo: RepoInfo, ref: str, new: str | None, old: str | None, reflog: str) -> bool:
    """Compare-and-swap: point `ref` at `new` (None: delete it) if it is still at `old` (None:
    it must not exist yet). False if someone moved it first.

    git's update-ref checks the old value under the ref lock (all zeros: "must not exist").
    """
    expected = old or "0" * (len(new) if new else 40)  # (40: sha1; a sha256 id is longer)
    args = ["-d", ref, expected] if new is None else [ref, new, expected]
    return run(["update-ref", "-m", reflog, *args], cwd=repo.git_dir, check=False).returncode == 0


def is_ancestor(repo: RepoInfo, older: str, newer: str) -> bool:
    """Is commit `older` reachable from `newer` (or the same)?"""
    args = ["merge-base", "--is-ancestor", older, newer]
    return run(args, cwd=repo.git_dir, check=False).returncode == 0


DEFAULT_BRANCHES = ("refs/remotes/origin/HEAD", "refs/heads/main", "refs/heads/master")


def project_tips(repo: RepoInfo) -> tuple[str | None, str | None]:
    """The commits of HEAD and of the default branch (origin/HEAD, else main, else master):
    one `git show-ref --head` (this worktree's HEAD when run in its git dir)."""
    proc = run(["show-ref", "--head", *DEFAULT_BRANCHES], cwd=repo.git_dir, check=False)
    found: dict[str, str] = {}
    for line in proc.stdout.decode().splitlines():
        oid, _, ref = line.partition(" ")
        found[ref] = oid
    default = next((found[ref] for ref in DEFAULT_BRANCHES if ref in found), None)
    return found.get("HEAD"), default


def unreachable(repo: RepoInfo, oids: Iterable[str], tips: Iterable[str]) -> set[str]:
    """Those of `oids` that are not commits reachable from one of `tips`: two git calls
    (one `cat-file --batch-check` for what is a commit, one `rev-list` walking only what the
    tips do not reach). A missing object counts as unreachable (a complete clone has every
    commit its branches reach), except in a shallow clone, where it may lie beyond the cut."""
    wanted = [oid for oid in dict.fromkeys(oids) if "\n" not in oid]
    if not wanted:
        return set()
    request = "".join(f"{oid}\n" for oid in wanted).encode()
    out = run(
        ["cat-file", "--batch-check=%(objectname) %(objecttype)"], cwd=repo.git_dir, input=request
    )
    commits = [
        line.split()[0] for line in out.stdout.decode().splitlines() if line.endswith(" commit")
    ]
    missing = set(wanted) - set(commits)
    if missing and is_shallow(repo):  # not fetched is not unreachable: nothing to say
        missing = set()
    if not commits:
        return missing
    request = "".join(f"{oid}\n" for oid in commits).encode()
    args = ["rev-list", "--stdin", *(f"^{tip}" for tip in tips)]
    walked = set(run(args, cwd=repo.git_dir, input=request).stdout.decode().split())
    return missing | (walked & set(commits))


def is_shallow(repo: RepoInfo) -> bool:
    out = run(["rev-parse", "--is-shallow-repository"], cwd=repo.git_dir).stdout
    return out.strip() == b"true"


def incomplete_history(repo: RepoInfo) -> str | None:
    """ "shallow" or "partial" when this clone may lack commits that exist elsewhere (a
    `--depth` clone, or a `--filter` clone with a promisor remote); None when complete."""
    if is_shallow(repo):
        return "shallow"
    proc = run(
        ["config", "--get-regexp", r"^(extensions\.partialclone|remote\..*\.promisor)$"],
        cwd=repo.git_dir,
        check=False,
    )
    values = [line.split(maxsplit=1) for line in proc.stdout.decode().splitlines()]
    if any(len(kv) == 2 and kv[1].strip().lower() not in ("false", "") for kv in values):
        return "partial"
    return None
