"""The warm index service: one background process per repository that answers read commands
(`search`, `list`, `show`, `context`) over a Unix socket by running the CLI's own command code
in process against a `WarmRepo` store, one per work tree.

Started as `python -m gitmem.daemon GIT_DIR WORK_TREE` by `git mem service start` or by a
client (`[search] service = auto|on`); see `gitmem.service` for the client, the protocol and
the lock that keeps it to one per repository. It answers one request at a time (a command
changes the process's directory, environment and standard streams while it runs), exits after
an idle timeout, when the repository is moved or deleted, on SIGTERM or `stop`, and removes
its socket when it does. It never caches an answer: every request runs the command afresh.

Test-only fault knob: GITMEM_SERVICE_FAULT, read when the service starts:
`kill-before-answer`, `kill-mid-answer` (SIGKILL itself after the command ran, before or
while answering), `slow:SECONDS` (sleep before answering), `protocol` (claim another
protocol version).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import os
import signal
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gitmem import __version__, commands
from gitmem import main as cli
from gitmem.errors import GitMemError, log_unexpected
from gitmem.output import error as say_error
from gitmem.output import notice, progress_bar
from gitmem.records.warm import WarmRepo
from gitmem.service import control, paths, protocol
from gitmem.store import git

ANSWERED = {"search", "list", "show", "context"}
LOG_LIMIT = 1 << 20
TICK = 0.5  # seconds between checks for idleness, a moved repository, SIGTERM


class Decline(Exception):
    """The command is one the process answers itself (the client runs it in process)."""


class _Chunks(io.RawIOBase):
    """A standard stream for one request: what is written, in order, tagged with its stream;
    a terminal or not as the client's is."""

    def __init__(self, number: int, chunks: list[tuple[int, bytes]], tty: bool) -> None:
        self.number, self.chunks, self.tty = number, chunks, tty

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        data = bytes(data)
        if self.chunks and self.chunks[-1][0] == self.number:
            self.chunks[-1] = (self.number, self.chunks[-1][1] + data)
        else:
            self.chunks.append((self.number, data))
        return len(data)

    def isatty(self) -> bool:
        return self.tty


def _stream(number: int, chunks: list[tuple[int, bytes]], request: dict[str, Any]) -> Any:
    encoding, errors = request["encoding"][number - 1]
    raw = _Chunks(number, chunks, bool(request["tty"][number - 1]))
    return io.TextIOWrapper(raw, encoding=encoding, errors=errors, write_through=True)


