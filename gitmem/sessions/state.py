"""A running session's local state, under `<git-common-dir>/gitmem/sessions/` (see sessions.py).

`<id>.json` is the header, `<id>.jsonl` the messages logged so far (one appended line each),
`active/<worktree>` the id of the session active in that worktree (store/active_session.py
reads it). Nothing here touches git.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gitmem.sessions.transcripts import Message
from gitmem.store import git
from gitmem.store.active_session import folder, pointer, read_id
from gitmem.store.files import create_new
from gitmem.store.record import ID_RE


def worktree_gone(repo: git.RepoInfo, key: str) -> bool:
    """Was the worktree `key` names removed (`git worktree remove`, or its folder deleted and
    pruned)? Its active session is then nobody's, and may be resumed elsewhere."""
    return key != "main" and not (repo.common_dir / "worktrees" / key.removeprefix("wt-")).is_dir()


def claim(repo: git.RepoInfo, sid: str) -> str | None:
    """Make `sid` this worktree's active session unless another one is: None on success,
    else the id of the one that is. A pointer to a session whose state is gone is replaced."""
    path = pointer(repo)
    for _ in range(3):
        if create_new(path, (sid + "\n").encode()):
            return None
        other = read_id(path)
        if other is not None and (folder(repo) / f"{other}.json").exists():
            return other
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # stale: its session ended elsewhere or was removed by hand
    return read_id(path) or "?"


def header(repo: git.RepoInfo, sid: str) -> dict[str, Any] | None:
    try:
        data = json.loads((folder(repo) / f"{sid}.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def pointers(repo: git.RepoInfo) -> dict[str, str]:
    """{session id: worktree key} of every active pointer."""
    where = folder(repo) / "active"
    found: dict[str, str] = {}
    if where.is_dir():
        for path in sorted(where.iterdir()):
            sid = read_id(path)
            if sid is not None:
                found[sid] = path.name
    return found


def local_ids(repo: git.RepoInfo) -> list[str]:
    where = folder(repo)
    if not where.is_dir():
        return []
    return sorted(p.stem for p in where.glob("*.json") if ID_RE.fullmatch(p.stem))


def read_messages(path: Path) -> list[Message]:
    """The logged messages; a torn last line (a crash mid-append) is skipped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    messages = []
    for line in data.splitlines():
        try:
            message = Message.from_json(json.loads(line))
        except ValueError:
            continue
        if message is not None:
            messages.append(message)
    return messages


def count_lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


@contextlib.contextmanager
def locked(path: Path) -> Iterator[int]:
    """The messages file, open for append under an exclusive flock (log vs end)."""
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def forget(repo: git.RepoInfo, sid: str) -> None:
    """Remove a session's local state: its pointers first, so `log` stops finding it."""
    for owner, key in pointers(repo).items():
        if owner == sid:
            with contextlib.suppress(FileNotFoundError):
                pointer(repo, key).unlink()
    for suffix in (".jsonl", ".json"):
        with contextlib.suppress(FileNotFoundError):
            (folder(repo) / f"{sid}{suffix}").unlink()
