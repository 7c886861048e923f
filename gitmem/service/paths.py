"""Where a repository's service lives: the repository found from here without running git, its
state directory under the common dir, and a short socket path in a private runtime directory."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path
from typing import NamedTuple

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


class Where(NamedTuple):
    """The repository a command run here works on, as real paths."""

    git_dir: str
    common_dir: str
    work_tree: str


def find_repository(cwd: str) -> Where | None:
    """The work tree git would find from `cwd` (a `.git` directory or `gitdir:` file upward);
    None when git's discovery could differ (a discovery variable set, a bare repository, inside
    a git directory, anything unreadable): then the caller answers in process."""
    if any(os.environ.get(name) for name in DISCOVERY_VARS):
        return None
    here = Path(cwd)
    for folder in (here, *here.parents):
        dot_git = folder / ".git"
        try:
            if dot_git.is_dir():
                git_dir = dot_git
            elif dot_git.is_file():
                text = dot_git.read_text(encoding="utf-8").strip()
                if not text.startswith("gitdir: "):
                    return None
                git_dir = folder / text[len("gitdir: ") :]
            else:
                if (folder / "HEAD").is_file() and (folder / "objects").is_dir():
                    return None  # inside a git directory, or a bare repository
                continue
            common = git_dir
            if (git_dir / "commondir").is_file():
                common = git_dir / (git_dir / "commondir").read_text(encoding="utf-8").strip()
            if not (git_dir / "HEAD").is_file():
                return None
            return Where(os.path.realpath(git_dir), os.path.realpath(common), str(folder))
        except (OSError, UnicodeDecodeError):
            return None
    return None


def state_dir(common_dir: str) -> Path:
    """The service's state (lock, pid and status, log): beside the index, shared by worktrees."""
    return Path(common_dir) / "gitmem" / "service"


def private_dir(path: Path) -> Path:
    """`path` made (mode 0700) or checked: a directory, not a link, ours, closed to others.
    OSError when it is not (another user's directory must never hold our socket)."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700, parents=True)
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{path} is not a private directory of this user")
    return path


def runtime_dir() -> Path:
    """A private directory for sockets with a short path: AF_UNIX paths end at ~107 bytes, and
    a repository can be nested deeper than that. $XDG_RUNTIME_DIR/gitmem, else
    /tmp/gitmem-<uid>."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isabs(base):
        return Path(base) / "gitmem"
    return Path("/tmp") / f"gitmem-{os.getuid()}"


def socket_path(common_dir: str) -> str:
    """The repository's socket: named by a hash of its common dir (so a moved repository has
    another one)."""
    digest = hashlib.sha256(os.fsencode(common_dir)).hexdigest()[:20]
    return str(runtime_dir() / f"{digest}.sock")


def trusted_socket(path: str) -> bool:
    """Whether `path` is a socket we may connect to: ours, in a private directory of ours."""
    try:
        private_dir_ok = Path(path).parent.lstat()
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
