"""Capture patterns from .memory/config.toml, compiled so that none can hang a commit.

A pull request can add `decision_patterns = ['^(\\w+\\s?)*$']`: with Python's backtracking
`re` that pattern takes minutes on one long commit message, and the post-commit hook runs it
on every commit. So a configured pattern is compiled with google-re2 (linear time in the
text; imported only when the config has patterns: ~5 ms), and a pattern RE2 cannot run in
linear time (backreferences, lookaround) is refused. Without re2 installed, Python's `re` is
used only for patterns whose parse tree has no nested unbounded repeat (the cause of
catastrophic backtracking). Either way a refused pattern comes back with the reason, and the
caller leaves that one pattern out with a warning. Commit messages are cut to MAX_TEXT
characters before any pattern sees them.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

MAX_TEXT = 65536  # characters of a commit message the patterns see
FLAGS = re.IGNORECASE | re.MULTILINE


class Matcher(Protocol):
    """What the rules need of a compiled pattern (`re.Pattern` and `_Re2` both have it)."""

    @property
    def pattern(self) -> str: ...

    def search(self, string: str) -> Any: ...


class _Re2:
    """A pattern compiled by google-re2: case-insensitive, `^`/`$` at line ends like FLAGS."""

    def __init__(self, pattern: str, compiled: Any) -> None:
        self.pattern = pattern
        self._compiled = compiled

    def search(self, string: str) -> Any:
        return self._compiled.search(string)


def compile_configured(pattern: str) -> tuple[Matcher | None, str]:
    """(matcher, "") or (None, why it is refused)."""
    try:
        checked = re.compile(pattern, FLAGS)  # the precise message for a plain syntax error
    except re.error as error:
        return None, str(error)
    try:
        import re2  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        problem = nested_repeat(pattern)
        return (None, problem) if problem else (checked, "")
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # RE2 would log to stderr itself: we say it once, our way
    try:
        return _Re2(pattern, re2.compile(f"(?m){pattern}", options)), ""
    except re2.error as error:
        reason = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else ""
        return None, f"not supported by the linear-time matcher ({reason or error})"


def nested_repeat(pattern: str) -> str:
    """Why `re` could backtrack exponentially on `pattern` ("" if it cannot, by this test):
    an unbounded repeat inside another, or a backreference."""
    try:
        from re import _parser  # type: ignore[attr-defined]

        tree = _parser.parse(pattern, FLAGS)
    except (ImportError, re.error):  # pragma: no cover - validated above
        return "cannot be checked"
    found = _walk(list(tree), inside_repeat=False)
    if found:
        return f"{found}: it could take minutes on one long message"
    return ""


def _walk(items: list[Any], inside_repeat: bool) -> str:
    from re import _constants as c  # type: ignore[attr-defined]

    for op, arg in items:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            _low, high, sub = arg
            unbounded = high == c.MAXREPEAT or high > 100
            if unbounded and inside_repeat:
                return "a repeat inside a repeat"
            found = _walk(list(sub), inside_repeat or unbounded)
            if found:
                return found
        elif op == c.GROUPREF:
            return "a backreference"
        elif op == c.SUBPATTERN:
            found = _walk(list(arg[-1]), inside_repeat)
            if found:
                return found
        elif op == c.BRANCH:
            for branch in arg[1]:
                found = _walk(list(branch), inside_repeat)
                if found:
                    return found
        elif op in (c.ASSERT, c.ASSERT_NOT):
            found = _walk(list(arg[1]), inside_repeat)
            if found:
                return found
    return ""
