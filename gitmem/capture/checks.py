"""The pre-commit check: memory files must be valid records and must not hold credentials.

Memory is pushed and cloned with the code, so a key pasted into a memory is a leaked key. The
record checks are the ones every reader applies (`record.parse_file`, which validates); the
secret patterns look for shapes that are credentials with near certainty, plus generic
`password = <long value>` assignments. A line carrying `gitmem: allow-secret` is not scanned
for secrets (for documented false positives). Findings never repeat the secret itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from gitmem.errors import GitMemError, RecordError
from gitmem.store import git

MEMORY_DIR = ".memory"
ALLOW_MARKER = "gitmem: allow-secret"
CONFIG_PATH = f"{MEMORY_DIR}/config.toml"


class Finding(NamedTuple):
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


# (kind, pattern): each match is a finding; the kind is all the output says about it.
SECRET_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b")),
    ("GitHub fine-grained token", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{22,}")),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("Anthropic API key", re.compile(r"\bsk-ant-[A-Za-z0-9_-]{20,}")),
    ("OpenAI API key", re.compile(r"\bsk-(?!ant-)(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("private key", re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")),
    ("password in a URL", re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@]+:[^\s/@]{3,}@")),
]
# `password = ...`, `API_KEY: "..."`, `client_secret=...`: the value is judged separately.
_ASSIGNMENT = re.compile(
    r"(?i)\b[a-z0-9_.-]*(passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|"
    r"private[_-]?key|credentials?)[a-z0-9_.-]*[\"']?\s*[:=]\s*[\"'`]?([^\s\"'`,;]+)"
)
_PLACEHOLDER = re.compile(
    r"(?i)^[<{$%(\[]|x{4,}|\*{3,}|\.{3}|example|changeme|placeholder|redacted|dummy|your[_-]"
)


def _looks_secret(value: str) -> bool:
    """A long value mixing kinds of characters: not a word, a number, a path or a placeholder."""
    if len(value) < 12 or _PLACEHOLDER.search(value) or "/" in value:
        return False
    kinds = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    return kinds >= 2 and len(set(value)) >= 6


def scan_secrets(text: str, path: str) -> list[Finding]:
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        if ALLOW_MARKER in line:
            continue
        kinds = [kind for kind, pattern in SECRET_PATTERNS if pattern.search(line)]
        if not kinds:
            for match in _ASSIGNMENT.finditer(line):
                if _looks_secret(match.group(2)):
                    kinds.append(f"{match.group(1).lower()} assignment")
                    break
        findings += [Finding(path, number, f"{kind} (…redacted…)") for kind in kinds]
    return findings


def is_record_path(path: str) -> bool:
    """A `.memory/**/*.md` file the store reads as a record (not README.md, not hidden)."""
    parts = path.split("/")
    if len(parts) < 2 or parts[0] != MEMORY_DIR or not path.endswith(".md"):
        return False
    if any(part.startswith(".") for part in parts[1:]):
        return False
    return parts[1:] != ["README.md"]


def check_files(files: Iterable[tuple[str, bytes]], config_text: str | None) -> list[Finding]:
    """Check memory files given as (repository-relative path, content).

    `config_text` is the `.memory/config.toml` the records are read with (custom types).
    """
    # Only now: a commit that touches no memory file never pays for importing yaml (~40 ms).
    from gitmem.capture.rules import check_config
    from gitmem.store import config
    from gitmem.store.front_matter import parse_file
    from gitmem.store.types import TYPE_NAMES

    findings: list[Finding] = []
    types: Iterable[str] = TYPE_NAMES
    if config_text is not None:
        try:
            settings = config.parse(config_text)
            check_config(settings)
            types = settings.type_names
        except GitMemError as error:
            findings.append(Finding(CONFIG_PATH, None, str(error).removeprefix(CONFIG_PATH + ": ")))
    for path, data in files:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            findings.append(Finding(path, line, "not valid UTF-8; re-save the file as UTF-8"))
            text = data.decode("utf-8", "replace")
        else:
            if is_record_path(path):
                try:
                    parse_file(text, path, types)
                except RecordError as error:
                    what = f"{error.field}: {error.message}" if error.field else error.message
                    findings.append(Finding(path, error.line, what))
        findings += scan_secrets(text, path)
    return findings


def staged_files(repo: git.RepoInfo) -> tuple[list[tuple[str, bytes]], str | None]:
    """The `.memory/` files the commit being made adds or changes, as staged (not as on disk),
    and the staged config.toml (None if there is none)."""
    top = repo.work_tree or repo.git_dir
    out = git.run(
        ["diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--", MEMORY_DIR],
        cwd=top,
    ).stdout
    paths = [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]
    if not paths:
        return [], None
    blobs = _index_blobs(repo, [*paths, CONFIG_PATH])
    files = [(p, blobs[p]) for p in paths if p in blobs]
    config_data = blobs.get(CONFIG_PATH)
    config_text = config_data.decode("utf-8", "replace") if config_data is not None else None
    return files, config_text


def _index_blobs(repo: git.RepoInfo, paths: list[str]) -> dict[str, bytes]:
    """The staged content of `paths` (missing ones left out), read by one `git cat-file`."""
    top = repo.work_tree or repo.git_dir
    blobs = git.read_blobs(top, [f":{path}" for path in paths])
    return {name[1:]: data for name, data in blobs.items()}


def files_on_disk(repo: git.RepoInfo, names: list[str]) -> list[tuple[str, bytes]]:
    """Files named on the command line (the pre-commit framework passes paths relative to the
    top of the work tree, with the unstaged changes stashed away)."""
    top = repo.work_tree or Path.cwd()
    files = []
    for name in names:
        path = Path(name)
        absolute = path if path.is_absolute() else Path.cwd() / path
        try:
            relative = absolute.resolve().relative_to(top.resolve()).as_posix()
        except ValueError:
            relative = name
        files.append((relative, absolute.read_bytes()))
    return files


def config_on_disk(repo: git.RepoInfo) -> str | None:
    if repo.work_tree is None:
        return None
    try:
        return (repo.work_tree / CONFIG_PATH).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
