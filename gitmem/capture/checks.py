"""The pre-commit check: memory files must be valid records and must not hold credentials.

Memory is pushed and cloned with the code, so a key pasted into a memory is a leaked key. The
record checks are the ones every reader applies (`record.parse_file`, which validates); the
secrets are those of `store.secrets` (the detector every write path uses), looked for in the
text by line and in the values YAML decodes (a key written with escapes). A line carrying
`gitmem: allow-secret` is not scanned for secrets (for documented false positives). Findings
never repeat the secret itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from gitmem.errors import GitMemError, RecordError
from gitmem.store import git, secrets

if TYPE_CHECKING:
    from gitmem.store.record import Memory

MEMORY_DIR = ".memory"
ALLOW_MARKER = secrets.ALLOW_MARKER
CONFIG_PATH = f"{MEMORY_DIR}/config.toml"


class Finding(NamedTuple):
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


def scan_secrets(text: str, path: str) -> list[Finding]:
    """The secrets in a file's text, by line (the detector every write path uses)."""
    return [Finding(path, hit.line, f"{hit.name} (…redacted…)") for hit in secrets.find(text)]


def scan_decoded(memory: Memory, text: str, path: str) -> list[Finding]:
    """Secrets the text scan cannot see: written with YAML escapes (`"AKIA\\x49..."`), folded
    or quoted over several lines. Named by field, since they have no line of their own."""
    seen = {text[h.start : h.end] for h in secrets.find(text)}
    findings = []
    for name, value in {**memory.fields(), "body": memory.body}.items():
        for where, decoded in secrets.field_values(value, name):
            for hit in secrets.find(decoded):
                if decoded[hit.start : hit.end] not in seen:
                    how = "written with YAML escapes or folding"
                    findings.append(Finding(path, None, f"{where}: {hit.name}, {how} (…redacted…)"))
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
        decoded: list[Finding] = []
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            findings.append(Finding(path, line, "not valid UTF-8; re-save the file as UTF-8"))
            text = data.decode("utf-8", "replace")
        else:
            if is_record_path(path):
                try:
                    memory = parse_file(text, path, types)
                except RecordError as error:
                    what = f"{error.field}: {error.message}" if error.field else error.message
                    findings.append(Finding(path, error.line, what))
                else:
                    decoded = scan_decoded(memory, text, path)
        findings += scan_secrets(text, path)
        findings += decoded
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
