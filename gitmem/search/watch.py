"""Which `.memory/` paths changed since the last look, from the kernel's file events (inotify).

A long-lived process (the MCP server, `git mem serve`, the index service: `records.warm`)
asks this instead of git (`worktree.probe` stats every tracked file) on each request.

No thread reads the events: they wait in the kernel's queue and `Watcher.changed` drains it,
non-blocking, when a request comes. Linux queues an inotify event inside the system call that
makes the change (write, close, rename, unlink, ...), before that call returns, so every change
completed before the request is in the queue when it is drained: never stale, without the
cookie round trip a reader thread would need (git fsmonitor's cookie files) and without a
thread that could die or fall behind. (watchdog was measured against this: its observer reads
each watch's events in a thread of its own, so a request would still have to wait for a
cookie's event to know it had everything; and it would be a dependency for ~150 lines.)

Watched: every folder under `.memory/` (new ones as they appear, with what was written in them
before their watch was added), and the work tree's top folder for `.memory` itself appearing,
going or being replaced. Anything the events cannot follow exactly makes `changed` answer None
("lost track": the caller re-reads with git's help and starts a new watcher): the queue
overflowed, `.memory` or the work tree was deleted, moved or replaced, a folder was moved
(its files' events name the old paths), a read failed. Where inotify is missing (not Linux) or
the watch limit is reached, `start` says why and the caller uses git's path throughout.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import struct
from pathlib import Path

# <sys/inotify.h>
IN_MODIFY = 0x2
IN_ATTRIB = 0x4
IN_CLOSE_WRITE = 0x8
IN_MOVED_FROM = 0x40
IN_MOVED_TO = 0x80
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_UNMOUNT = 0x2000
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x1000000
IN_DONT_FOLLOW = 0x2000000
IN_ISDIR = 0x40000000
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC

_CONTENT = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE
_FOLDER = _CONTENT | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF
_TOP = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF
_LOST = IN_Q_OVERFLOW | IN_UNMOUNT
_HEADER = struct.Struct("iIII")  # wd, mask, cookie, len
MEMORY = ".memory"


class Unavailable(Exception):
    """No watcher here: the reason, for the caller's debug log and status."""


def _libc() -> ctypes.CDLL:
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name, use_errno=True)
    for function in ("inotify_init1", "inotify_add_watch", "inotify_rm_watch"):
        if not hasattr(libc, function):
            raise Unavailable(f"no {function} in the C library (inotify is Linux's)")
    libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
    return libc


_LIBC: ctypes.CDLL | None = None


class Watcher:
    """The inotify watches on one work tree's `.memory/`; `changed` drains their events."""

    def __init__(self, work_tree: Path) -> None:
        """Watch `work_tree / ".memory"` (all of it) and `work_tree` (for `.memory` itself).
        Raises Unavailable, saying why, when that cannot be done."""
        global _LIBC
        if _LIBC is None:
            try:
                _LIBC = _libc()
            except OSError as error:
                raise Unavailable(f"cannot load the C library: {error}") from None
        self._libc = _LIBC
        self.work_tree = work_tree
        self.memory_dir = work_tree / MEMORY
        self._folders: dict[int, str] = {}  # watch descriptor -> folder relative to .memory
        self._top = -1
        self._root = -1
        self._fd = self._libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if self._fd < 0:
            raise Unavailable(f"inotify_init1: {os.strerror(ctypes.get_errno())}")
        try:
            self._top = self._add(work_tree, _TOP | IN_ONLYDIR)
            if self.memory_dir.is_symlink():
                raise Unavailable(".memory is a symlink: its target is not watched")
            if self.memory_dir.is_dir():
                self._root = self._watch_tree("", set())
        except BaseException:
            self.close()
            raise

    def _add(self, path: Path, mask: int) -> int:
        wd = int(self._libc.inotify_add_watch(self._fd, os.fsencode(path), mask | IN_DONT_FOLLOW))
        if wd < 0:
            code = ctypes.get_errno()
            if code == errno.ENOSPC:
                raise Unavailable(
                    "the inotify watch limit is reached (fs.inotify.max_user_watches)"
                )
            raise Unavailable(f"cannot watch {path}: {os.strerror(code)}")
        return wd

    def _watch_tree(self, relfolder: str, found: set[str]) -> int:
        """Watch `relfolder` (relative to `.memory`, "" for itself) and every folder under it;
        put in `found` every path there now: they may have been written before their watch."""
        first = -1
        stack = [relfolder]
        while stack:
            folder = stack.pop()
            try:
                wd = self._add(self.memory_dir / folder, _FOLDER | IN_ONLYDIR)
            except Unavailable:
                if folder == relfolder:
                    raise
                continue  # gone again already: its deletion was an event too
            if first < 0:
                first = wd
            self._folders[wd] = folder
            prefix = folder + "/" if folder else ""
            try:
                entries = list(os.scandir(self.memory_dir / folder))
            except OSError:
                continue
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(prefix + entry.name)
                else:
                    found.add(prefix + entry.name)
        return first

    def changed(self) -> set[str] | None:
        """The paths (relative to `.memory/`) that may have changed since the last call; None
        when the events cannot say (the caller must look everywhere and start a new watcher)."""
        if self._fd < 0:
            return None
        out: set[str] = set()
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                return out
            except OSError:
                return None
            if not data:
                return None
            if not self._read(data, out):
                return None

    def _read(self, data: bytes, out: set[str]) -> bool:
        offset = 0
        while offset < len(data):
            wd, mask, _cookie, size = _HEADER.unpack_from(data, offset)
            start = offset + _HEADER.size
            name = os.fsdecode(data[start : start + size].rstrip(b"\0"))
            offset = start + size
            if mask & _LOST:
                return False
            if wd == self._top:
                if name == MEMORY or mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED):
                    return False  # .memory (or the work tree) appeared, went or was replaced
                continue
            folder = self._folders.get(wd)
            if folder is None:
                continue  # a folder removed earlier: its last events
            if mask & IN_IGNORED:
                del self._folders[wd]
                if wd == self._root:
                    return False
                continue
            if mask & (IN_DELETE_SELF | IN_MOVE_SELF):
                if wd == self._root or mask & IN_MOVE_SELF:
                    return False
                continue
            path = f"{folder}/{name}" if folder else name
            if mask & IN_ISDIR:
                if mask & IN_MOVED_FROM:
                    return False  # its files' paths changed without events of their own
                if mask & (IN_CREATE | IN_MOVED_TO):
                    try:
                        self._watch_tree(path, out)
                    except Unavailable:
                        return False
                continue
            out.add(path)
        return True

    def close(self) -> None:
        """Stop watching; idempotent."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self._folders.clear()