class Service:
    def __init__(self, repo: git.RepoInfo, socket_path: str, idle: float) -> None:
        self.common_dir = os.path.realpath(repo.common_dir)
        self.identity = self._identity()
        self.socket_path = socket_path
        self.idle = idle
        self.shared = protocol.shared_env()
        self.warm: dict[str, WarmRepo] = {os.path.realpath(repo.git_dir): WarmRepo(repo)}
        self.started = time.time()
        self.last = time.monotonic()
        self.served = self.declined = 0
        self.stopping: str | None = None
        self.fault = os.environ.get("GITMEM_SERVICE_FAULT", "")
        self.modes: dict[str, tuple[Any, str]] = {}
        # Each command's parser, reused: parsing changes nothing in it, and a list an option
        # collects into is copied out of the answer (`dispatch`), so no request sees another's.
        self.parsers: dict[str, argparse.ArgumentParser] = {}

    def _identity(self) -> tuple[int, int] | None:
        try:
            info = os.stat(self.common_dir)
        except OSError:
            return None
        return info.st_dev, info.st_ino

    # ------------------------------------------------------------------ the loop

    def serve(self, listener: socket.socket, bound: int) -> str:
        """Answer requests until told to stop; why it stopped."""
        listener.settimeout(TICK)
        while self.stopping is None:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                self._check(bound)
                continue
            with conn:
                self.last = time.monotonic()
                try:
                    self.handle(conn)
                except (OSError, protocol.ProtocolError) as error:
                    print(f"request failed: {error}", flush=True)  # the client went away
                except Exception as error:  # a malformed request: the client answers itself
                    print(f"request failed: {type(error).__name__}: {error}", flush=True)
            self.last = time.monotonic()
            self._check(bound)
        return self.stopping

    def _check(self, bound: int) -> None:
        if self._identity() != self.identity:
            self.stopping = "the repository was moved or deleted"
        elif time.monotonic() - self.last > self.idle:
            self.stopping = f"idle for {self.idle:.0f} s"
        else:
            try:
                if os.lstat(self.socket_path).st_ino != bound:
                    self.stopping = "the socket was replaced"
            except OSError:
                self.stopping = "the socket was removed"
        for git_dir in [d for d in self.warm if not os.path.isdir(d)]:
            self.warm.pop(git_dir).close()  # a worktree that was removed

    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        request = protocol.receive_json(conn)
        kind = request.get("kind")
        if not protocol.compatible(request):
            self._reply(conn, status="version")
            self.stopping = f"a client of another version ({request.get('version')})"
        elif kind == "status":
            self._reply(conn, status="ok", **self.status())
        elif kind == "stop":
            self._reply(conn, status="stopping")
            self.stopping = "asked to stop"
        elif kind == "run":
            self.run(conn, request)
        else:
            self._reply(conn, status="declined", reason=f"unknown request {kind!r}")

    def _reply(self, conn: socket.socket, **fields: Any) -> None:
        message = protocol.header(**fields)
        if self.fault == "protocol":
            message["protocol"] = protocol.PROTOCOL + 1
        protocol.send_json(conn, message)

    def status(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "socket": self.socket_path,
            "repository": self.common_dir,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.started)),
            "uptime": round(time.time() - self.started, 1),
            "requests": self.served,
            "declined": self.declined,
            "idle_timeout": self.idle,
            "worktrees": sorted(self.warm),
        }

    # ------------------------------------------------------------------ a command

    def run(self, conn: socket.socket, request: dict[str, Any]) -> None:
        try:
            code, chunks = self.answer(request)
        except Decline as why:
            self.declined += 1
            self._reply(conn, status="declined", reason=str(why))
            return
        self.served += 1
        if self.fault.startswith("slow:"):
            time.sleep(float(self.fault[5:]))
        if self.fault == "kill-before-answer":
            os.kill(os.getpid(), signal.SIGKILL)
        self._reply(conn, status="answered", code=code, chunks=[n for n, _ in chunks])
        if self.fault == "kill-mid-answer":  # a header and half of the first chunk
            first = chunks[0][1] if chunks else b""
            conn.sendall(len(first).to_bytes(4, "big") + first[: len(first) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        for _, data in chunks:
            protocol.send(conn, data)
        protocol.send(conn, b"end")

    def answer(self, request: dict[str, Any]) -> tuple[int, list[tuple[int, bytes]]]:
        if request.get("common_dir") != self.common_dir or self._identity() != self.identity:
            if self._identity() != self.identity:
                self.stopping = "the repository was moved or deleted"
            raise Decline("another repository")
        if request.get("shared") != self.shared:
            raise Decline("another environment (HOME, PATH, GIT_*, ...)")
        warm = self._warm(request)
        if self._mode(warm) == "off":
            self.stopping = "the service is turned off (service = off)"
            raise Decline("the service is off")
        chunks: list[tuple[int, bytes]] = []
        with self._as_client(request, chunks):
            token = commands.WARM_STORE.set(
                lambda: warm.store(notify=notice, progress=progress_bar)
            )
            try:
                code = self.dispatch(list(request["argv"]))
            finally:
                commands.WARM_STORE.reset(token)
                sys.stdout.flush()
                sys.stderr.flush()
        return code, chunks

    def _warm(self, request: dict[str, Any]) -> WarmRepo:
        git_dir = request.get("git_dir")
        if not isinstance(git_dir, str):
            raise Decline("no git dir")
        if git_dir not in self.warm:
            try:
                repo = git.discover(Path(request["cwd"]))
            except GitMemError as error:
                raise Decline(str(error)) from None
            same = os.path.realpath(repo.git_dir) == git_dir
            if not same or os.path.realpath(repo.common_dir) != self.common_dir:
                raise Decline("git finds another repository from there")
            self.warm[git_dir] = WarmRepo(repo)
        return self.warm[git_dir]

    def _mode(self, warm: WarmRepo) -> str:
        """This work tree's `[search] service` (read again when config.toml changes)."""
        tree = str(warm.repo.work_tree) if warm.repo.work_tree else None
        if tree is None:
            return "auto"
        try:
            info = os.stat(Path(tree) / ".memory" / "config.toml")
            signature: Any = (info.st_mtime_ns, info.st_size, info.st_ino)
        except OSError:
            signature = None
        cached = self.modes.get(tree)
        if cached is None or cached[0] != signature:
            value = control._toml_search(tree).get("service", "auto")
            self.modes[tree] = (signature, value if value in control.MODES else "off")
        return self.modes[tree][1]

    @contextlib.contextmanager
    def _as_client(
        self, request: dict[str, Any], chunks: list[tuple[int, bytes]]
    ) -> Iterator[None]:
        """The client's directory, terminal and the environment its output depends on."""
        saved_env = {name: os.environ.get(name) for name in protocol.PER_REQUEST_ENV}
        saved_streams = sys.stdout, sys.stderr
        here = os.getcwd()
        try:
            os.chdir(request["cwd"])
        except OSError as error:
            raise Decline(f"cannot enter {request['cwd']}: {error}") from None
        try:
            for name, value in request["env"].items():
                if name in protocol.PER_REQUEST_ENV:
                    _setenv(name, value)
            sys.stdout, sys.stderr = _stream(1, chunks, request), _stream(2, chunks, request)
            yield
        finally:
            sys.stdout, sys.stderr = saved_streams
            for name, value in saved_env.items():
                _setenv(name, value)
            os.chdir(here)

    def dispatch(self, argv: list[str]) -> int:
        """`main.main`'s dispatch for the commands the service answers; Decline for the rest."""
        command = cli._command_in(argv)
        if command not in ANSWERED:
            raise Decline(f"not a read command: {argv[:1]}")
        parser = self.parsers.get(command)
        if parser is None:  # (built once a command: ~0.5 ms a request)
            parser = self.parsers[command] = cli.build_parser(command)
        if command == "search":
            argv = cli._query_after_options(parser, argv)
        try:
            args = parser.parse_args(argv)
        except SystemExit:
            raise Decline("a usage error or help") from None
        for name, value in vars(args).items():
            if isinstance(value, list | dict | set):  # (a default is the parser's own object)
                setattr(args, name, type(value)(value))
        if _in_process(args):
            raise Decline("options the process answers")
        module = importlib.import_module(f"gitmem.commands.{command}")
        try:
            code: int = module.run(args)
        except GitMemError as error:
            say_error(str(error))
            return error.exit_code
        except SystemExit:
            raise Decline("the command exited") from None
        except Exception as error:  # the process answers; the traceback is kept
            where = log_unexpected(error, Path(self.common_dir) / "gitmem" / "logs")
            raise Decline(f"unexpected {type(error).__name__} (details in {where})") from None
        return code


def _in_process(args: argparse.Namespace) -> bool:
    return bool(
        getattr(args, "personal", False)
        or getattr(args, "server", None) is not None
        or getattr(args, "repos", None)
        or getattr(args, "workspace", False)
        or getattr(args, "sessions", False)
        or getattr(args, "everything", False)
        or getattr(args, "write", None)
    )


def _setenv(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _write_info(state: Path, fields: dict[str, Any]) -> None:
    temporary = state / f"{control.INFO}.{os.getpid()}"
    temporary.write_text(json.dumps(fields, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, state / control.INFO)


def main(argv: list[str]) -> int:
    os.umask(0o077)  # the socket and the state are this user's alone
    git_dir, work_tree = argv
    with contextlib.suppress(OSError):  # the log holds starts and stops: keep it small
        if os.fstat(sys.stdout.fileno()).st_size > LOG_LIMIT:
            os.ftruncate(sys.stdout.fileno(), 0)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    try:
        repo = git.discover(Path(work_tree))
    except GitMemError as error:
        print(f"{stamp} not started: {error}", flush=True)
        return 1
    if os.path.realpath(repo.git_dir) != os.path.realpath(git_dir):
        print(f"{stamp} not started: {work_tree} is not the work tree of {git_dir}", flush=True)
        return 1
    common = os.path.realpath(repo.common_dir)
    lock = control.take_lock(common)
    if lock is None:
        print(f"{stamp} not started: a service runs already", flush=True)
        return 0
    try:
        idle = control.idle_timeout(str(repo.work_tree) if repo.work_tree else None)
    except control.SettingError as error:
        print(f"{stamp} {error}; using {control.DEFAULT_IDLE} s", flush=True)
        idle = control.DEFAULT_IDLE
    path = paths.socket_path(common)
    paths.private_dir(os.path.dirname(path))
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)  # a stale socket: we hold the lock, so no service owns it
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(16)
    bound = os.lstat(path).st_ino
    service = Service(repo, path, idle)
    state = Path(paths.state_dir(common))
    _write_info(state, {"pid": os.getpid(), "socket": path, "version": __version__})
    signal.signal(signal.SIGTERM, lambda *_: setattr(service, "stopping", "SIGTERM"))
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    print(f"{stamp} started: pid {os.getpid()}, {common}, socket {path}", flush=True)
    why = "?"
    try:
        with (
            contextlib.suppress(Exception),  # warm up: imports, the index, the reader
            open(os.devnull, "w") as quiet,
            contextlib.redirect_stderr(quiet),
        ):
            service.warm[os.path.realpath(repo.git_dir)].store().catalog()
        why = service.serve(listener, bound)
    finally:
        with contextlib.suppress(OSError):
            if os.lstat(path).st_ino == bound:
                os.unlink(path)
        with contextlib.suppress(OSError):
            (state / control.INFO).unlink()
        for warm in service.warm.values():
            warm.close()
        print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} stopped: {why}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
