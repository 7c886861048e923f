"""Safe file I/O: atomic writes (temp file + rename), exclusive creation, per-path locks."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from gitmem.errors import RecordError

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import BinaryIO


try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, CAS checks still apply
    fcntl = None  # type: ignore[assignment]


def _temp_path(path: Path) -> Path:
    # Hidden, in the same directory (same filesystem, so the rename is atomic); scans skip it.
    return path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")


def _write_temp(path: Path, data: bytes, durable: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_path(path)
    with open(temp, "xb") as handle:
        handle.write(data)
        if durable:  # on disk before the rename makes it visible: a crash leaves old or new
            handle.flush()
            os.fsync(handle.fileno())
    return temp


def atomic_write(path: Path, data: bytes, durable: bool = True) -> None:
    """Replace `path` with `data`: readers see the old bytes or the new, never a mix.

    `durable=False` skips the fsync, for caches that can be rebuilt.
    """
    temp = _write_temp(path, data, durable)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def create_first(paths: Iterable[Path], data: bytes) -> Path | None:
    """Atomically create the first of `paths` (all in one directory) that does not exist.

    The data is written and synced once; each name tried costs one link(2), so a name taken
    by hundreds of records before it stays cheap. None (nothing written) if all exist.
    """
    temp: Path | None = None
    try:
        for path in paths:
            if temp is None:
                temp = _write_temp(path, data)
            try:
                os.link(temp, path)  # fails if `path` exists: no check-then-write race
            except FileExistsError:
                continue
            return path
        return None
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)


def create_new(path: Path, data: bytes) -> bool:
    """Atomically create `path` with `data`; False (and nothing written) if it exists."""
    return create_first([path], data) is not None


def escapes(path: Path | str, root: Path | str) -> str | None:
    """Where `path` leads after resolving every symlink on the way, if that is outside `root`
    (the work tree, itself resolved); None when it stays inside.

    A `.memory/` entry, or `.memory/` itself, may be a symlink a pull request added: reads
    skip what leads out of the work tree and writes refuse it.
    """
    target = os.path.realpath(path)
    base = os.path.realpath(root)
    if target == base or target.startswith(base.rstrip(os.sep) + os.sep):
        return None
    return target


def read_text(path: Path, source: str) -> str:
    """A record file as text; non-UTF-8 bytes are an error that says where they are."""
    return decode_text(path.read_bytes(), source)


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 `data` as text, or an error naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        raise RecordError(
            source, f"not valid UTF-8 (byte 0x{byte:02x}); re-save the file as UTF-8", line=line
        ) from None


@contextlib.contextmanager
def locked(lock_dir: Path, name: str) -> Iterator[None]:
    """Hold an advisory lock named after `name` (a record's path) while rewriting it.

    flock locks die with their process, so a crash never leaves a stale lock behind.
    """
    lock_dir.mkdir(parents=True, exist_ok=True)
    import hashlib

    lock_path = lock_dir / (hashlib.sha1(name.encode()).hexdigest()[:16] + ".lock")
    with open(lock_path, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class TryLock:
    """A lock `try_lock` may or may not have got; `wait()` blocks until it has it."""

    def __init__(self, handle: BinaryIO | None) -> None:
        self._handle = handle
        self.held = handle is None  # no lock file (read-only, no fcntl): nothing to wait for
        if handle is not None and fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.held = True
            except BlockingIOError:
                pass
        elif fcntl is None:
            self.held = True

    def __bool__(self) -> bool:
        return self.held

    def wait(self) -> None:
        if not self.held and self._handle is not None and fcntl is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX)
        self.held = True


@contextlib.contextmanager
def try_lock(path: Path) -> Iterator[TryLock]:
    """Try to take the advisory lock at `path` without waiting (see `TryLock`)."""
    handle: BinaryIO | None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+b")  # noqa: SIM115 - closed below, after the unlock
    except OSError:
        handle = None
    try:
        yield TryLock(handle)
    finally:
        if handle is not None:
            handle.close()  # closing releases a flock
