"""The capture rules on commit messages: pure functions, no repository."""

from __future__ import annotations

import pytest

from gitmem.capture.commits import Candidate, Commit, candidates, iso_time, skip_reason
from gitmem.capture.rules import default_rules, rules_from_table
from gitmem.errors import UsageError
from gitmem.store.record import derived_id

AUTHOR = "Jane Doe <jane@example.com>"
DATE = "1763731391 +0100"


def commit(message: str, *, author: str = AUTHOR, parents: int = 1) -> Commit:
    return Commit("a" * 40, tuple("b" * 40 for _ in range(parents)), author, DATE, DATE, message)


def found(message: str, **table: object) -> list[tuple[str, str, tuple[str, ...]]]:
    rules = rules_from_table(table) if table else default_rules()
    return [(c.type, c.title, c.tags) for c in candidates(commit(message), rules)]


# ------------------------------------------------------------------ explicit trailers


def test_decision_trailer_is_one_record_with_the_rest_as_context() -> None:
    message = (
        "feat(db): store sessions in PostgreSQL\n\n"
        "Sessions outgrew Redis memory.\n\n"
        "Decision: Use PostgreSQL for sessions\n"
        "Memory-Tags: Storage, data model\n"
        "Signed-off-by: Jane Doe <jane@example.com>\n"
    )
    [candidate] = candidates(commit(message), default_rules())
    assert candidate == Candidate(
        type="decision",
        title="Use PostgreSQL for sessions",
        # The explanation, not the trailers (issue 16): Signed-off-by is not memory.
        body="feat(db): store sessions in PostgreSQL\n\nSessions outgrew Redis memory.\n",
        tags=("db", "storage", "data-model"),
        rule="decision-trailer",
    )


def test_each_trailer_is_its_own_record_and_learned_is_a_fact() -> None:
    message = (
        "Retry uploads on 503\n\nThe CDN sheds load with 503s.\n\n"
        "Decision: Retry uploads three times with backoff\n"
        "Fact: The CDN returns 503 under load\n"
        "Learned: boto3 retries only idempotent calls\n"
        "Error: Uploads failed silently on 503\n"
    )
    assert found(message) == [
        ("decision", "Retry uploads three times with backoff", ()),
        ("fact", "The CDN returns 503 under load", ()),
        ("fact", "boto3 retries only idempotent calls", ()),
        ("error", "Uploads failed silently on 503", ()),
    ]


def test_trailers_are_read_from_trailer_paragraphs_not_from_prose() -> None:
    # A pasted error inside prose is not an `Error:` trailer.
    message = (
        "Pin node to 20\n\nThe build said:\nError: Cannot find module 'x'\n\n"
        "Signed-off-by: A <a@b>\n"
    )
    assert found(message) == []
    message = "Pin node\n\nIt said:\nError: Cannot find module 'x'\n\nFact: node 22 breaks x\n"
    [candidate] = candidates(commit(message), default_rules())
    assert candidate.body == "Pin node\n\nIt said:\nError: Cannot find module 'x'\n"
    # A paragraph of trailers followed by more prose still counts.
    message = "Store orders\n\nDecision: use PostgreSQL for orders\n\nMore context.\n"
    [candidate] = candidates(commit(message), default_rules())
    assert (candidate.title, candidate.body) == (
        "use PostgreSQL for orders",
        "Store orders\n\nMore context.\n",
    )


def test_folded_trailer_and_one_line_trailer_message() -> None:
    message = (
        "Cache tokens\n\nWhy: load.\n\nDecision: Cache tokens for\n  five minutes\nAcked-by: B\n"
    )
    assert found(message) == [("decision", "Cache tokens for five minutes", ())]
    [candidate] = candidates(commit(message), default_rules())
    # Prose that looks like a trailer stays; the trailer block does not (issue 16).
    assert candidate.body == "Cache tokens\n\nWhy: load.\n"
    assert found("Decision: adopt ruff instead of flake8") == [
        ("decision", "adopt ruff instead of flake8", ())
    ]


