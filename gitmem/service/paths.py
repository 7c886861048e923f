"""Where a repository's service lives: the repository found from here without running git, its
state directory under the common dir, and a short socket path in a private runtime directory."""

from __future__ import annotations

import os
import stat

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


def state_dir(common_dir: str) -> str:
    """The service's state (lock, pid and status, log): beside the index, shared by worktrees."""
    return os.path.join(common_dir, "gitmem", "service")


def private_dir(path: str) -> str:
    """`path` made (mode 0700) or checked: a directory, not a link, ours, closed to others.
    OSError when it is not (another user's directory must never hold our socket)."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{path} is not a private directory of this user")
    return path


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
