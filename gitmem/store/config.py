"""`.memory/config.toml`: the settings a team shares (custom types, defaults)."""

from __future__ import annotations

import contextlib
import marshal
from pathlib import Path

from gitmem import NamedTuple
from gitmem.errors import UsageError
from gitmem.store.files import escapes
from gitmem.store.types import (
    TYPE_FOLDERS,
    TYPE_NAME_RE,
    TYPE_NAMES,
    MemoryType,
    folder_for,
    registry,
)

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


CONFIG_NAME = "config.toml"

TEMPLATE = f"""\
# gitmem settings shared by everyone working on this repository.
# This file is committed; personal settings belong in git config.

# Custom memory types, beyond {", ".join(TYPE_NAMES)}.
# Each maps a type name to the folder under .memory/ that holds its files.
[types]
# runbook = "runbooks"
# incident = "incidents"

# Values `git mem save` fills in when the command line does not say.
[defaults]
# project = "backend-platform"
# tags = ["backend"]

# What the post-commit hook and `git mem capture` take from commit messages. Trailers
# (Decision:, Fact:, Learned:, Error:, Memory-Type:, Memory-Tags:, No-Memory: true) always
# count; the patterns (regexes, case-insensitive, run by RE2 in linear time: one it cannot
# run is left out with a warning) apply when there are none. A list given here replaces the
# default list; `git mem capture --explain REV` says which rule fired.
[capture]
# enabled = true
# merges = false            # capture merge commits too
# min_length = 12           # shorter messages are captured only through trailers
# max_paths = 20            # changed files recorded in paths:
# bots = ["[bot]", "dependabot", "renovate", "github-actions"]   # author name/email contains
# decision_patterns = ['\\bdecided?\\s+(?:to|against|on|that)\\b', '^BREAKING[ -]CHANGE:']
# fix_patterns = ['\\A\\s*fix(?:\\([^)\\n]*\\))?!?:\\s+\\S', '\\broot[ -]cause\\b']
# fact_patterns = ['\\AKNOWN_BUGS:']
# ignore = ['\\Arelease:']             # subjects never captured by patterns
# ignore_fixes = ['\\btypos?\\b']      # messages never captured as bug fixes
"""


class Config(NamedTuple):
    types: dict[str, str]  # custom type -> folder
    default_project: str | None
    default_tags: list[str]
    # The [capture] table as written (None: there is none): the capture package reads and
    # checks it, so the store does not need to know what capture rules are.
    capture: object = None
    # `[search] semantic`: auto (re-rank with the semantic extra when it is installed, in the
    # MCP server and `git mem serve` only: `records.store.Store.resident`), on, off
    semantic: str = "auto"

    @property
    def type_names(self) -> list[str]:
        return [*TYPE_FOLDERS, *self.types]

    @property
    def memory_types(self) -> tuple[MemoryType, ...]:
        return registry(self.types)

    def folder(self, type_name: str) -> str:
        return self.types.get(type_name) or folder_for(type_name)


SEMANTIC_MODES = ("auto", "on", "off")  # (`semantic.MODES`: the store cannot import it)
EMPTY = Config({}, None, [])


def load(memory_dir: Path | None, cache: Path | None = None) -> Config:
    """The config in `memory_dir`, or the defaults when there is none (e.g. a bare repo).

    `cache`: a file (derived state) keeping the last text parsed and what it parsed to, so a
    read command whose config did not change loads no TOML parser (`tomllib`, ~1.5 ms)."""
    if memory_dir is None:
        return EMPTY
    path = memory_dir / CONFIG_NAME
    if escapes(path, memory_dir.parent) is not None:
        return EMPTY  # a symlink out of the work tree is never read (the scan warns about it)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return EMPTY
    except UnicodeDecodeError as error:
        raise UsageError(f".memory/{CONFIG_NAME}: {error}") from None
    return parse(text, cache)


_CACHE_VERSION = 1


def parse(text: str, cache: Path | None = None) -> Config:
    """A config from its text (the pre-commit check reads the staged one, not the file)."""
    data = _cached(cache, text) if cache is not None else None
    if data is None:
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise UsageError(f".memory/{CONFIG_NAME}: {error}") from None
        if cache is not None:
            _keep(cache, text, data)
    return _from_toml(data)


def _cached(cache: Path, text: str) -> dict[str, Any] | None:
    """What `text` parsed to last time, if `cache` holds exactly this text (parsing is a
    function of the text alone)."""
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        version, kept_text, data = marshal.loads(cache.read_bytes())
        if version == _CACHE_VERSION and kept_text == text and isinstance(data, dict):
            return data
    return None


def _keep(cache: Path, text: str, data: dict[str, Any]) -> None:
    from gitmem.store.files import atomic_write

    # marshal keeps str, int, float, bool, list and dict as they are, and refuses the dates
    # TOML also has (such a config is parsed every time).
    with contextlib.suppress(OSError, ValueError):
        dumped = marshal.dumps((_CACHE_VERSION, text, data))
        cache.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(cache, dumped, durable=False)


def _from_toml(data: dict[str, Any]) -> Config:
    where = f".memory/{CONFIG_NAME}"
    types = data.get("types", {})
    if not isinstance(types, dict):
        raise UsageError(f'{where}: [types] must be a table of type = "folder"')
    for name, folder in types.items():
        if not TYPE_NAME_RE.fullmatch(name) or name in TYPE_FOLDERS:
            raise UsageError(f"{where}: [types] {name!r}: expected a new lowercase type name")
        if not isinstance(folder, str) or not TYPE_NAME_RE.fullmatch(folder):
            raise UsageError(
                f"{where}: [types] {name} = {folder!r}: expected a folder name of lowercase "
                "letters, digits, '-' or '_'"
            )
    defaults = data.get("defaults", {})
    project = defaults.get("project") if isinstance(defaults, dict) else None
    tags = defaults.get("tags", []) if isinstance(defaults, dict) else []
    if project is not None and not isinstance(project, str):
        raise UsageError(f"{where}: [defaults] project: expected a string")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise UsageError(f"{where}: [defaults] tags: expected a list of strings")
    search = data.get("search", {})
    semantic = search.get("semantic", "auto") if isinstance(search, dict) else "auto"
    if semantic not in SEMANTIC_MODES:
        raise UsageError(
            f"{where}: [search] semantic = {semantic!r}: expected one of "
            + ", ".join(f'"{mode}"' for mode in SEMANTIC_MODES)
        )
    return Config(dict(types), project, list(tags), data.get("capture"), semantic)
