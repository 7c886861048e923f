"""Turning command-line input into record values: tags, paths, metadata, editor templates."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

from gitmem.errors import GitMemError, UsageError
from gitmem.store import git
from gitmem.store.record import STATUSES, TAG_RE, normalize_tag
from gitmem.store.validation import path_problem

SLUG_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_META_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_COMMENT_RE = re.compile(r"<!--.*?-->\n?", re.DOTALL)

TITLE_LIMIT = 120


def one_line_title(text: str) -> str:
    """A title as records keep it: one line, whitespace collapsed, cut to TITLE_LIMIT."""
    title = " ".join(text.split())
    if len(title) > TITLE_LIMIT:
        title = title[: TITLE_LIMIT - 3].rstrip() + "..."
    return title


def split_list(values: list[str]) -> list[str]:
    """`--tag a --tag b,c` -> [a, b, c], in order, without duplicates."""
    out: list[str] = []
    for value in values:
        for item in value.split(","):
            if item.strip() and item.strip() not in out:
                out.append(item.strip())
    return out


def tags(values: list[str]) -> list[str]:
    out = []
    for raw in split_list(values):
        tag = normalize_tag(raw)
        if not TAG_RE.fullmatch(tag):
            raise UsageError(f"bad tag {raw!r}: use lowercase letters, digits and hyphens")
        if tag not in out:
            out.append(tag)
    return out


def status(value: str | None) -> str:
    if value is None:
        return "active"
    if value not in STATUSES:
        raise UsageError(f"unknown status {value!r}: expected one of {', '.join(STATUSES)}")
    return value


def scalar(value: str) -> Any:
    """A --meta value: integers and floats as numbers, true/false as booleans, else text."""
    for convert in (int, float):
        try:
            return convert(value)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(value, value)


def metadata(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not _META_KEY_RE.fullmatch(key.strip()):
            raise UsageError(f"bad --meta {item!r}: expected KEY=VALUE, e.g. --meta sprint=42")
        out[key.strip()] = scalar(value.strip())
    return out


def repo_paths(repo: git.RepoInfo, values: list[str], cwd: Path | None = None) -> list[str]:
    """Paths as given on the command line (relative to the cwd, like git) -> repo-relative.

    Globs and a trailing `/` (a directory) are kept; nothing is required to exist.
    """
    out: list[str] = []
    for value in split_list(values):
        relative = value
        if repo.work_tree is not None:
            absolute = Path(os.path.normpath((cwd or Path.cwd()) / value))
            root = Path(os.path.normpath(repo.work_tree))
            if not absolute.is_relative_to(root):
                raise UsageError(f"path {value!r} is outside the repository ({root})")
            relative = absolute.relative_to(root).as_posix()
            if relative == ".":
                raise UsageError(f"path {value!r} is the whole repository; leave --path out")
            relative += "/" if value.endswith("/") else ""
        problem = path_problem(relative)
        if problem:
            raise UsageError(f"path {value!r}: {problem}")
        out.append(relative)
    return out


def strip_template_comments(text: str) -> str:
    return _COMMENT_RE.sub("", text)


def run_editor(repo: git.RepoInfo, path: Path) -> None:
    """Open `path` in the editor git would use, the way git does (through the shell)."""
    command = git.editor(repo)
    proc = subprocess.run(["sh", "-c", f'{command} "$@"', command, str(path)])
    if proc.returncode != 0:
        raise GitMemError(
            f"the editor ({shlex.quote(command)}) exited with {proc.returncode}; "
            f"your text is in {path}"
        )
