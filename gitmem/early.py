"""What a one-shot read (`git mem show|list|search`) does before anything else loads: find its
repository without git, and there start the `git diff-files` it will wait for.

At 100k files that git (a stat of every tracked file) is ~60 ms of the command's ~90: every ms it
starts later is a ms the command ends later. Started from `gitmem/__init__`, before `pathlib`, the
parser or the store load (`start`), with `gitmem.spawn` (git without `subprocess`): only the
standard library's `os`, `stat` and `sys`, which every Python has loaded by then. `read_git`
starts every git process of the read path (`search.worktree`'s too).
`search.worktree.start_early` takes the process (`take`) only if the command is the one it was
started for, from the same directory and environment, and `worktree.start` only if git's own
discovery names the same repository; anything else drops it.
Not when the repository's index service may answer instead (its socket is there): that git
would only compete with the service for the CPU.

Also where the index service of a repository listens (`socket_path`, `trusted_socket`): the
service client (`gitmem.service`) and this module both ask, and this one loads first.
"""

from __future__ import annotations

import os
import stat
import sys
import time

from gitmem.spawn import Spawned

# The commands that read `.memory/` first (`commands.open_store(reading=True)`).
READS_WORK_TREE = frozenset({"search", "list", "ls", "show"})
# Options never worth a round trip to the index service (`gitmem.service.client`), nor an early
# git: help (its width is the terminal's), the personal memory, other repositories or a
# database, conversations, writing a file.
IN_PROCESS_OPTIONS = (
    "-h",
    "--help",
    "-g",
    "--global",
    "--server",
    "--repos",
    "--workspace",
    "--sessions",
    "--everything",
    "--write",
)
SCRIPTS = ("git-mem", "gitmem")  # the console scripts' names (pyproject.toml)
DIFF_FILES = ["diff-files", "--name-only", "-z", "--", ".memory/"]

# Variables that make git look elsewhere or read other settings: with any of them set, the
# command is answered in process (the client's discovery below does not follow them).
DISCOVERY_VARS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    "GIT_NAMESPACE",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
)


class Where:
    """The repository a command run here works on, as real paths. (A plain class: the client
    must not pay for `typing` or `dataclasses`.)"""

    __slots__ = ("common_dir", "git_dir", "work_tree")

    def __init__(self, git_dir: str, common_dir: str, work_tree: str) -> None:
        self.git_dir, self.common_dir, self.work_tree = git_dir, common_dir, work_tree

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Where) and (self.git_dir, self.common_dir, self.work_tree) == (
            other.git_dir,
            other.common_dir,
            other.work_tree,
        )

    def __hash__(self) -> int:
        return hash((self.git_dir, self.common_dir, self.work_tree))

    def __repr__(self) -> str:
        return f"Where({self.git_dir!r}, {self.common_dir!r}, {self.work_tree!r})"


def find_repository(cwd: str) -> Where | None:
    """The work tree git would find from `cwd` (a `.git` directory or `gitdir:` file upward);
    None when git's discovery could differ (a discovery variable set, a bare repository, inside
    a git directory, anything unreadable): then the caller answers in process."""
    if any(os.environ.get(name) for name in DISCOVERY_VARS):
        return None
    folder = os.path.abspath(cwd)
    while True:
        dot_git = os.path.join(folder, ".git")
        try:
            if os.path.isdir(dot_git):
                git_dir = dot_git
            elif os.path.isfile(dot_git):
                with open(dot_git, encoding="utf-8") as file:
                    text = file.read().strip()
                if not text.startswith("gitdir: "):
                    return None
                git_dir = os.path.join(folder, text[len("gitdir: ") :])
            elif os.path.isfile(os.path.join(folder, "HEAD")) and os.path.isdir(
                os.path.join(folder, "objects")
            ):
                return None  # inside a git directory, or a bare repository
            else:
                parent = os.path.dirname(folder)
                if parent == folder:
                    return None
                folder = parent
                continue
            common = git_dir
            if os.path.isfile(os.path.join(git_dir, "commondir")):
                with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as file:
                    common = os.path.join(git_dir, file.read().strip())
            if not os.path.isfile(os.path.join(git_dir, "HEAD")):
                return None
            return Where(os.path.realpath(git_dir), os.path.realpath(common), folder)
        except (OSError, UnicodeDecodeError):
            return None


