"""Where a repository's service lives: the repository found from here without running git, its
state directory under the common dir, and a short socket path in a private runtime directory."""

from __future__ import annotations

import os
import stat

from gitmem.early import (  # where they are (tier 0, loaded first); here for the service's callers
    DISCOVERY_VARS,
    Where,
    find_repository,
    fnv1a,
    runtime_dir,
    socket_path,
    trusted_socket,
)

__all__ = [
    "DISCOVERY_VARS",
    "Where",
    "find_repository",
    "fnv1a",
    "private_dir",
    "runtime_dir",
    "socket_path",
    "state_dir",
    "trusted_socket",
]


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