def test_memory_type_makes_the_whole_commit_one_record() -> None:
    message = (
        "docs(ops): how to rotate the signing key\n\n1. Generate.\n2. Upload.\n\n"
        "Memory-Type: procedural\nMemory-Tags: security\n"
    )
    [candidate] = candidates(commit(message), default_rules())
    assert (candidate.type, candidate.title, candidate.tags) == (
        "procedural",
        "How to rotate the signing key",
        ("ops", "security"),
    )
    assert candidate.body == "1. Generate.\n2. Upload.\n"


def test_memory_type_of_an_unknown_type_is_kept_as_a_tagged_fact() -> None:
    assert found("Rotate keys yearly\n\nMemory-Type: Runbook\n") == [
        ("fact", "Rotate keys yearly", ("runbook",))
    ]
    custom = rules_from_table({}, {"runbook": "runbooks"})
    [candidate] = candidates(commit("Rotate keys yearly\n\nMemory-Type: runbook\n"), custom)
    assert candidate.type == "runbook"


def test_no_memory_opts_out_of_everything() -> None:
    message = "We decided to drop Python 3.8\n\nDecision: drop 3.8\nNo-Memory: true\n"
    assert found(message) == []
    assert found("We decided to drop Python 3.8\n\nNo-Memory: false\n") != []


# ------------------------------------------------------------------ patterns, both ways

CAPTURED = [
    ("We decided to drop Python 3.8 support", "decision"),
    ("Decided against caching user sessions in Redis", "decision"),
    ("Use Postgres: chose PostgreSQL over MongoDB for JSONB", "decision"),
    ("Switch session store from Memcached to Redis", "decision"),
    ("build: switch to pnpm for workspaces", "decision"),
    ("We switched logging to structlog", "decision"),
    ("Adopt ruff for linting and formatting", "decision"),
    ("Deprecate the legacy XML export endpoint", "decision"),
    ("feat(api)!: drop the v1 endpoints", "decision"),
    ("Rework config loading\n\nBREAKING CHANGE: config.yml is no longer read", "decision"),
    ("fix: token refresh race when two tabs refresh", "error"),
    ("fix(auth): session cookie lost after redirect", "error"),
    ("Handle an empty cart at checkout\n\nFixes #123", "error"),
    ("Guard the importer against BOMs (resolves acme/shop#77)", "error"),
    ("Stop the nightly job timing out\n\nRoot cause: an N+1 query in reports", "error"),
]

NOT_CAPTURED = [
    "Fix typo",
    "fix: typo in README",
    "fixing tests",
    "Fix tests",
    "update deps",
    "Update dependencies",
    "chore(deps): bump lodash from 4.17.20 to 4.17.21",
    "Bump version to 1.2.3",
    "WIP",
    "Add switch to toggle dark mode",
    "Update adopt-a-pet landing page",
    "Add adoption metrics dashboard",
    "Remove deprecated calls to datetime.utcnow",
    "Fix deprecation warnings in tests",
    "Merge branch 'main' into feature/login",
    'Revert "Switch session store from Memcached to Redis"',
    "Refactor the parser into smaller functions",
    "Update CHANGELOG with breaking change notes",
    "fix: whitespace in template",
]


@pytest.mark.parametrize(("message", "kind"), CAPTURED)
def test_realistic_messages_that_are_captured(message: str, kind: str) -> None:
    result = found(message)
    assert len(result) == 1, result
    assert result[0][0] == kind


@pytest.mark.parametrize("message", NOT_CAPTURED)
def test_ordinary_messages_are_not_captured(message: str) -> None:
    assert found(message) == []


def test_pattern_record_title_is_the_subject_without_its_prefix() -> None:
    assert found("fix(auth): session cookie lost after redirect") == [
        ("error", "Session cookie lost after redirect", ("auth",))
    ]
    assert found("feat(api)!: drop the v1 endpoints") == [
        ("decision", "Drop the v1 endpoints", ("api", "breaking-change"))
    ]


def test_explicit_trailers_win_over_patterns() -> None:
    message = "fix: we decided to retry\n\nLearned: the API rate-limits at 10 rps\n"
    assert found(message) == [("fact", "the API rate-limits at 10 rps", ())]


