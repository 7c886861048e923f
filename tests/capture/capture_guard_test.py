"""Configured capture patterns cannot hang a commit (issue 15, case 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitmem.capture import on_commit
from gitmem.capture.commits import Commit, candidates
from gitmem.capture.guard import compile_configured, nested_repeat
from gitmem.capture.rules import load_rules, rules_from_table
from gitmem.errors import UsageError
from gitmem.store import git

BOMB = r"^(\w+\s?)*$"
WHERE = ".memory/config.toml [capture] decision_patterns"
# 40 words and a final "!": Python's re tries ~2^40 ways to split them before failing.
LONG = "Adopt " + "word " * 40 + "!"


def commit(message: str) -> Commit:
    date = "1763731391 +0100"
    return Commit("a" * 40, ("b" * 40,), "Jane <j@e>", date, date, message)


def test_a_catastrophic_pattern_runs_in_linear_time() -> None:
    """With google-re2 (a dependency) the pattern that took `re` minutes is harmless."""
    rules = rules_from_table({"decision_patterns": [BOMB, r"\bADR\b"]}, strict=False)
    assert rules.warnings == ()
    assert candidates(commit(LONG), rules) == []  # re: ~2^40 steps; RE2: one pass
    assert [c.type for c in candidates(commit("ADR 7: event sourcing"), rules)] == ["decision"]


def test_a_pattern_without_a_linear_guarantee_is_left_out_with_one_warning() -> None:
    rules = rules_from_table({"decision_patterns": [r"(a)\1", r"\bADR\b"]}, strict=False)
    assert rules.warnings == (
        f"{WHERE}: '(a)\\\\1': not supported by the linear-time matcher (invalid escape "
        "sequence: \\1); that pattern is left out",
    )
    # The rest of the rules work.
    assert [c.type for c in candidates(commit("ADR 7: event sourcing"), rules)] == ["decision"]


def test_the_config_check_names_the_unsafe_pattern() -> None:
    with pytest.raises(UsageError) as error:
        rules_from_table({"decision_patterns": [r"(?<=x)y"]})
    assert str(error.value) == (
        f"{WHERE}: '(?<=x)y': not supported by the linear-time matcher "
        "(invalid perl operator: (?<=)"
    )


def test_a_safe_configured_pattern_matches_like_re() -> None:
    matcher, problem = compile_configured(r"^ADR \d+:")
    assert problem == "" and matcher is not None
    assert matcher.search("Intro\nadr 12: use SQS") is not None  # case-insensitive, multiline
    assert matcher.search("see ADR") is None


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        (BOMB, "a repeat inside a repeat"),
        (r"(a+)+b", "a repeat inside a repeat"),
        (r"(?:x|y{2,})*z", "a repeat inside a repeat"),
        (r"(a)\1", "a backreference"),
        (r"\bdecided?\s+(?:to|against)\b", ""),
        (r"(?:ab){1,3}c+", ""),
    ],
)
def test_without_re2_nested_repeats_are_refused(pattern: str, problem: str) -> None:
    found = nested_repeat(pattern)
    assert (found.split(":")[0] if found else "") == problem


def test_the_hook_warns_once_and_captures_with_the_other_rules(repo: Path, g) -> None:  # type: ignore[no-untyped-def]
    (repo / ".memory").mkdir()
    (repo / ".memory" / "config.toml").write_text(
        f"[capture]\ndecision_patterns = ['{BOMB}', '(?<=x)y', 'Adopt']\n"
    )
    g.run("commit", "-q", "--allow-empty", "-m", LONG)
    warnings: list[str] = []
    outcome = on_commit.handle_post_commit(git.discover(), warnings.append)
    assert outcome is not None and len(outcome.ids) == 1
    assert warnings == list(load_rules(git.discover()).warnings)
    assert len(warnings) == 1 and "'(?<=x)y'" in warnings[0]
