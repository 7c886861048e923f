"""Which paths of a checkpoint resuming may write: checked before anything is written.

A path is refused when it is absolute, holds `..` or `.git`, goes through a symlink (of the
snapshot or on disk), lands on a symlink pointing outside the target, or is a symlink that
leads outside once every link it meets, written or already there, is followed; one refused
path refuses the whole checkpoint.
"""

from __future__ import annotations

import os
from pathlib import Path

from gitmem.errors import GitMemError
from gitmem.store import git
from gitmem.store.git import RepoInfo


def _lexical_problem(path: str) -> str | None:
    if path.startswith("/") or os.path.isabs(path):
        return "is an absolute path"
    parts = path.split("/")
    if ".." in parts:
        return "contains '..'"
    if any(part in ("", ".") for part in parts):
        return "has an empty or '.' component"
    if any(part.casefold() == ".git" for part in parts):
        return "is inside a .git directory"
    return None


def inside(root: Path, path: Path) -> bool:
    """Whether `path`, every link followed, is `root` or below it."""
    real = os.path.realpath(path)
    return real == str(root) or real.startswith(str(root) + os.sep)


def _disk_problem(root: Path, path: str) -> str | None:
    """Why writing `path` below `root` could land outside it (None: it cannot)."""
    parts = path.split("/")
    here = root
    for part in parts[:-1]:
        here = here / part
        if here.is_symlink():
            return f"goes through the symlink {here.relative_to(root)}"
        if not os.path.lexists(here):
            return None  # nothing below a missing directory exists yet
    final = here / parts[-1]
    if final.is_symlink() and not inside(root, final):
        return f"is a symlink pointing outside the target ({os.readlink(final)})"
    return None


MAX_LINK_HOPS = 40  # as Linux's path walk: more is a loop, and refused
LOOP = "\0loop"  # what `resolve_links` answers for a loop (no path holds a NUL)


def resolve_links(root: Path, path: str, planned: dict[str, str | None]) -> str | None:
    """Where `path` (relative to `root`) leads once every symlink on the way is followed: those
    the snapshot will write (`planned`: path -> link text, None for a file or directory it
    writes, which replaces whatever is on disk there) and those already on disk. The result is
    relative to `root`, None when the walk leaves `root`, `LOOP` for a loop. Never lexical: in
    `sub/l1 -> l2/../victim` with `sub/l2 -> ..`, the `..` applies to where `l2` leads."""
    pending = [part for part in path.split("/") if part not in ("", ".")]
    done: list[str] = []
    hops = 0
    while pending:
        part = pending.pop(0)
        if part == "..":
            if not done:
                return None
            done.pop()
            continue
        here = "/".join([*done, part])
        if here in planned:
            link = planned[here]
        else:
            on_disk = root / here
            link = os.readlink(on_disk) if os.path.islink(on_disk) else None
        if link is None:
            done.append(part)
            continue
        hops += 1
        if hops > MAX_LINK_HOPS:
            return LOOP
        if os.path.isabs(link):
            real = os.path.normpath(link)
            if not (real + os.sep).startswith(str(root).rstrip(os.sep) + os.sep):
                return None
            done = []  # restart at the root, then follow the rest of the absolute target
            link = os.path.relpath(real, root)
        pending = [p for p in link.split("/") if p not in ("", ".")] + pending
    return "/".join(done)


def _read_link(repo: RepoInfo, oid: str) -> str | None:
    proc = git.run(["cat-file", "blob", oid], cwd=repo.git_dir, check=False)
    if proc.returncode != 0:
        return None  # a missing blob: nothing to check, and nothing will be written for it
    return os.fsdecode(proc.stdout)


def _symlink_problem(
    root: Path, path: str, link: str | None, planned: dict[str, str | None]
) -> str | None:
    if link is None:
        return None
    if os.path.isabs(link):
        return f"is a symlink to the absolute path {link}"
    resolved = resolve_links(root, path, planned)
    if resolved is None:
        return f"is a symlink leading outside the target ({link}, once every link is followed)"
    if resolved == LOOP:
        return f"is a symlink in a loop ({link})"
    return None


def check_paths(repo: RepoInfo, entries: list[tuple[str, str, str]], root: Path) -> None:
    """Refuse the whole checkpoint if any path could write outside `root`, or would leave a
    symlink leading outside it once every link (written or already there) is followed."""
    problems = []
    links = {path for mode, _, path in entries if mode == "120000"}
    planned: dict[str, str | None] = {path: None for _, _, path in entries}
    for mode, oid, path in entries:
        if mode == "120000":
            planned[path] = _read_link(repo, oid)
    for mode, _oid, path in entries:
        problem = _lexical_problem(path)
        if problem is None:
            below = [link for link in links if path.startswith(link + "/")]
            problem = f"goes through the symlink {below[0]}" if below else None
        if problem is None and mode == "120000":
            problem = _symlink_problem(root, path, planned[path], planned)
        if problem is None and root.exists():
            problem = _disk_problem(root, path)
        if problem is not None:
            problems.append(f"{path!r} {problem}")
    if problems:
        shown = "; ".join(problems[:5]) + (
            f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        raise GitMemError(f"refusing to resume: {shown}; nothing was written")