# ------------------------------------------------------------------ skips and config


def test_merges_bots_and_short_messages_are_skipped() -> None:
    rules = default_rules()
    merge = commit("We decided to merge the release branch", parents=2)
    assert skip_reason(merge, rules) == "merge commit"
    assert candidates(merge, rules) == []
    assert candidates(merge, rules_from_table({"merges": True})) != []
    bot = commit("fix: bump a vulnerable dep, fixes #3", author="dependabot[bot] <x@github.com>")
    assert skip_reason(bot, rules) == "bot author"
    renovate = commit("fix: pin dependency, fixes #4", author="Renovate Bot <bot@renovate.io>")
    assert candidates(renovate, rules) == []
    assert found("fix: a", min_length=0) == [("error", "A", ())]
    assert found("fix: a") == []  # below min_length: patterns do not count
    assert found("Fact: x") == [("fact", "x", ())]  # trailers always do


def test_configured_patterns_replace_the_defaults() -> None:
    table = {"decision_patterns": [r"\bADR\b"], "fix_patterns": [], "ignore": []}
    assert found("ADR 12: event sourcing for orders", **table) == [
        ("decision", "ADR 12: event sourcing for orders", ())
    ]
    assert found("We decided to drop Python 3.8 support", **table) == []
    assert found("fix: typo in README", **table) == []


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"bogus": 1}, "unknown setting 'bogus'"),
        ({"merges": "yes"}, "merges: expected true or false"),
        ({"min_length": -1}, "min_length: expected a number >= 0"),
        ({"bots": "dependabot"}, "bots: expected a list of strings"),
        ({"fix_patterns": ["(unclosed"]}, "'(unclosed': missing ), unterminated subpattern"),
    ],
)
def test_bad_config_is_one_precise_error(table: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError) as error:
        rules_from_table(table)
    assert message in str(error.value)
    assert str(error.value).startswith(".memory/config.toml [capture]")


# ------------------------------------------------------------------ ids


def test_ids_come_from_author_date_type_and_title_not_the_commit() -> None:
    [candidate] = candidates(commit("Decision: Use PostgreSQL"), default_rules())
    expected = derived_id("capture", AUTHOR, DATE, "decision", "Use PostgreSQL")
    assert candidate.id_for(commit("Decision: Use PostgreSQL")) == expected == "nbnhe88zh4vr"
    # A rewrite changes the sha and committer date, not these: the same id.
    rewritten = commit("Decision: Use PostgreSQL")._replace(
        sha="c" * 40, committer_date="1763800000 +0000"
    )
    assert candidate.id_for(rewritten) == expected
    other_author = commit("Decision: Use PostgreSQL", author="Bob <bob@example.com>")
    assert candidate.id_for(other_author) != expected


def test_iso_time_keeps_the_offset() -> None:
    assert iso_time("1763731391 +0100") == "2025-11-21T14:23:11+01:00"
    assert iso_time("1763731391 -0530") == "2025-11-21T07:53:11-05:30"


def test_fast_note_serialisation_is_byte_identical_to_the_record_module() -> None:
    from gitmem.capture.notes import note_doc
    from gitmem.store.note_stream import serialize_note_doc
    from gitmem.store.record import Memory

    records = [
        Memory(
            id="abcdabcdabcd", type="decision", title="Use: PostgreSQL # not a comment",
            created="2025-11-21T13:23:11+00:00", body="a\n\n  b\n", author="A <a@b>",
            tags=["db", "x-y"], source="hook", commits=["a" * 40], paths=["src/x.py", "a: b"],
        ),
        Memory(
            id="1234abcd5678", type="fact", title="'quoted' \"twice\" 12", source="hook",
            created="2025-11-21T13:23:11-05:30", body="", links=["abcdabcdabcd"],
        ),
        Memory(id="abcdabcdabcd", type="error", title="yes", created="2025-11-21T13:23:11+00:00",
               body="trailing  \n\n\n"),
    ]  # fmt: skip
    for memory in records:
        assert note_doc(memory) == serialize_note_doc(memory)
