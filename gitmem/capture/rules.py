"""`[capture]` of .memory/config.toml: the capture rules, their defaults, their checks.

Imported by the post-commit hook on every commit: re, functools and (only when the file
exists) tomllib; nothing else.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any, NamedTuple

from gitmem.errors import UsageError
from gitmem.store import git
from gitmem.store.types import TYPE_NAMES

if TYPE_CHECKING:
    from gitmem.store.config import Config

# Decision language. A verb counts at the start of a line or sentence, after a conventional
# prefix, "we" or "to" — so "Add switch to toggle dark mode" or "adopt-a-pet page" do not.
_LEAD = r"(?:^|[.;:!]\s+|\bwe\s+|\bto\s+)"
DEFAULT_DECISION_PATTERNS = (
    r"\bdecided?\s+(?:to|against|on|that)\b",
    r"\bch(?:o|oo)se\s+\S.{0,80}?\s+over\s+\S",
    _LEAD + r"switch(?:e[sd]|ing)?\s+(?:\S+\s+){0,6}?to\b",
    _LEAD + r"adopt(?:s|ed|ing)?\b",
    r"\bdeprecat(?:e|es|ing)\b",
    r"^BREAKING[ -]CHANGE:",
)
DEFAULT_FIX_PATTERNS = (
    r"\A\s*fix(?:\([^)\n]*\))?!?:\s+\S",
    r"\b(?:fix(?:es|ed)?|resolve[sd]?)\s+(?:[\w.-]+/[\w.-]+)?#\d+\b",
    r"\broot[ -]cause\b",
)
# A subject matching one of these is never captured by the patterns (trailers still count).
DEFAULT_IGNORE = (r"\b(?:typos?|spelling|whitespace|wording)\b",)
DEFAULT_BOTS = ("[bot]", "dependabot", "renovate", "github-actions")
DEFAULT_MIN_LENGTH = 12
DEFAULT_MAX_PATHS = 20


class Rules(NamedTuple):
    enabled: bool = True
    decision: tuple[re.Pattern[str], ...] = ()
    fix: tuple[re.Pattern[str], ...] = ()
    ignore: tuple[re.Pattern[str], ...] = ()
    bots: tuple[str, ...] = DEFAULT_BOTS
    min_length: int = DEFAULT_MIN_LENGTH
    merges: bool = False
    max_paths: int = DEFAULT_MAX_PATHS
    types: tuple[str, ...] = TYPE_NAMES


# ------------------------------------------------------------------------ configuration


def _patterns(
    table: dict[str, Any], key: str, default: tuple[str, ...]
) -> tuple[re.Pattern[str], ...]:
    where = f".memory/config.toml [capture] {key}"
    values = table.get(key, list(default))
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise UsageError(f"{where}: expected a list of regular expressions")
    compiled = []
    for value in values:
        try:
            compiled.append(re.compile(value, re.IGNORECASE | re.MULTILINE))
        except re.error as error:
            raise UsageError(f"{where}: {value!r}: {error}") from None
    return tuple(compiled)


def rules_from_table(table: Any, custom_types: Any = None) -> Rules:
    """`[capture]` of .memory/config.toml (validated) -> Rules."""
    where = ".memory/config.toml [capture]"
    if not isinstance(table, dict):
        raise UsageError(f"{where}: expected a table")
    known = {"enabled", "merges", "min_length", "max_paths", "bots"}
    known |= {"decision_patterns", "fix_patterns", "ignore"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise UsageError(
            f"{where}: unknown setting {unknown[0]!r}; expected one of {sorted(known)}"
        )
    for key in ("enabled", "merges"):
        if not isinstance(table.get(key, False), bool):
            raise UsageError(f"{where} {key}: expected true or false")
    for key, default in (("min_length", DEFAULT_MIN_LENGTH), ("max_paths", DEFAULT_MAX_PATHS)):
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise UsageError(f"{where} {key}: expected a number >= 0")
    bots = table.get("bots", list(DEFAULT_BOTS))
    if not isinstance(bots, list) or not all(isinstance(b, str) for b in bots):
        raise UsageError(f"{where} bots: expected a list of strings")
    types = list(custom_types) if isinstance(custom_types, dict) else []
    return Rules(
        enabled=table.get("enabled", True),
        decision=_patterns(table, "decision_patterns", DEFAULT_DECISION_PATTERNS),
        fix=_patterns(table, "fix_patterns", DEFAULT_FIX_PATTERNS),
        ignore=_patterns(table, "ignore", DEFAULT_IGNORE),
        bots=tuple(b.lower() for b in bots),
        min_length=table.get("min_length", DEFAULT_MIN_LENGTH),
        merges=table.get("merges", False),
        max_paths=table.get("max_paths", DEFAULT_MAX_PATHS),
        types=(*TYPE_NAMES, *types),
    )


def check_config(config: Config) -> None:
    """Raise the UsageError the config's [capture] table gives, if any (doctor and the
    pre-commit check report it; the hook and `git mem capture` meet it in `load_rules`)."""
    if config.capture is not None:
        rules_from_table(config.capture, config.types)


@functools.cache
def default_rules() -> Rules:
    return rules_from_table({})


def load_rules(repo: git.RepoInfo) -> Rules:
    """The rules in the work tree's .memory/config.toml (tomllib only when it exists)."""
    if repo.work_tree is None:
        return default_rules()
    try:
        text = (repo.work_tree / ".memory" / "config.toml").read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return default_rules()
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f".memory/config.toml: {error}") from None
    return rules_from_table(data.get("capture", {}), data.get("types"))
