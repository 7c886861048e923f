"""`[capture]` of .memory/config.toml: the capture rules, their defaults, their checks.

Imported by the post-commit hook on every commit: re, functools and (only when the file
exists) tomllib; nothing else. Patterns from the config file are compiled by `guard`
(google-re2 when installed: linear time), so a pattern a pull request adds cannot hang a
commit; the defaults (`default_patterns`, `ignore_patterns`) are ours and use `re`.

The defaults were tuned against 480 commits of three real histories labelled by hand
(tests/fixtures/capture_labels.jsonl, bench/capture_quality.py); the tests in
tests/capture/capture_quality_test.py quote the messages that motivated each pattern.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any, NamedTuple

from gitmem.capture.default_patterns import (
    BODY_WORD_FIX_PATTERNS,
    DEFAULT_BOTS,
    DEFAULT_DECISION_PATTERNS,
    DEFAULT_FACT_PATTERNS,
    DEFAULT_FIX_PATTERNS,
    DEFAULT_MAX_PATHS,
    DEFAULT_MIN_LENGTH,
    LEAD_FIX_PATTERNS,
    SUBJECT_ONLY,
    WEAK_DECISION_PATTERNS,
    WEAK_FIX_PATTERNS,
    WHY_DECISION_PATTERNS,
    WORDS,
)
from gitmem.capture.guard import Matcher, compile_configured
from gitmem.capture.ignore_patterns import DEFAULT_IGNORE, DEFAULT_IGNORE_FIXES
from gitmem.errors import UsageError
from gitmem.store import git
from gitmem.store.types import TYPE_NAMES

if TYPE_CHECKING:
    from gitmem.store.config import Config


class Rules(NamedTuple):
    enabled: bool = True
    decision: tuple[Matcher, ...] = ()
    fix: tuple[Matcher, ...] = ()
    fact: tuple[Matcher, ...] = ()
    ignore: tuple[tuple[str, Matcher], ...] = ()
    ignore_fixes: tuple[tuple[str, Matcher], ...] = ()
    bots: tuple[str, ...] = DEFAULT_BOTS
    min_length: int = DEFAULT_MIN_LENGTH
    merges: bool = False
    max_paths: int = DEFAULT_MAX_PATHS
    types: tuple[str, ...] = TYPE_NAMES
    # Configured patterns left out (unsafe or invalid), one line each: the hook and
    # `git mem capture` print them; `check_config` raises the first instead.
    warnings: tuple[str, ...] = ()


# ------------------------------------------------------------------------ configuration


class _Needled:
    """One of our patterns, searched only when the text holds one of its words."""

    def __init__(self, pattern: str, needles: tuple[str, ...]) -> None:
        self.pattern = pattern
        # "": strong evidence; "ref": an issue reference; "word": a body's bug word; "verb": a
        # subject's Use/Reject/Only/Treat/Require/... (see WEAK_*); "lead": a subject's "don't
        # X" fix (LEAD_FIX_PATTERNS); "why": "no longer needed" (WHY_DECISION_PATTERNS).
        self.weak = (
            "ref" if pattern in WEAK_FIX_PATTERNS
            else "word" if pattern in BODY_WORD_FIX_PATTERNS
            else "lead" if pattern in LEAD_FIX_PATTERNS
            else "verb" if pattern in WEAK_DECISION_PATTERNS
            else "why" if pattern in WHY_DECISION_PATTERNS
            else ""
        )  # fmt: skip
        self._compiled = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
        self._needles = needles
        self._subject_only = pattern.startswith(SUBJECT_ONLY)
        # Anchored at the start: `match` tries one position where `search` would try them all.
        self._find = self._compiled.match if pattern.startswith("\\A") else self._compiled.search

    def search(self, string: str, endpos: int = 1 << 62) -> Any:
        """`endpos`: where the text ends for this search (classify._earliest needs only
        matches starting before the best one so far: long bodies are not read to the end)."""
        if self._subject_only:
            newline = string.find("\n")
            endpos = min(endpos, newline if newline >= 0 else len(string))
        if not self._needles:
            return self._find(string, 0, endpos)
        low = _last[1] if _last[0] is string else _lowered(string)
        for needle in self._needles:  # a plain loop: any() over a generator costs 2x here
            if needle in low:
                return self._find(string, 0, endpos)
        return None


_last: list[str] = ["", ""]  # the last text lowered, and its lowercase: one lower() a message


def _lowered(text: str) -> str:
    if _last[0] is not text:
        _last[0], _last[1] = text, text.lower()
    return _last[1]


def _default(patterns: tuple[str, ...]) -> tuple[Matcher, ...]:
    return tuple(_Needled(p, WORDS.get(p, ())) for p in patterns)


def _patterns(
    table: dict[str, Any], key: str, default: tuple[str, ...], warnings: list[str], strict: bool
) -> tuple[Matcher, ...]:
    where = f".memory/config.toml [capture] {key}"
    if key not in table:
        return _default(default)
    values = table[key]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise UsageError(f"{where}: expected a list of regular expressions")
    compiled = []
    for value in values:
        matcher, problem = compile_configured(value)
        if matcher is not None:
            compiled.append(matcher)
            continue
        message = f"{where}: {value!r}: {problem}"
        if strict:
            raise UsageError(message)
        warnings.append(f"{message}; that pattern is left out")
    return tuple(compiled)


def rules_from_table(table: Any, custom_types: Any = None, *, strict: bool = True) -> Rules:
    """`[capture]` of .memory/config.toml (validated) -> Rules. Not `strict` (the hook and
    `git mem capture`): a pattern that is invalid or unsafe is left out with a warning."""
    where = ".memory/config.toml [capture]"
    if not isinstance(table, dict):
        raise UsageError(f"{where}: expected a table")
    known = {"enabled", "merges", "min_length", "max_paths", "bots"}
    known |= {"decision_patterns", "fix_patterns", "fact_patterns", "ignore", "ignore_fixes"}
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
    warnings: list[str] = []
    ignore = _named(table, "ignore", DEFAULT_IGNORE, warnings, strict)
    ignore_fixes = _named(table, "ignore_fixes", DEFAULT_IGNORE_FIXES, warnings, strict)
    return Rules(
        enabled=table.get("enabled", True),
        decision=_patterns(table, "decision_patterns", DEFAULT_DECISION_PATTERNS, warnings, strict),
        fix=_patterns(table, "fix_patterns", DEFAULT_FIX_PATTERNS, warnings, strict),
        fact=_patterns(table, "fact_patterns", DEFAULT_FACT_PATTERNS, warnings, strict),
        ignore=ignore,
        ignore_fixes=ignore_fixes,
        bots=tuple(b.lower() for b in bots),
        min_length=table.get("min_length", DEFAULT_MIN_LENGTH),
        merges=table.get("merges", False),
        max_paths=table.get("max_paths", DEFAULT_MAX_PATHS),
        types=(*TYPE_NAMES, *types),
        warnings=tuple(warnings),
    )


def _named(
    table: dict[str, Any],
    key: str,
    default: tuple[tuple[str, str], ...],
    warnings: list[str],
    strict: bool,
) -> tuple[tuple[str, Matcher], ...]:
    """Ignore rules with the name `--explain` gives: ours, or the configured pattern."""
    if key not in table:
        return tuple((name, re.compile(p, re.IGNORECASE | re.MULTILINE)) for name, p in default)
    return tuple((f"{key} {m.pattern!r}", m) for m in _patterns(table, key, (), warnings, strict))


def check_config(config: Config) -> None:
    """Raise the UsageError the config's [capture] table gives, if any (doctor and the
    pre-commit check report it; the hook and `git mem capture` meet it in `load_rules`)."""
    if config.capture is not None:
        rules_from_table(config.capture, config.types)


@functools.cache
def default_rules() -> Rules:
    return rules_from_table({})


def load_rules(repo: git.RepoInfo) -> Rules:
    """The rules in the work tree's .memory/config.toml (tomllib only when it exists).
    A configured pattern that is invalid or unsafe is left out (`Rules.warnings`)."""
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
    return rules_from_table(data.get("capture", {}), data.get("types"), strict=False)