def runtime_dir() -> str:
    """A private directory for sockets with a short path: AF_UNIX paths end at ~107 bytes, and
    a repository can be nested deeper than that. $XDG_RUNTIME_DIR/gitmem, else
    /tmp/gitmem-<uid>."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isabs(base):
        return os.path.join(base, "gitmem")
    return f"/tmp/gitmem-{os.getuid()}"


def socket_path(common_dir: str) -> str:
    """The repository's socket: named by a hash of its common dir (so a moved repository has
    another one)."""
    return os.path.join(runtime_dir(), f"{fnv1a(os.fsencode(common_dir)):016x}.sock")


def fnv1a(data: bytes) -> int:
    """64-bit FNV-1a: enough to tell one user's repositories apart (the service also checks
    the repository of every request), and no `hashlib` (OpenSSL) to load."""
    value = 0xCBF29CE484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def trusted_socket(path: str) -> bool:
    """Whether `path` is a socket we may connect to: ours, in a private directory of ours."""
    try:
        private_dir_ok = os.lstat(os.path.dirname(path))
        info = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_ISDIR(private_dir_ok.st_mode)
        and private_dir_ok.st_uid == os.getuid()
        and not private_dir_ok.st_mode & 0o077
        and stat.S_ISSOCK(info.st_mode)
        and info.st_uid == os.getuid()
    )


def reads_work_tree(argv: list[str]) -> bool:
    """Whether `argv` is a read of `.memory/` in the repository found here (no option that
    takes it elsewhere or to the process)."""
    words = argv[: argv.index("--")] if "--" in argv else argv
    return (
        bool(argv)
        and argv[0] in READS_WORK_TREE
        and not any(word.split("=", 1)[0] in IN_PROCESS_OPTIONS for word in words)
    )


class Started:
    """`git diff-files` started by `start`: for which command, from where, the index file it
    started against, and the process."""

    __slots__ = ("argv", "cwd", "env", "index_file", "proc", "started", "where")

    def __init__(
        self,
        argv: list[str],
        cwd: str,
        where: Where,
        started: int,
        index_file: tuple[int, int, int] | None,
        proc: Spawned,
    ) -> None:
        self.argv, self.cwd, self.env, self.where = argv, cwd, dict(os.environ), where
        self.started, self.index_file, self.proc = started, index_file, proc


_started: list[Started] = []


def start_for_script() -> None:
    """`start` for this process's command, when it is a console script's (`gitmem/__init__`)."""
    argv = getattr(sys, "argv", None) or [""]  # an embedding application may set none
    if os.path.basename(argv[0]) in SCRIPTS:
        standard_streams()  # (first: before `start`'s pipe could take a closed one's number)
        if len(argv) > 1:
            start(argv[1:])


def standard_streams() -> None:
    """As git does for itself (`sanitize_stdfds`): a standard descriptor closed when the process
    started (`git-mem list >&-`, a daemon or cron job without them; Python then has no
    sys.stdout) is opened on /dev/null, so that output goes nowhere instead of failing at its
    first use, and no pipe or file opened later takes its number (and with it the output)."""
    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        if getattr(sys, name, None) is not None:
            continue
        try:
            os.fstat(fd)
            continue  # taken since the start by something else: not ours to replace
        except OSError:
            pass
        try:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            setattr(sys, name, open(fd, mode, encoding="utf-8", closefd=False))  # noqa: SIM115
        except OSError:
            pass


def start(argv: list[str]) -> None:
    """Start the `git diff-files` the read `argv` will wait for, in the repository found from
    here without git, unless its index service may answer (`os.environ` GITMEM_SERVICE=off
    says it will not)."""
    if not reads_work_tree(argv):
        return
    try:
        cwd = os.getcwd()
        where = find_repository(cwd)
        if where is None or os.path.islink(os.path.join(where.work_tree, ".memory")):
            return
        if os.environ.get("GITMEM_SERVICE") != "off" and trusted_socket(
            socket_path(where.common_dir)
        ):
            return
        started = time.time_ns()
        try:
            index = os.stat(os.path.join(where.git_dir, "index"))
            index_file = (index.st_mtime_ns, index.st_size, index.st_ino)
        except OSError:
            index_file = None
        proc = read_git(DIFF_FILES, where.git_dir, where.work_tree)
    except OSError:
        return
    _started.append(Started(list(argv), cwd, where, started, index_file, proc))


def read_git(args: list[str], git_dir: str, work_tree: str) -> Spawned:
    """`git ARGS` started for a read of this repository: told where it is (no discovery of its
    own), taking no optional lock (it never refreshes the user's index)."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    env["GIT_DIR"], env["GIT_WORK_TREE"] = git_dir, work_tree
    return Spawned(args, cwd=work_tree, env=env)


def take(argv: list[str], where: Where) -> Started | None:
    """The git `start` started, if it was for the command `argv` in `where`, from this
    directory and environment; None otherwise (then it is dropped: `forget`)."""
    if not _started:
        return None
    started = _started.pop()
    try:
        same = (
            started.argv == argv
            and started.where == where
            and started.cwd == os.getcwd()
            and started.env == os.environ
        )
    except OSError:
        same = False
    if same:
        return started
    started.proc.drop()
    return None


def forget() -> None:
    """Drop what `start` started and no command took (the service answered instead)."""
    while _started:
        _started.pop().proc.drop()
