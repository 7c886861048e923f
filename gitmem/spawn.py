"""A git process started with `os.posix_spawnp`, for the read path's git calls.

`subprocess` loads `locale`, `signal`, `threading` and `selectors` (~2.3 ms, 3-4% of a
`git mem list` at 10k records); `show`, `list` and `search` need nothing of it but starting
git and reading what it prints, so their git processes (`rev-parse`, `diff-files`,
`ls-files`) are `Spawned`. Everything else runs git through `subprocess` (`git.run`).

Tier 0, with `gitmem.early` (which starts a one-shot read's `diff-files` with it before
`pathlib` loads): the standard library's `os` only, at run time.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not `typing`'s: loaded by every command, before `pathlib`
if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

_SIGKILL = 9  # POSIX; `signal` is one of the modules this one exists not to load


class Spawned:
    """`git ARGS` with its output on a pipe (and its errors, if `errors`; else discarded), as
    if started in `cwd` (`git -C`: posix_spawn has no working directory of its own). The part
    of `subprocess.Popen` the read path uses: `communicate`, `returncode`, `kill`, `wait`."""

    def __init__(
        self,
        args: list[str],
        *,
        cwd: Path | str | None = None,
        env: Mapping[str, str] | None = None,
        errors: bool = False,
    ) -> None:
        self._out = self._err = -1
        argv = ["git", *(["-C", str(cwd)] if cwd is not None else []), *args]
        out_read, out_write = os.pipe()  # both close-on-exec; dup2 onto 1 clears it there
        err_read, err_write = os.pipe() if errors else (-1, -1)
        actions: list[tuple[int, ...] | tuple[int, int, str, int, int]] = [
            (os.POSIX_SPAWN_DUP2, out_write, 1)
        ]
        if errors:
            actions.append((os.POSIX_SPAWN_DUP2, err_write, 2))
        else:
            actions.append((os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0))
        try:
            self.pid = os.posix_spawnp(
                "git", argv, os.environ if env is None else env, file_actions=actions
            )
        except BaseException:
            for fd in (out_read, err_read):
                if fd >= 0:
                    os.close(fd)
            raise
        finally:
            for fd in (out_write, err_write):
                if fd >= 0:
                    os.close(fd)
        self._out, self._err = out_read, err_read
        self._parent = os.getpid()  # a forked child (the bulk index writers) must not reap it
        self.returncode: int | None = None
        self._answer: tuple[bytes, bytes] | None = None

    def communicate(self) -> tuple[bytes, bytes]:
        """Everything git printed (output, errors), once it has exited."""
        if self._answer is None:
            # One pipe read to its end, then the other: `errors` is used only for git's short
            # answers (rev-parse), which fit in a pipe's buffer.
            out, err = _read_all(self._out), _read_all(self._err) if self._err >= 0 else b""
            self._out = self._err = -1
            self.wait()
            self._answer = (out, err)
        return self._answer

    def wait(self) -> int:
        if self.returncode is None:
            try:
                _pid, status = os.waitpid(self.pid, 0)
            except ChildProcessError:  # reaped by someone else (SIGCHLD ignored): as subprocess
                self.returncode = 0
            else:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            try:  # noqa: SIM105 - not contextlib.suppress: this module loads before contextlib
                os.kill(self.pid, _SIGKILL)
            except ProcessLookupError:
                pass

    def drop(self) -> None:
        """Stop git and reap it: an answer started early that no command will take."""
        self.kill()
        self.communicate()

    def __del__(self) -> None:
        # Dropped unasked (a command failed between starting git and reading it): stop git and
        # reap it, or a long-lived process (the index service, a test run) collects zombies.
        for fd in (self._out, self._err):
            if fd >= 0:
                os.close(fd)
        self._out = self._err = -1
        if getattr(self, "returncode", 0) is None and self._parent == os.getpid():
            try:
                self.kill()
                self.wait()
            except OSError:
                pass


def _read_all(fd: int) -> bytes:
    chunks = []
    try:
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)
