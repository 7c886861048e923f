"""`git mem service start | stop | status`: the repository's warm index service."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from gitmem.errors import GitMemError, UsageError
from gitmem.output import emit, safe
from gitmem.service import control, paths
from gitmem.store import git

START_WAIT = 30.0  # seconds for a new service to answer (it warms the index first)


def run(args: argparse.Namespace) -> int:
    repo = git.discover()
    if repo.work_tree is None:
        raise GitMemError("the service answers for a work tree; this is a bare repository")
    where = paths.Where(
        os.path.realpath(repo.git_dir), os.path.realpath(repo.common_dir), str(repo.work_tree)
    )
    if args.action == "start":
        return _start(args, where)
    if args.action == "stop":
        try:
            stopped = control.stop(where.common_dir)
        except TimeoutError as error:
            raise GitMemError(str(error)) from None
        text = "stopped the service" if stopped else "no service was running"
        emit(args.json, {"stopped": stopped}, text)
        return 0
    described = control.ask(where.common_dir, "status")
    if described is None or described.get("status") != "ok":
        held = control.running(where.common_dir)
        pid = (control.info(where.common_dir) or {}).get("pid") if held else None
        document = {"running": held, "answering": False, "pid": pid, "repository": where.common_dir}
        text = (
            f"not answering: pid {pid} holds the lock (another version, or busy)"
            if held
            else f"not running (repository {safe(where.common_dir)})"
        )
        emit(args.json, document, text)
        return 1
    document = _public(described)
    emit(args.json, document, _lines(document))
    return 0


def _start(args: argparse.Namespace, where: paths.Where) -> int:
    try:
        mode = control.mode(where)
        control.idle_timeout(where.work_tree)
    except control.SettingError as error:
        raise UsageError(str(error)) from None
    if mode == "off":
        raise UsageError(
            'the service is turned off here (service = off): set [search] service = "auto" '
            "in .memory/config.toml, or git config gitmem.service auto"
        )
    already = control.running(where.common_dir)
    if not already:
        control.spawn(where)

    def ready() -> bool:
        reply = control.ask(where.common_dir, "status")
        return reply is not None and reply.get("status") == "ok"

    if not control.wait_until(ready, START_WAIT):
        log = Path(paths.state_dir(where.common_dir), control.LOG)
        raise GitMemError(f"the service did not start; see {log}")
    described = control.ask(where.common_dir, "status") or {}
    document = {"started": not already, **_public(described)}
    verb = "started" if not already else "already running:"
    emit(args.json, document, f"{verb} the service, pid {described.get('pid')}"
         if not already else f"{verb} pid {described.get('pid')}")  # fmt: skip
    return 0


def _public(reply: dict[str, Any]) -> dict[str, Any]:
    keys = ("pid", "socket", "repository", "version", "started", "uptime", "requests",
            "declined", "idle_timeout", "worktrees")  # fmt: skip
    return {"running": True, "answering": True, **{key: reply.get(key) for key in keys}}


def _lines(document: dict[str, Any]) -> list[str]:
    return [
        f"running: pid {document['pid']}, gitmem {safe(str(document['version']))}",
        f"repository: {safe(str(document['repository']))}",
        f"socket: {safe(str(document['socket']))}",
        f"uptime: {document['uptime']} s (idle timeout {document['idle_timeout']:.0f} s)",
        f"requests: {document['requests']} answered, {document['declined']} left to the process",
    ]
