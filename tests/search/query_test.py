"""Filters over records (gitmem/query.py): dates, paths, and what `list` shows in which order."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitmem.errors import EXIT_USAGE, UsageError
from gitmem.search.query import (
    Filter,
    created_at,
    is_retired,
    parse_when,
    path_matches,
    superseded_ids,
)

NOW = datetime(2026, 11, 20, 14, 3, 11, tzinfo=UTC)
IST = timezone(timedelta(hours=5, minutes=30))


@pytest.fixture
def kolkata(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC+05:30 (no DST), so "yesterday" and bare dates are predictable."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# ------------------------------------------------------------------------------ parse_when


@pytest.mark.usefixtures("kolkata")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20", datetime(2026, 11, 20, tzinfo=IST)),  # a bare date is local midnight
        ("  2026-11-20  ", datetime(2026, 11, 20, tzinfo=IST)),
        ("2026-11-20T14:03:11+00:00", NOW),
        ("2026-11-20T14:03:11Z", NOW),
        ("2026-11-20T19:33:11+05:30", NOW),
        ("2026-11-20T14:03:11", datetime(2026, 11, 20, 14, 3, 11, tzinfo=IST)),
        ("3 days ago", NOW - timedelta(days=3)),
        ("3 Days Ago", NOW - timedelta(days=3)),
        ("1 day", NOW - timedelta(days=1)),
        ("3days", NOW - timedelta(days=3)),
        ("2w", NOW - timedelta(weeks=2)),
        ("2 weeks ago", NOW - timedelta(weeks=2)),
        ("10 minutes ago", NOW - timedelta(minutes=10)),
        ("1 hour ago", NOW - timedelta(hours=1)),
        ("12h", NOW - timedelta(hours=12)),
        ("2 months ago", NOW - timedelta(days=60)),
        ("1y", NOW - timedelta(days=365)),
        ("0 days ago", NOW),
        # 14:03 UTC is 19:33 in Kolkata: today starts at local midnight.
        ("today", datetime(2026, 11, 20, tzinfo=IST)),
        ("yesterday", datetime(2026, 11, 19, tzinfo=IST)),
        (" Yesterday ", datetime(2026, 11, 19, tzinfo=IST)),
    ],
)
def test_parse_when(text: str, expected: datetime) -> None:
    got = parse_when(text, now=NOW)
    assert got == expected
    assert got.tzinfo is not None


@pytest.mark.usefixtures("kolkata")
def test_yesterday_is_local_midnight_even_across_the_utc_date_line() -> None:
    # 20:00 UTC on the 20th is already the 21st in Kolkata.
    late = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
    assert parse_when("yesterday", now=late) == datetime(2026, 11, 20, tzinfo=IST)
    assert parse_when("today", now=late) == datetime(2026, 11, 21, tzinfo=IST)


def test_parse_when_defaults_to_now() -> None:
    before = datetime.now(UTC)
    got = parse_when("1 hour ago")
    after = datetime.now(UTC)
    assert before - timedelta(hours=1) <= got <= after - timedelta(hours=1)


@pytest.mark.parametrize(
    "text",
    [
        "garbage",
        "",
        "   ",
        "3 fortnights ago",
        "ago",
        "-3 days",
        "3 days hence",
        "2026-13-01",
        "2026/11/20",
        "1.5d",
    ],
)
def test_parse_when_rejects_garbage_with_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_when(text, now=NOW)
    assert str(caught.value) == (
        f"cannot read {text!r} as a date: use 2026-11-20, an ISO 8601 timestamp, "
        "or a relative time like '3 days ago' or '2w'"
    )
    assert caught.value.exit_code == EXIT_USAGE


@pytest.mark.usefixtures("kolkata")
@pytest.mark.parametrize("text", ["3000 years ago", "99999999999 days ago", "0001-01-01"])
def test_parse_when_out_of_range_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_when(text, now=NOW)
    assert str(caught.value) == f"cannot read {text!r} as a date: it is out of range"


UNIT_SECONDS = {
    "d": 86400,
    " days ago": 86400,
    "w": 7 * 86400,
    " weeks": 7 * 86400,
    "h": 3600,
    " hours ago": 3600,
    " minutes": 60,
    " months ago": 30 * 86400,
    "y": 365 * 86400,
}


@given(st.integers(0, 2000), st.sampled_from(sorted(UNIT_SECONDS)))
def test_relative_times_count_back_from_now(number: int, unit: str) -> None:
    expected = NOW - timedelta(seconds=number * UNIT_SECONDS[unit])
    assert parse_when(f"{number}{unit}", now=NOW) == expected


# ----------------------------------------------------------------------------- path_matches


@pytest.mark.parametrize(
    ("query", "recorded", "expected"),
    [
        # the same file
        ("src/db/models.py", "src/db/models.py", True),
        ("./src/db/models.py", "src/db/models.py", True),
        ("src/db/models.py", "./src/db/models.py", True),
        ("src/db/models.py", "src/db/other.py", False),
        ("src/db/models.pyc", "src/db/models.py", False),
        # the record is about a directory holding the query
        ("src/db/models.py", "src/db/", True),
        ("src/db/models.py", "src/db", True),
        ("src/db", "src/db/", True),
        ("src/db/", "src/db/", True),
        ("src/dbx/models.py", "src/db/", False),  # a prefix that is not a directory boundary
        ("src/dbx/models.py", "src/db", False),
        # the query is a directory holding the record's path
        ("src", "src/db/models.py", True),
        ("src/", "src/db/", True),
        ("./src/", "src/db/models.py", True),
        ("sr", "src/db/models.py", False),
        ("lib", "src/db/models.py", False),
        # globs
        ("src/db/models.py", "src/db/*.py", True),
        ("src/db/deep/models.py", "src/**/*.py", True),
        ("src/db/models.txt", "src/db/*.py", False),
        ("alembic/env.py", "alembic/env.p?", True),
        ("alembic/env.pyc", "alembic/env.p?", False),
        ("src/a.py", "src/[ab].py", True),
        ("src/c.py", "src/[ab].py", False),
        ("docs", "docs*", True),
        ("docs/", "docs/*", True),  # the query is the glob's directory
        ("src", "src/db/*.py", True),  # the query is a directory holding the glob's files
        ("src/db", "src/db/*.py", True),
        ("lib", "src/db/*.py", False),
        ("sr", "src/*.py", False),
        # an empty query (the repository root) concerns everything
        ("", "src/db/models.py", True),
        ("./", "src/*.py", True),
    ],
)
def test_path_matches(query: str, recorded: str, expected: bool) -> None:
    assert path_matches(query, recorded) is expected


# ---------------------------------------------------------------------------------- Filter


def row(id: str, created: str, **fields: Any) -> dict[str, Any]:
    return {"id": id, "type": "fact", "title": id, "created": created, "status": "active", **fields}


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in rows]


SHA_A = "a" * 40
SHA_B = "b1" * 20
ROWS = [
    row(
        "dec1dec1dec1",
        "2026-11-20T14:03:11+00:00",
        type="decision",
        tags=["database", "postgresql"],
        status="accepted",
        author="Jane Doe <jane@example.com>",
        source="cli",
        project="backend",
        paths=["src/db/"],
        location=".memory/decisions/2026-11-20-use-postgresql.md",
    ),
    row(
        "fact1fact1fa",
        "2026-11-19T09:00:00+00:00",
        tags=["database"],
        author="Bob <bob@example.com>",
        source="hook",
        commits=[SHA_A],
        location="note:" + SHA_A,
    ),
    row(
        "err1err1err1",
        "2026-11-18T10:00:00-05:00",  # 15:00 UTC: newer than the fact on the 18th below
        type="error",
        tags=["ci"],
        author="Jane Doe <jane@example.com>",
        source="ci",
        project="frontend",
        paths=["web/app.ts", "web/*.css"],
        location="note:" + SHA_B,
    ),
    row("fact2fact2fa", "2026-11-18T14:00:00+00:00", tags=["misc"]),
    row("old1old1old1", "2026-01-01T00:00:00+00:00", status="superseded"),
    row("dep1dep1dep1", "2026-01-02T00:00:00+00:00", status="deprecated"),
    row("rej1rej1rej1", "2026-01-03T00:00:00+00:00", status="rejected"),
    row("prp1prp1prp1", "2026-01-04T00:00:00+00:00", status="proposed"),
    # Replaced by `new1...` through its `supersedes`, though its own status still says active.
    row("rep1rep1rep1", "2026-02-01T00:00:00+00:00"),
    row("new1new1new1", "2026-02-02T00:00:00+00:00", supersedes=["rep1rep1rep1"]),
]
CURRENT = [
    "dec1dec1dec1",
    "fact1fact1fa",
    "err1err1err1",
    "fact2fact2fa",
    "new1new1new1",
    "prp1prp1prp1",
]


def test_default_filter_hides_retired_records_newest_first() -> None:
    assert ids(Filter().apply(ROWS)) == CURRENT


def test_include_retired_shows_everything_newest_first() -> None:
    assert ids(Filter(include_retired=True).apply(ROWS)) == [
        "dec1dec1dec1",
        "fact1fact1fa",
        "err1err1err1",
        "fact2fact2fa",
        "new1new1new1",
        "rep1rep1rep1",
        "prp1prp1prp1",
        "rej1rej1rej1",
        "dep1dep1dep1",
        "old1old1old1",
    ]


def test_apply_accepts_any_iterable_and_leaves_rows_alone() -> None:
    rows = [dict(r) for r in ROWS]
    assert ids(Filter().apply(iter(rows))) == CURRENT
    assert rows == ROWS


def test_superseded_by_a_record_that_is_filtered_out_still_hides() -> None:
    # The superseding record is not a fact, so --type fact drops it; what it replaced stays hidden.
    rows = [
        row("rep1rep1rep1", "2026-02-01T00:00:00+00:00"),
        row(
            "new1new1new1",
            "2026-02-02T00:00:00+00:00",
            type="decision",
            supersedes=["rep1rep1rep1"],
        ),
    ]
    assert ids(Filter(types=["fact"]).apply(rows)) == []
    assert ids(Filter(types=["fact"], include_retired=True).apply(rows)) == ["rep1rep1rep1"]


def test_superseded_ids_and_is_retired() -> None:
    assert superseded_ids(ROWS) == {"rep1rep1rep1"}
    superseded = superseded_ids(ROWS)
    retired = {r["id"] for r in ROWS if is_retired(r, superseded)}
    assert retired == {"old1old1old1", "dep1dep1dep1", "rej1rej1rej1", "rep1rep1rep1"}
    assert not is_retired({"id": "x"}, set())  # no status reads as active


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (Filter(types=["decision"]), ["dec1dec1dec1"]),
        (Filter(types=["error", "decision"]), ["dec1dec1dec1", "err1err1err1"]),
        (Filter(types=["procedural"]), []),
        (Filter(tags=["database"]), ["dec1dec1dec1", "fact1fact1fa"]),
        (Filter(tags=["database", "postgresql"]), ["dec1dec1dec1"]),  # every tag must match
        (Filter(tags=["Database"]), ["dec1dec1dec1", "fact1fact1fa"]),  # normalised
        (Filter(tags=[" POSTGRESQL "]), ["dec1dec1dec1"]),
        (Filter(tags=["data"]), []),  # whole tags, not substrings
        (Filter(statuses=["accepted"]), ["dec1dec1dec1"]),
        (Filter(statuses=["proposed", "accepted"]), ["dec1dec1dec1", "prp1prp1prp1"]),
        # asking for a retired status shows it without --all
        (Filter(statuses=["superseded"], types=["decision"]), []),
        (Filter(statuses=["deprecated", "rejected"]), ["rej1rej1rej1", "dep1dep1dep1"]),
        (Filter(authors=["jane"]), ["dec1dec1dec1", "err1err1err1"]),  # substring, any case
        (Filter(authors=["BOB@EXAMPLE"]), ["fact1fact1fa"]),
        (Filter(authors=["bob", "jane"]), ["dec1dec1dec1", "fact1fact1fa", "err1err1err1"]),
        (Filter(authors=["nobody"]), []),
        (Filter(sources=["ci"]), ["err1err1err1"]),
        (Filter(sources=["cli", "hook"]), ["dec1dec1dec1", "fact1fact1fa"]),
        (Filter(projects=["backend"]), ["dec1dec1dec1"]),
        (Filter(projects=["frontend", "backend"]), ["dec1dec1dec1", "err1err1err1"]),
        (Filter(paths=["src/db/models.py"]), ["dec1dec1dec1"]),
        (Filter(paths=["web/style.css"]), ["err1err1err1"]),
        (Filter(paths=["web"]), ["err1err1err1"]),
        (Filter(paths=["docs/", "src/"]), ["dec1dec1dec1"]),
        (Filter(paths=["lib/"]), []),
        # commits: listed in `commits`, or the commit a note is attached to; prefixes either way
        (Filter(commits=[SHA_A]), ["fact1fact1fa"]),
        (Filter(commits=[SHA_B]), ["err1err1err1"]),
        (Filter(commits=[SHA_B[:7]]), ["err1err1err1"]),
        (Filter(commits=["c" * 40]), []),
        (Filter(since=datetime(2026, 11, 19, tzinfo=UTC)), ["dec1dec1dec1", "fact1fact1fa"]),
        # bounds are inclusive
        (Filter(since=datetime(2026, 11, 19, 9, tzinfo=UTC)), ["dec1dec1dec1", "fact1fact1fa"]),
        (Filter(until=datetime(2026, 11, 19, 9, tzinfo=UTC)), [*CURRENT[1:]]),
        (
            Filter(since=datetime(2026, 11, 18, 14, 30, tzinfo=UTC), until=NOW - timedelta(days=1)),
            ["fact1fact1fa", "err1err1err1"],
        ),
        # filters combine with AND
        (Filter(types=["fact"], tags=["database"], sources=["hook"]), ["fact1fact1fa"]),
        (Filter(types=["fact"], tags=["ci"]), []),
    ],
)
def test_each_filter(flt: Filter, expected: list[str]) -> None:
    assert ids(flt.apply(ROWS)) == expected


def test_asking_for_a_retired_status_shows_it_without_all() -> None:
    found = ids(Filter(statuses=["superseded"]).apply(ROWS))
    assert "old1old1old1" in found
    assert not {"dec1dec1dec1", "new1new1new1", "dep1dep1dep1"} & set(found)


def test_named_in_supersedes_reads_as_superseded_for_status_filters() -> None:
    # rep1 keeps `status: active` but new1 supersedes it: it reads as superseded.
    assert "rep1rep1rep1" in ids(Filter(statuses=["superseded"]).apply(ROWS))
    assert "rep1rep1rep1" not in ids(Filter(statuses=["active"]).apply(ROWS))


def test_retired_filter_combinations() -> None:
    assert ids(Filter(types=["fact"]).apply(ROWS)) == [
        "fact1fact1fa",
        "fact2fact2fa",
        "new1new1new1",
        "prp1prp1prp1",
    ]
    assert ids(Filter(since=datetime(2026, 1, 1, tzinfo=UTC), include_retired=True).apply(ROWS))[
        -4:
    ] == ["prp1prp1prp1", "rej1rej1rej1", "dep1dep1dep1", "old1old1old1"]


def test_ordering_ties_break_by_id_and_offsets_compare_as_instants() -> None:
    rows = [
        row("aaaaaaaaaaaa", "2026-11-20T10:00:00+00:00"),
        row("cccccccccccc", "2026-11-20T10:00:00+00:00"),
        row("bbbbbbbbbbbb", "2026-11-20T12:00:00+02:00"),  # the same instant
        row("dddddddddddd", "2026-11-20T09:00:00-02:00"),  # 11:00 UTC, the newest
    ]
    assert ids(Filter().apply(rows)) == [
        "dddddddddddd",
        "cccccccccccc",
        "bbbbbbbbbbbb",
        "aaaaaaaaaaaa",
    ]


def test_unreadable_created_sorts_last_and_fails_since() -> None:
    rows = [row("bad0bad0bad0", "not a date"), row("good00000000", "2026-11-20T10:00:00+00:00")]
    rows.append({"id": "none00000000", "type": "fact", "title": "x"})
    assert ids(Filter().apply(rows)) == ["good00000000", "none00000000", "bad0bad0bad0"]
    assert ids(Filter(since=datetime(2000, 1, 1, tzinfo=UTC)).apply(rows)) == ["good00000000"]
    assert created_at(rows[0]) == datetime.min.replace(tzinfo=UTC)


def test_rows_missing_optional_fields() -> None:
    bare = {"id": "bare00000000", "type": "fact", "title": "x", "created": "2026-11-20T10:00:00Z"}
    assert ids(Filter().apply([bare])) == ["bare00000000"]
    for flt in (
        Filter(tags=["a"]),
        Filter(authors=["a"]),
        Filter(sources=["cli"]),
        Filter(projects=["p"]),
        Filter(paths=["src"]),
        Filter(commits=[SHA_A]),
    ):
        assert flt.apply([bare]) == []
